import path from 'node:path';
import type Joi from 'joi';
import { ConfigError, loadConfig } from '@social/common/config';
import type { K8sObject } from './kustomize';
import { UPSTREAM_VARIABLES } from '../stack/services';
import { allows, type Endpoint, type PodEndpoint } from './network-policy';

/** Whom each service calls over HTTP (the stack's own wiring): the gateway its upstreams, others media-service. */
const calls = (caller: string): string[] =>
  Object.values(UPSTREAM_VARIABLES[caller as keyof typeof UPSTREAM_VARIABLES] ?? {});

/**
 * The deployment contract of deploy/k8s, as checks over rendered objects. Each check returns the problems it
 * found (empty when the manifests keep the contract), so a test can assert both the real rendering and a broken
 * copy of it.
 */

export interface ServiceUnderTest {
  name: string;
  /** The service's joi config schema (src/config.ts): the variables it knows and their defaults. */
  schema: Joi.ObjectSchema;
  /** What the service also derives at start from the same variables (media's storage driver); throws when bad. */
  resolve?: (env: Record<string, string>) => { storage?: string };
}

export interface ContractOptions {
  services: readonly ServiceUnderTest[];
  /** The one Secret the user creates; every secret reference names it. */
  secretName: string;
  ingressControllerNamespace: string;
  monitoringNamespace: string;
  /** An overlay is deployable: image tags, hosts and shared media storage are checked too. */
  deployable: boolean;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: unknown;
    resourceFieldRef?: unknown;
  };
}
interface Probe {
  httpGet?: { path?: string; port?: string | number };
  tcpSocket?: { port?: string | number };
  exec?: { command?: string[] };
  grpc?: unknown;
}
interface Container {
  name: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string }; prefix?: string }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] }; sleep?: { seconds?: number } } };
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    containers: Container[];
    initContainers?: Container[];
    automountServiceAccountToken?: boolean;
    enableServiceLinks?: boolean;
    terminationGracePeriodSeconds?: number;
    securityContext?: { runAsNonRoot?: boolean };
    volumes?: Array<{ name: string; emptyDir?: unknown; persistentVolumeClaim?: { claimName: string } }>;
  };
}
interface WorkloadSpec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  template: PodTemplate;
}
interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: Array<{ name?: string; port: number; targetPort?: string | number }>;
}
interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: unknown;
  tls?: Array<{ hosts?: string[]; secretName?: string }>;
  rules?: Array<{
    host?: string;
    http?: {
      paths: Array<{ backend: { service?: { name: string; port: { name?: string; number?: number } } } }>;
    };
  }>;
}

/** The API versions Kubernetes 1.36 serves (GA) for the kinds used; the schema package also knows removed ones. */
export const SERVED_API_VERSIONS: Readonly<Record<string, string>> = {
  ConfigMap: 'v1',
  Secret: 'v1',
  Service: 'v1',
  PersistentVolumeClaim: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  PodDisruptionBudget: 'policy/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  NetworkPolicy: 'networking.k8s.io/v1',
  Ingress: 'networking.k8s.io/v1',
};

/** Variables holding credentials: only ever from a Secret. `*_FILE` variables hold paths and are exempt. */
const SECRET_VARIABLE =
  /^(JWT_SECRET|RABBITMQ_URL|MONGO_URI|REDIS_URL|CLOUDINARY_URL|API_KEY|API_SECRET)$|PASSWORD|_PASS$|SECRET/;
const isSecretVariable = (name: string): boolean => !name.endsWith('_FILE') && SECRET_VARIABLE.test(name);
const URL_WITH_CREDENTIALS = /[a-z+]+:\/\/[^/\s:@]*:[^@\s]+@/i;

const WORKLOADS = new Set(['Deployment', 'StatefulSet']);
const id = (o: K8sObject): string => `${o.kind} ${o.metadata.name}`;
const find = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const workloadSpec = (o: K8sObject): WorkloadSpec => o.spec as WorkloadSpec;
const allContainers = (t: PodTemplate): Container[] => [
  ...t.spec.containers,
  ...(t.spec.initContainers ?? []),
];
const isSubset = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean =>
  Object.keys(a ?? {}).length > 0 && Object.entries(a ?? {}).every(([k, v]) => b?.[k] === v);

