import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kustomize, parseYamlDocuments, type K8sObject } from '../k8s/kustomize';

const root = path.resolve(__dirname, '..', '..');
const k8sDir = path.join(root, 'deploy', 'k8s');

const KUSTOMIZATION_HEAD = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: social/web
          env:
            - { name: A, value: '1' }
            - { name: B, value: '2' }
`;
const CONFIG_MAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  KEEP: kept
  CHANGE: old
  DROP: dropped
`;

let workDir: string;
beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-renderer-'));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/** Writes a kustomization (and its files) into a fresh folder and returns the folder. */
function fixture(kustomization: (dir: string) => string, files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(workDir, 'k-'));
  fs.writeFileSync(path.join(dir, 'kustomization.yaml'), KUSTOMIZATION_HEAD + kustomization(dir));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
const base = (): string =>
  fixture(() => 'resources: [deployment.yaml, config.yaml]\n', {
    'deployment.yaml': DEPLOYMENT,
    'config.yaml': CONFIG_MAP,
  });
/** An overlay on a fresh base, referring to it relatively as real overlays do. */
const overlay = (kustomization: string, files: Record<string, string> = {}): string => {
  const baseDir = base();
  return fixture((dir) => `resources: [${path.relative(dir, baseDir)}]\n${kustomization}`, files);
};
/** An overlay using every supported feature; also rendered by kubectl where it is installed. */
const richOverlay = (): string =>
  overlay(
    [
      'namespace: team',
      'images:',
      '  - { name: social/web, newName: registry.example.com/social/web, newTag: "1.2" }',
      'patches:',
      '  - path: config.patch.yaml',
      '  - target: { kind: Deployment, name: web }',
      '    patch: |',
      '      - { op: test, path: /spec/template/spec/containers/0/env/1/name, value: B }',
      '      - { op: replace, path: /spec/template/spec/containers/0/env/1/value, value: "3" }',
      '      - { op: add, path: /spec/template/spec/containers/0/env/-, value: { name: C, value: "4" } }',
      '      - { op: remove, path: /spec/template/spec/containers/0/env/0 }',
    ].join('\n'),
    {
      'config.patch.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { CHANGE: new, DROP: null, ADD: added }\n',
    },
  );
const find = (objects: K8sObject[], kind: string): K8sObject =>
  objects.find((o) => o.kind === kind) as K8sObject;
interface RenderedDeployment {
  template: { spec: { containers: Array<{ image: string; env: Array<{ name: string; value: string }> }> } };
}
const container = (objects: K8sObject[]) =>
  (find(objects, 'Deployment').spec as RenderedDeployment).template.spec.containers[0];