export function checkApiVersions(objects: K8sObject[]): string[] {
  return objects
    .filter((o) => SERVED_API_VERSIONS[o.kind] !== o.apiVersion)
    .map(
      (o) => `${id(o)}: apiVersion ${o.apiVersion} is not ${SERVED_API_VERSIONS[o.kind] ?? 'a served kind'}`,
    );
}

/** No value of a secret anywhere: Secrets carry no data, and credentials come by secretKeyRef only. */
export function checkNoSecretValues(objects: K8sObject[], secretName: string): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    if (o.kind === 'Secret' && (o.data !== undefined || o.stringData !== undefined)) {
      problems.push(`${id(o)}: carries data; secret values never belong in a manifest`);
    }
    if (o.kind === 'ConfigMap') {
      for (const [key, value] of Object.entries((o.data as Record<string, string> | undefined) ?? {})) {
        if (isSecretVariable(key)) problems.push(`${id(o)}: ${key} is secret, it belongs in the Secret`);
        if (URL_WITH_CREDENTIALS.test(value)) problems.push(`${id(o)}: ${key} holds a URL with credentials`);
      }
    }
    if (!WORKLOADS.has(o.kind)) continue;
    for (const c of allContainers(workloadSpec(o).template)) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (isSecretVariable(e.name) && !ref) {
          problems.push(
            `${id(o)} ${c.name}: ${e.name} must come from a secretKeyRef, not a literal or ConfigMap`,
          );
        }
        if (e.value !== undefined && URL_WITH_CREDENTIALS.test(e.value)) {
          problems.push(`${id(o)} ${c.name}: ${e.name} is a URL with credentials`);
        }
        if (ref && ref.name !== secretName) {
          problems.push(`${id(o)} ${c.name}: ${e.name} refers to Secret ${ref.name}, not ${secretName}`);
        }
      }
      for (const from of c.envFrom ?? []) {
        if (from.secretRef) problems.push(`${id(o)} ${c.name}: envFrom a whole Secret; map each key instead`);
      }
    }
  }
  return problems;
}

const QUANTITY = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};
function quantity(value: string | number | undefined): number | undefined {
  const m = value === undefined ? null : QUANTITY.exec(String(value));
  return m ? Number(m[1]) * (FACTORS[m[2] ?? ''] as number) : undefined;
}

/** Every container of every workload: CPU and memory requests and limits, requests within limits, probes. */
export function checkResourcesAndProbes(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects.filter((x) => WORKLOADS.has(x.kind))) {
    for (const c of workloadSpec(o).template.spec.containers) {
      for (const resource of ['cpu', 'memory']) {
        const request = quantity(c.resources?.requests?.[resource]);
        const limit = quantity(c.resources?.limits?.[resource]);
        if (request === undefined) problems.push(`${id(o)} ${c.name}: no ${resource} request`);
        if (limit === undefined) problems.push(`${id(o)} ${c.name}: no ${resource} limit`);
        if (request !== undefined && limit !== undefined && request > limit) {
          problems.push(`${id(o)} ${c.name}: ${resource} request above its limit`);
        }
      }
      if (!c.livenessProbe) problems.push(`${id(o)} ${c.name}: no liveness probe`);
      if (!c.readinessProbe) problems.push(`${id(o)} ${c.name}: no readiness probe`);
    }
  }
  return problems;
}

/** Every pod: no API token, no service links, non-root, no privilege escalation, no capabilities. */
export function checkPodSecurity(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects.filter((x) => WORKLOADS.has(x.kind))) {
    const pod = workloadSpec(o).template.spec;
    if (pod.automountServiceAccountToken !== false) problems.push(`${id(o)}: mounts a service account token`);
    if (pod.enableServiceLinks !== false) problems.push(`${id(o)}: service links inject unknown variables`);
    for (const c of allContainers(workloadSpec(o).template)) {
      const sc = c.securityContext ?? {};
      if (!(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot))
        problems.push(`${id(o)} ${c.name}: may run as root`);
      if (sc.allowPrivilegeEscalation !== false)
        problems.push(`${id(o)} ${c.name}: allows privilege escalation`);
      if (!sc.capabilities?.drop?.includes('ALL')) problems.push(`${id(o)} ${c.name}: keeps capabilities`);
      if (sc.capabilities?.add?.length) problems.push(`${id(o)} ${c.name}: adds capabilities`);
    }
  }
  return problems;
}

/** The keys of the user's Secret that the manifests read, and whether a missing one stops a pod. */
export function secretKeysUsed(objects: K8sObject[]): Map<string, { optional: boolean }> {
  const keys = new Map<string, { optional: boolean }>();
  for (const o of objects.filter((x) => WORKLOADS.has(x.kind))) {
    for (const c of allContainers(workloadSpec(o).template)) {
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) continue;
        const optional = (keys.get(ref.key)?.optional ?? true) && ref.optional === true;
        keys.set(ref.key, { optional });
      }
    }
  }
  return keys;
}

// Plausible secret values for checking the configuration the services would load: never a published value.
const DUMMY_SECRETS: Record<string, string> = {
  JWT_SECRET: 'k8s-manifests-test-jwt-secret-0123456789abcdef',
  RABBITMQ_URL: 'amqp://social:k8s-manifests-test@rabbitmq:5672',
  MONGO_URI: 'mongodb://social:k8s-manifests-test@mongo:27017/db?authSource=admin',
  REDIS_URL: 'redis://:k8s-manifests-test@redis:6379',
  CLOUDINARY_URL: 'cloudinary://123456789012345:k8s-manifests-test@demo',
};

/** The variables a container gets, as the kubelet would set them (secrets replaced by plausible values). */
function containerEnvironment(
  objects: K8sObject[],
  where: string,
  c: Container,
): { env: Record<string, string>; problems: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  const configMap = (name: string): Record<string, string> | undefined =>
    find(objects, 'ConfigMap', name)?.data as Record<string, string> | undefined;
  for (const from of c.envFrom ?? []) {
    if (!from.configMapRef) continue;
    const data = configMap(from.configMapRef.name);
    if (!data) problems.push(`${where}: envFrom ConfigMap ${from.configMapRef.name} does not exist`);
    for (const [key, value] of Object.entries(data ?? {})) env[`${from.prefix ?? ''}${key}`] = value;
  }
  for (const e of c.env ?? []) {
    const cmRef = e.valueFrom?.configMapKeyRef;
    const secretRef = e.valueFrom?.secretKeyRef;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (cmRef) {
      const value = configMap(cmRef.name)?.[cmRef.key];
      if (value === undefined && !cmRef.optional)
        problems.push(`${where}: ${e.name} refers to a missing key`);
      if (value !== undefined) env[e.name] = value;
    } else if (secretRef && !secretRef.optional) {
      env[e.name] = DUMMY_SECRETS[e.name] ?? 'k8s-manifests-test-value';
    } else if (!secretRef) problems.push(`${where}: ${e.name} comes from an unsupported source`);
  }
  return { env, problems };
}

/** loadConfig also reads `.env` files beside the service: point it where there are none. */
export const NO_DOTENV_DIR = path.join(__dirname, 'no-such-service-dir');

// joi's describe() walks the whole schema; the checks ask it for keys and defaults many times.
const descriptions = new WeakMap<Joi.ObjectSchema, Record<string, { flags?: { default?: unknown } }>>();
function describedKeys(schema: Joi.ObjectSchema): Record<string, { flags?: { default?: unknown } }> {
  let keys = descriptions.get(schema);
  if (!keys) {
    keys = (schema.describe().keys ?? {}) as Record<string, { flags?: { default?: unknown } }>;
    descriptions.set(schema, keys);
  }
  return keys;
}
const schemaKeys = (schema: Joi.ObjectSchema): string[] => Object.keys(describedKeys(schema));
// What the node binary reads before any service code runs (its flags): never part of a service's config.
const NODE_RUNTIME_VARIABLES = ['NODE_OPTIONS'];
const schemaDefault = (schema: Joi.ObjectSchema, key: string): unknown =>
  describedKeys(schema)[key]?.flags?.default;

function preStopSeconds(c: Container): number {
  const preStop = c.lifecycle?.preStop;
  const command = preStop?.exec?.command ?? [];
  if (command[0] === 'sleep' && command.length === 2) return Number(command[1]);
  return preStop?.sleep?.seconds ?? 0;
}