describe('kustomize renderer', () => {
  test('when an overlay sets namespace, images and patches, then each applies as kustomize does', () => {
    // Arrange
    const dir = richOverlay();
    // Act
    const objects = kustomize(dir);
    // Assert
    expect(objects.map((o) => o.metadata.namespace)).toEqual(['team', 'team']);
    expect(container(objects)).toMatchObject({
      image: 'registry.example.com/social/web:1.2',
      env: [
        { name: 'B', value: '3' },
        { name: 'C', value: '4' },
      ],
    });
    expect(find(objects, 'ConfigMap').data).toEqual({ KEEP: 'kept', CHANGE: 'new', ADD: 'added' });
  });

  test.each([
    ['a field it does not implement', 'commonLabels: { team: x }\n', /unsupported field\(s\) commonLabels/],
    [
      'a generator',
      'secretGenerator: [{ name: s, literals: [a=b] }]\n',
      /unsupported field\(s\) secretGenerator/,
    ],
    ['a remote resource', 'resources: [https://example.com/base]\n', /must be a local path/],
    [
      'an image digest',
      'images: [{ name: social/web, digest: "sha256:00" }]\n',
      /unsupported field\(s\) digest/,
    ],
    [
      'a regex patch target',
      'patches: [{ target: { name: "we.*" }, patch: "- { op: remove, path: /data }" }]\n',
      /must be a plain name/,
    ],
  ])('when a kustomization uses %s, then rendering fails and names it', (_, kustomization, message) => {
    const dir = fixture(() => kustomization, { 'deployment.yaml': DEPLOYMENT });
    expect(() => kustomize(dir)).toThrow(message);
  });

  test.each([
    [
      'a strategic merge of a list',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { template: { spec: { containers: [{ name: web, image: x }] } } }\n',
      /strategic merge of lists is not supported/,
    ],
    [
      'a merge directive',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\n$patch: replace\n',
      /directive/,
    ],
    [
      'a patch for an object that does not exist',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: other }\ndata: { A: b }\n',
      /matches no object/,
    ],
  ])('when an overlay patch is %s, then rendering fails', (_, patch, message) => {
    const dir = overlay('patches: [{ path: p.yaml }]\n', { 'p.yaml': patch });
    expect(() => kustomize(dir)).toThrow(message);
  });

  test.each([
    [
      'its test operation fails',
      '- { op: test, path: /spec/template/spec/containers/0/name, value: api }',
      /test failed/,
    ],
    [
      'its path does not exist',
      '- { op: replace, path: /spec/template/spec/containers/3/image, value: x }',
      /out of bounds|does not exist/,
    ],
    [
      'it uses an operation outside add/remove/replace/test',
      '- { op: move, from: /a, path: /b }',
      /unsupported field\(s\) from/,
    ],
    // kustomize reads a patch that starts with [ as JSON: YAML flow style there is an error for it too.
    [
      'starts with [ but is not JSON',
      '[{ op: remove, path: /spec/template/spec/containers/0/env/0 }]',
      /must be JSON/,
    ],
  ])('when a JSON 6902 patch %s, then rendering fails', (_, patch, message) => {
    const dir = overlay('patches: [{ path: p.yaml, target: { kind: Deployment, name: web } }]\n', {
      'p.yaml': patch,
    });
    expect(() => kustomize(dir)).toThrow(message);
  });

  test('when a resource is a kind the renderer does not know, then rendering fails', () => {
    const dir = fixture(() => 'resources: [job.yaml]\n', {
      'job.yaml': 'apiVersion: batch/v1\nkind: Job\nmetadata: { name: j }\n',
    });
    expect(() => kustomize(dir)).toThrow(/kind Job is not supported/);
  });

  test('when two resources define the same object, then rendering fails', () => {
    const dir = fixture(() => 'resources: [a.yaml, b.yaml]\n', {
      'a.yaml': CONFIG_MAP,
      'b.yaml': CONFIG_MAP,
    });
    expect(() => kustomize(dir)).toThrow(/ConfigMap\/~\/settings is defined twice/);
  });
});

// The renderer is only trusted as far as it agrees with kustomize itself: wherever a kubectl is installed
// (it is on this project's CI machines), the real `kubectl kustomize` must produce the same objects.
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const hasKubectl = kubectl.status === 0;
const kubectlKustomize = (dir: string): K8sObject[] => {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${run.stderr}`);
  return parseYamlDocuments(run.stdout, `kubectl kustomize ${dir}`) as K8sObject[];
};
const byId = (objects: K8sObject[]): Record<string, K8sObject> =>
  Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o]));

(hasKubectl ? describe : describe.skip)(
  `kubectl kustomize (${kubectl.stdout?.split('\n')[1] ?? 'absent'})`,
  () => {
    test.each(['base', 'overlays/dev', 'overlays/prod'])(
      'when deploy/k8s/%s is rendered by both, then the objects are identical',
      (rendering) => {
        const dir = path.join(k8sDir, rendering);
        expect(byId(kustomize(dir))).toEqual(byId(kubectlKustomize(dir)));
      },
    );

    test('when the fixture overlays are rendered by both, then the objects are identical', () => {
      expect(byId(kustomize(richOverlay()))).toEqual(byId(kubectlKustomize(richOverlay())));
      const dir = overlay(
        [
          'namespace: team',
          'images: [{ name: social/web, newTag: dev }]',
          'patches:',
          '  - patch: "apiVersion: v1\\nkind: ConfigMap\\nmetadata: { name: settings }\\ndata: { CHANGE: new, DROP: null }"',
          '  - target: { kind: Deployment, name: web }',
          `    patch: '[{"op": "add", "path": "/spec/template/spec/containers/0/env/1", "value": {"name": "Z", "value": "z"}}]'`,
        ].join('\n'),
      );
      expect(byId(kustomize(dir))).toEqual(byId(kubectlKustomize(dir)));
    });
  },
);