/**
 * One service's Deployment, Service, PodDisruptionBudget and HorizontalPodAutoscaler against its code: ports and
 * probes where the service serves them, only variables its config schema knows, and a configuration the service
 * accepts at start in production.
 */
export function checkService(
  objects: K8sObject[],
  service: ServiceUnderTest,
  options: ContractOptions,
): string[] {
  const problems: string[] = [];
  const { name, schema } = service;
  const deployment = find(objects, 'Deployment', name);
  if (!deployment) return [`Deployment ${name}: missing`];
  const where = id(deployment);
  const spec = workloadSpec(deployment);
  const template = spec.template;
  const container = template.spec.containers.find((c) => c.name === name);
  if (!container) return [`${where}: no container named ${name}`];
  const podLabels = template.metadata?.labels ?? {};

  // Image: the Dockerfile's, social/<service>, with an explicit tag once deployable.
  const image = /^(?:(.+)\/)?social\/([a-z-]+)(?::([\w.-]+))?$/.exec(container.image ?? '');
  if (!image || image[2] !== name) problems.push(`${where}: image ${container.image} is not social/${name}`);
  else if (options.deployable && (!image[3] || image[3] === 'latest')) {
    problems.push(`${where}: image ${container.image} needs a tag other than latest`);
  }

  // Variables: every one known to the service (or read by Node itself), and a configuration it accepts.
  const { env, problems: envProblems } = containerEnvironment(objects, where, container);
  problems.push(...envProblems);
  const known = new Set([...schemaKeys(schema), ...NODE_RUNTIME_VARIABLES]);
  const unknown = Object.keys(env).filter((key) => !known.has(key.replace(/_FILE$/, '')));
  if (unknown.length > 0)
    problems.push(`${where}: variables unknown to ${name}'s config: ${unknown.join(', ')}`);
  let config: Record<string, unknown> | undefined;
  let storage: string | undefined;
  try {
    config = loadConfig<Record<string, unknown>>(schema, { serviceDir: NO_DOTENV_DIR, env });
    storage = service.resolve?.(env).storage;
  } catch (err) {
    const detail = err instanceof ConfigError ? err.problems.join('; ') : String(err);
    problems.push(`${where}: ${name} would refuse this configuration: ${detail}`);
  }

  // Ports: `http` is the service's default PORT, `metrics` its METRICS_PORT (default PORT + 6000).
  const ports = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]));
  const defaultPort = schemaDefault(schema, 'PORT');
  const port = Number(config?.PORT ?? defaultPort);
  const metricsPort = Number(config?.METRICS_PORT ?? port + 6000);
  if (ports.get('http') === undefined) problems.push(`${where}: no container port named http`);
  else if (ports.get('http') !== defaultPort || ports.get('http') !== port) {
    problems.push(
      `${where}: port http is ${ports.get('http')}, the service listens on ${port} (default ${defaultPort})`,
    );
  }
  if (ports.get('metrics') === undefined) problems.push(`${where}: no container port named metrics`);
  else if (ports.get('metrics') !== metricsPort) {
    problems.push(
      `${where}: port metrics is ${ports.get('metrics')}, the service serves it on ${metricsPort}`,
    );
  }

  // Probes: liveness /health on http, readiness /ready on metrics, startup (if any) /health on http.
  const expectProbe = (
    kind: string,
    probe: Probe | undefined,
    wanted: { path: string; port: string },
  ): void => {
    const got = probe?.httpGet;
    if (got?.path !== wanted.path || got.port !== wanted.port) {
      problems.push(`${where}: ${kind} probe must be GET ${wanted.path} on port ${wanted.port}`);
    }
  };
  expectProbe('liveness', container.livenessProbe, { path: '/health', port: 'http' });
  expectProbe('readiness', container.readinessProbe, { path: '/ready', port: 'metrics' });
  if (container.startupProbe)
    expectProbe('startup', container.startupProbe, { path: '/health', port: 'http' });

  // Prometheus scrapes the metrics port.
  const annotations = template.metadata?.annotations ?? {};
  if (
    annotations['prometheus.io/scrape'] !== 'true' ||
    annotations['prometheus.io/port'] !== String(metricsPort) ||
    annotations['prometheus.io/path'] !== '/metrics'
  ) {
    problems.push(`${where}: prometheus.io annotations must scrape /metrics on ${metricsPort}`);
  }

  // Read-only root file system; only /tmp (and media's folder) writable.
  const sc = container.securityContext ?? {};
  if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: root file system is writable`);
  const volumes = new Map((template.spec.volumes ?? []).map((v) => [v.name, v]));
  const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
  if (!tmp || !volumes.get(tmp.name)?.emptyDir) problems.push(`${where}: /tmp is not an emptyDir`);

  // Graceful shutdown fits in the grace period.
  const shutdownSeconds =
    Number(config?.SHUTDOWN_TIMEOUT_MS ?? schemaDefault(schema, 'SHUTDOWN_TIMEOUT_MS')) / 1000;
  const grace = template.spec.terminationGracePeriodSeconds ?? 30;
  if (grace < preStopSeconds(container) + shutdownSeconds + 1) {
    problems.push(`${where}: terminationGracePeriodSeconds ${grace} < preStop + ${shutdownSeconds} s drain`);
  }

  // The Deployment selects its own pods.
  if (!isSubset(spec.selector?.matchLabels, podLabels))
    problems.push(`${where}: selector does not match its pods`);

  // Service: selects the pods, targets ports by name, and those names exist.
  const svc = find(objects, 'Service', name);
  const svcSpec = svc?.spec as ServiceSpec | undefined;
  if (!svcSpec) problems.push(`Service ${name}: missing`);
  else {
    if (!isSubset(svcSpec.selector, podLabels))
      problems.push(`Service ${name}: selector does not match the pods`);
    for (const p of svcSpec.ports ?? []) {
      if (typeof p.targetPort !== 'string')
        problems.push(`Service ${name}: port ${p.port} targets no port name`);
      else if (!ports.has(p.targetPort)) {
        problems.push(`Service ${name}: targetPort ${p.targetPort} is not a container port of ${name}`);
      }
    }
    if (!(svcSpec.ports ?? []).some((p) => p.targetPort === 'http')) {
      problems.push(`Service ${name}: no port targets http`);
    }
  }

  // At least two replicas, kept by a HorizontalPodAutoscaler and a PodDisruptionBudget.
  const hpa = objects.find(
    (o) =>
      o.kind === 'HorizontalPodAutoscaler' &&
      (o.spec as { scaleTargetRef?: { kind?: string; name?: string } }).scaleTargetRef?.kind ===
        'Deployment' &&
      (o.spec as { scaleTargetRef?: { name?: string } }).scaleTargetRef?.name === name,
  );
  const hpaSpec = hpa?.spec as
    { minReplicas?: number; maxReplicas?: number; metrics?: unknown[] } | undefined;
  if (!hpaSpec) problems.push(`${where}: no HorizontalPodAutoscaler`);
  else {
    if ((hpaSpec.minReplicas ?? 1) < 2)
      problems.push(`HorizontalPodAutoscaler ${hpa?.metadata.name}: minReplicas < 2`);
    if ((hpaSpec.maxReplicas ?? 0) < (hpaSpec.minReplicas ?? 1)) {
      problems.push(`HorizontalPodAutoscaler ${hpa?.metadata.name}: maxReplicas < minReplicas`);
    }
    if (!hpaSpec.metrics?.length) problems.push(`HorizontalPodAutoscaler ${hpa?.metadata.name}: no metrics`);
  }
  if (spec.replicas !== undefined && spec.replicas < 2) problems.push(`${where}: replicas < 2`);
  const pdb = objects.find(
    (o) =>
      o.kind === 'PodDisruptionBudget' &&
      isSubset(
        (o.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels,
        podLabels,
      ),
  );
  const pdbSpec = pdb?.spec as { minAvailable?: unknown; maxUnavailable?: unknown } | undefined;
  if (!pdbSpec) problems.push(`${where}: no PodDisruptionBudget selects its pods`);
  else if (pdbSpec.minAvailable === undefined && pdbSpec.maxUnavailable === undefined) {
    problems.push(`PodDisruptionBudget ${pdb?.metadata.name}: neither minAvailable nor maxUnavailable`);
  }

  // Several replicas need one shared media store: Cloudinary, or local storage on a claim (not an emptyDir).
  if (options.deployable && config && config.MEDIA_DIR !== undefined) {
    const mount = container.volumeMounts?.find((m) => m.mountPath === config?.MEDIA_DIR);
    if (storage === 'local' && !(mount && volumes.get(mount.name)?.persistentVolumeClaim)) {
      problems.push(`${where}: local media storage at ${String(config.MEDIA_DIR)} is not a shared volume`);
    }
  }
  return problems;
}

/** The gateway reaches each service at its Service name and port. */
/**
 * Every service finds the ones it calls by their in-cluster Service (`<X>_SERVICE_URL`): the defaults point at
 * localhost, which in a pod is nobody.
 */
export function checkUpstreams(objects: K8sObject[], services: readonly ServiceUnderTest[]): string[] {
  return services.flatMap((service) => {
    const variables = Object.entries(
      UPSTREAM_VARIABLES[service.name as keyof typeof UPSTREAM_VARIABLES] ?? {},
    );
    if (variables.length === 0) return [];
    const deployment = find(objects, 'Deployment', service.name);
    const container = deployment && workloadSpec(deployment).template.spec.containers[0];
    if (!container) return [`Deployment ${service.name}: missing`];
    const { env } = containerEnvironment(objects, service.name, container);
    return variables.flatMap(([variable, upstream]) => {
      const svcPort = (find(objects, 'Service', upstream)?.spec as ServiceSpec | undefined)?.ports?.find(
        (p) => p.targetPort === 'http',
      )?.port;
      const wanted = `http://${upstream}:${svcPort}`;
      return env[variable] === wanted
        ? []
        : [`${service.name}: ${variable} is ${env[variable]}, not ${wanted}`];
    });
  });
}

/** One Ingress, to the gateway's http port; in a deployable overlay, media URLs point at its host. */
export function checkIngress(objects: K8sObject[], options: ContractOptions): string[] {
  const ingresses = objects.filter((o) => o.kind === 'Ingress');
  if (ingresses.length !== 1) return [`expected one Ingress, found ${ingresses.length}`];
  const ingress = ingresses[0] as K8sObject;
  const spec = ingress.spec as IngressSpec;
  const problems: string[] = [];
  if (spec.defaultBackend) problems.push(`${id(ingress)}: a default backend exposes more than the gateway`);
  if (!spec.ingressClassName) problems.push(`${id(ingress)}: no ingressClassName`);
  const gatewayPorts =
    (find(objects, 'Service', 'api-gateway')?.spec as ServiceSpec | undefined)?.ports ?? [];
  const hosts = (spec.rules ?? []).map((r) => r.host);
  for (const backend of (spec.rules ?? [])
    .flatMap((r) => r.http?.paths ?? [])
    .map((p) => p.backend.service)) {
    const port = gatewayPorts.find((p) =>
      backend?.port.name !== undefined ? p.name === backend.port.name : p.port === backend?.port.number,
    );
    if (backend?.name !== 'api-gateway' || port?.targetPort !== 'http') {
      problems.push(
        `${id(ingress)}: routes to ${backend?.name}:${backend?.port.name ?? backend?.port.number}, not the gateway's http port`,
      );
    }
  }
  if (!options.deployable) return problems;
  const media = find(objects, 'Deployment', 'media-service');
  const mediaContainer = media && workloadSpec(media).template.spec.containers[0];
  const publicUrl =
    mediaContainer && containerEnvironment(objects, 'media', mediaContainer).env.MEDIA_PUBLIC_URL;
  const url = publicUrl ? new URL(publicUrl) : undefined;
  if (!url || hosts.length !== 1 || url.hostname !== hosts[0]) {
    problems.push(
      `media-service: MEDIA_PUBLIC_URL ${publicUrl} is not on the Ingress host ${hosts.join(', ')}`,
    );
  } else if (spec.tls?.some((t) => t.hosts?.includes(url.hostname)) && url.protocol !== 'https:') {
    problems.push(`media-service: MEDIA_PUBLIC_URL must be https, the Ingress serves TLS`);
  }
  return problems;
}

/** Who may talk to whom, as the NetworkPolicy objects decide. */
export function checkNetworkPolicies(objects: K8sObject[], options: ContractOptions): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  if (policies.length === 0) return ['no NetworkPolicy'];
  const pods = new Map<string, PodEndpoint & { env: Record<string, string> }>();
  for (const o of objects.filter((x) => WORKLOADS.has(x.kind))) {
    const t = workloadSpec(o).template;
    pods.set(o.metadata.name, {
      namespace: o.metadata.namespace ?? 'default',
      labels: t.metadata?.labels ?? {},
      ports: t.spec.containers.flatMap((c) => c.ports ?? []),
      env: Object.fromEntries(t.spec.containers.flatMap((c) => (c.env ?? []).map((e) => [e.name, 'set']))),
    });
  }
  const namespace = pods.get('api-gateway')?.namespace ?? 'default';
  const outside = (ns: string): PodEndpoint => ({ namespace: ns, labels: {}, ports: [] });
  const controller = outside(options.ingressControllerNamespace);
  const monitoring = outside(options.monitoringNamespace);
  const stranger = outside('some-other-namespace');
  const sameNamespacePod: PodEndpoint = { namespace, labels: { app: 'debug' }, ports: [] };
  const external: Endpoint = { external: true };
  const problems: string[] = [];
  const expect = (
    allowed: boolean,
    what: string,
    from: Endpoint,
    to: Endpoint,
    port: string | number,
    protocol?: 'UDP',
  ): void => {
    if (allows(policies, { from, to, port, protocol }) !== allowed) {
      problems.push(`NetworkPolicy: ${what} should be ${allowed ? 'allowed' : 'denied'}`);
    }
  };

  const gateway = pods.get('api-gateway');
  const services = options.services.map((s) => s.name).filter((n) => n !== 'api-gateway');
  if (!gateway) return ['NetworkPolicy: no api-gateway pods to check'];
  expect(true, 'ingress controller -> gateway http', controller, gateway, 'http');
  expect(false, 'another namespace -> gateway http', stranger, gateway, 'http');
  expect(false, 'a pod of this namespace -> gateway http', sameNamespacePod, gateway, 'http');
  expect(false, 'ingress controller -> gateway metrics', controller, gateway, 'metrics');
  for (const name of [...services, 'api-gateway']) {
    const pod = pods.get(name);
    if (!pod) continue;
    expect(true, `monitoring -> ${name} metrics`, monitoring, pod, 'metrics');
    expect(true, `${name} -> DNS`, pod, external, 53, 'UDP');
    if (name === 'api-gateway') continue;
    expect(true, `gateway -> ${name} http`, gateway, pod, 'http');
    expect(false, `ingress controller -> ${name} http`, controller, pod, 'http');
    expect(false, `another namespace -> ${name} http`, stranger, pod, 'http');
    // A service takes calls from the gateway and from the services that call it, no one else.
    for (const other of services.filter((s) => s !== name)) {
      const otherPod = pods.get(other);
      if (otherPod) expect(calls(other).includes(name), `${other} -> ${name} http`, otherPod, pod, 'http');
    }
  }
  // Data stores: a service reaches the ones it has a URL for, wherever they run; in-cluster stores take no one else.
  const stores = [
    { variable: 'MONGO_URI', pod: 'mongo', port: 27017 },
    { variable: 'REDIS_URL', pod: 'redis', port: 6379 },
    { variable: 'RABBITMQ_URL', pod: 'rabbitmq', port: 5672 },
  ];
  for (const store of stores) {
    const storePod = pods.get(store.pod);
    for (const name of options.services.map((s) => s.name)) {
      const pod = pods.get(name);
      if (!pod) continue;
      const client = pod.env[store.variable] !== undefined;
      if (client) expect(true, `${name} -> ${store.variable} outside the cluster`, pod, external, store.port);
      if (storePod) expect(client, `${name} -> ${store.pod}`, pod, storePod, store.port);
    }
    if (storePod) expect(false, `another namespace -> ${store.pod}`, stranger, storePod, store.port);
  }
  return problems;
}

/** Every check, for one rendering. */
export function checkContract(objects: K8sObject[], options: ContractOptions): string[] {
  return [
    ...checkApiVersions(objects),
    ...checkNoSecretValues(objects, options.secretName),
    ...checkResourcesAndProbes(objects),
    ...checkPodSecurity(objects),
    ...options.services.flatMap((s) => checkService(objects, s, options)),
    ...checkUpstreams(objects, options.services),
    ...checkIngress(objects, options),
    ...checkNetworkPolicies(objects, options),
  ];
}
