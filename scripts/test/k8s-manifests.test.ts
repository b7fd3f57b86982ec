import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@social/common/config';
// The deployment contract is checked against each service's config schema: the one place its variables live.
/* eslint-disable no-restricted-imports */
import { gatewayConfigSchema } from '../../api-gateway/src/config';
import { identityConfigSchema } from '../../identity-service/src/config';
import { mediaConfigSchema, resolveMediaConfig, type MediaEnv } from '../../media-service/src/config';
import { postConfigSchema } from '../../post-service/src/config';
import { searchConfigSchema } from '../../search-service/src/config';
/* eslint-enable no-restricted-imports */
import { kustomize, parseYamlDocuments, type K8sObject } from '../k8s/kustomize';
import {
  checkContract,
  NO_DOTENV_DIR,
  secretKeysUsed,
  type ContractOptions,
  type ServiceUnderTest,
} from '../k8s/manifest-checks';

const root = path.resolve(__dirname, '..', '..');
const k8sDir = path.join(root, 'deploy', 'k8s');
const validator = path.join(root, 'scripts', 'k8s', 'validate-schemas.mjs');

const SERVICES: readonly ServiceUnderTest[] = [
  { name: 'api-gateway', schema: gatewayConfigSchema },
  { name: 'identity-service', schema: identityConfigSchema },
  { name: 'post-service', schema: postConfigSchema },
  {
    name: 'media-service',
    schema: mediaConfigSchema,
    resolve: (env) =>
      resolveMediaConfig(loadConfig<MediaEnv>(mediaConfigSchema, { serviceDir: NO_DOTENV_DIR, env })),
  },
  { name: 'search-service', schema: searchConfigSchema },
];
const options = (deployable: boolean): ContractOptions => ({
  services: SERVICES,
  secretName: 'social-secrets',
  ingressControllerNamespace: 'traefik',
  monitoringNamespace: 'monitoring',
  deployable,
});

const RENDERINGS = ['base', 'overlays/dev', 'overlays/prod'] as const;
type Rendering = (typeof RENDERINGS)[number];
const rendered = Object.fromEntries(RENDERINGS.map((r) => [r, kustomize(path.join(k8sDir, r))])) as Record<
  Rendering,
  K8sObject[]
>;
const deployable = (r: Rendering): boolean => r !== 'base';

/** Problems per object, from the Kubernetes schemas (a child process: kubernetes-models is ESM-only). */
function validateSchemas(objects: K8sObject[]): Array<string[] | null> {
  const out = execFileSync(process.execPath, [validator], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  return JSON.parse(out) as Array<string[] | null>;
}

const clone = (objects: K8sObject[]): K8sObject[] => structuredClone(objects);
const get = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} not rendered`);
  return found;
};
// Typed views into rendered objects, for arranging mutations and reading fields.
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  name: string;
  image: string;
  env: EnvVar[];
  ports: Array<{ name: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
}
interface Workload {
  replicas?: number;
  template: {
    spec: {
      containers: Container[];
      terminationGracePeriodSeconds: number;
      volumes: Array<{ name: string; emptyDir?: object; persistentVolumeClaim?: { claimName: string } }>;
    };
  };
}
const workload = (o: K8sObject): Workload => o.spec as Workload;
const firstContainer = (o: K8sObject): Container => workload(o).template.spec.containers[0] as Container;
const data = (o: K8sObject): Record<string, string> => o.data as Record<string, string>;

describe('deploy/k8s renderings', () => {
  let schemaProblems: Record<Rendering, Array<string[] | null>>;
  beforeAll(() => {
    const all = validateSchemas(RENDERINGS.flatMap((r) => rendered[r]));
    let offset = 0;
    schemaProblems = Object.fromEntries(
      RENDERINGS.map((r) => {
        const slice = all.slice(offset, offset + rendered[r].length);
        offset += rendered[r].length;
        return [r, slice];
      }),
    ) as Record<Rendering, Array<string[] | null>>;
  });

  test.each(RENDERINGS)(
    'when %s is rendered, then every object is valid against the Kubernetes 1.36 schemas',
    (r) => {
      const invalid = rendered[r]
        .map((o, i) => ({ object: `${o.kind} ${o.metadata.name}`, problems: schemaProblems[r][i] }))
        .filter((x) => x.problems !== null);
      expect(rendered[r].length).toBeGreaterThan(0);
      expect(invalid).toEqual([]);
    },
  );

  test.each(RENDERINGS)('when %s is rendered, then it keeps the deployment contract', (r) => {
    expect(checkContract(rendered[r], options(deployable(r)))).toEqual([]);
  });

  test('when the base is rendered, then each service has a Deployment, Service, PodDisruptionBudget and autoscaler', () => {
    const names = (kind: string): string[] =>
      rendered.base
        .filter((o) => o.kind === kind)
        .map((o) => o.metadata.name)
        .sort();
    const services = SERVICES.map((s) => s.name).sort();
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']) {
      expect(names(kind)).toEqual(services);
    }
    expect(names('NetworkPolicy')).toContain('default-deny');
    expect(names('Ingress')).toEqual(['api-gateway']);
    expect(rendered.base.filter((o) => o.kind === 'Secret' || o.kind === 'StatefulSet')).toEqual([]);
    expect(new Set(rendered.base.map((o) => o.metadata.namespace))).toEqual(new Set(['social']));
  });

  test('when the dev overlay starts its data stores, then their credentials come from the Secret', () => {
    const credentials = (name: string): EnvVar[] =>
      firstContainer(get(rendered['overlays/dev'], 'StatefulSet', name)).env.filter((e) =>
        /PASS/.test(e.name),
      );
    expect(credentials('mongo')).toEqual([
      {
        name: 'MONGO_INITDB_ROOT_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'social-secrets', key: 'mongo-root-password' } },
      },
    ]);
    expect(credentials('rabbitmq')).toEqual([
      {
        name: 'RABBITMQ_DEFAULT_PASS',
        valueFrom: { secretKeyRef: { name: 'social-secrets', key: 'rabbitmq-password' } },
      },
    ]);
    expect(credentials('redis')).toEqual([
      {
        name: 'REDIS_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'social-secrets', key: 'redis-password' } },
      },
    ]);
  });

  test('when the dev overlay runs two media-service pods, then they share a claim for local files', () => {
    const volumes = workload(get(rendered['overlays/dev'], 'Deployment', 'media-service')).template.spec
      .volumes;
    expect(volumes).toContainEqual({ name: 'media', persistentVolumeClaim: { claimName: 'media' } });
    expect(rendered['overlays/dev'].map((o) => `${o.kind} ${o.metadata.name}`)).toContain(
      'PersistentVolumeClaim media',
    );
    expect(firstContainer(get(rendered['overlays/dev'], 'Deployment', 'api-gateway')).image).toBe(
      'social/api-gateway:dev',
    );
  });

  test('when the prod overlay is rendered, then it runs no data store, stores media in Cloudinary and serves TLS', () => {
    const prod = rendered['overlays/prod'];
    expect(prod.filter((o) => o.kind === 'StatefulSet' || o.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(data(get(prod, 'ConfigMap', 'media-service-config')).MEDIA_STORAGE).toBe('cloudinary');
    expect(firstContainer(get(prod, 'Deployment', 'media-service')).env).toContainEqual({
      name: 'CLOUDINARY_URL',
      valueFrom: { secretKeyRef: { name: 'social-secrets', key: 'cloudinary-url', optional: false } },
    });
    expect(get(prod, 'Ingress', 'api-gateway').spec).toMatchObject({
      tls: [{ hosts: ['social.example.com'], secretName: expect.any(String) }],
    });
  });
});

describe('deploy/k8s/README.md', () => {
  const readme = fs.readFileSync(path.join(k8sDir, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) =>
    (m[1] as string).replace(/\\\n\s*/g, ' '),
  );
  /** The `--from-literal` pairs of the README's `create secret` command for one overlay. */
  const secretCommand = (overlay: string): Map<string, string> => {
    const block = blocks.find(
      (b) => b.includes(`# ${overlay}\n`) && b.includes('create secret generic social-secrets'),
    );
    return new Map(
      [...(block ?? '').matchAll(/--from-literal=([\w.-]+)=("[^"]*"|\S+)/g)].map((m) => [
        m[1] as string,
        (m[2] as string).replace(/^"|"$/g, ''),
      ]),
    );
  };

  test.each(['overlays/dev', 'overlays/prod'] as const)(
    'when the README creates the Secret for %s, then it sets every key the overlay reads',
    (overlay) => {
      const documented = secretCommand(overlay);
      const required = [...secretKeysUsed(rendered[overlay])]
        .filter(([, k]) => !k.optional)
        .map(([key]) => key);
      expect(documented.size).toBeGreaterThan(0);
      expect(required.filter((key) => !documented.has(key))).toEqual([]);
      // Nothing extra either: a key no manifest reads is a sign the two drifted apart.
      const used = new Set(secretKeysUsed(rendered[overlay]).keys());
      expect([...documented.keys()].filter((key) => !used.has(key))).toEqual([]);
    },
  );

  test.each(['overlays/dev', 'overlays/prod'])(
    'when the README creates the Secret for %s, then it prints no secret value',
    (overlay) => {
      const printed = [...secretCommand(overlay)].filter(([, value]) => {
        const password = /^[a-z+]+:\/\/[^:/@]*:([^@]*)@/.exec(value)?.[1];
        // Generated ($(openssl ...)) or taken from a variable; a URL's password likewise.
        return password !== undefined ? !password.startsWith('$') : !value.startsWith('$');
      });
      expect(printed).toEqual([]);
    },
  );

  test('when the README lists ports, resources and autoscaling, then they are the base manifests’ values', () => {
    const table = [
      ...readme.matchAll(
        /^\| ([a-z-]+) \| (\d+) \| (\d+) \| (\S+) \/ (\S+) \| (\S+) \/ (\S+) \| (\d+)–(\d+),/gm,
      ),
    ].map((m) => m.slice(1));
    const manifests = SERVICES.map(({ name }) => {
      const c = firstContainer(get(rendered.base, 'Deployment', name));
      const hpa = get(rendered.base, 'HorizontalPodAutoscaler', name).spec as {
        minReplicas: number;
        maxReplicas: number;
      };
      return [
        name,
        ...c.ports.map((p) => String(p.containerPort)),
        c.resources.requests.cpu,
        c.resources.requests.memory,
        c.resources.limits.cpu,
        c.resources.limits.memory,
        String(hpa.minReplicas),
        String(hpa.maxReplicas),
      ];
    });
    expect(table).toEqual(manifests);
  });

  test('when the README builds the dev images, then it builds and loads every image the dev overlay runs', () => {
    const images = rendered['overlays/dev']
      .filter((o) => o.kind === 'Deployment')
      .map((o) => firstContainer(o).image)
      .sort();
    const loop =
      /for svc in ([a-z -]+); do\n\s*docker build -f \$svc\/Dockerfile -t social\/\$svc:(\w+) \.\n\s*kind load docker-image social\/\$svc:(\w+)/.exec(
        readme,
      );
    expect(loop).not.toBeNull();
    const [, services = '', buildTag, loadTag] = loop as RegExpExecArray;
    expect(
      services
        .trim()
        .split(/\s+/)
        .map((s) => `social/${s}:${buildTag}`)
        .sort(),
    ).toEqual(images);
    expect(loadTag).toBe(buildTag);
    expect(readme).toContain('kubectl apply -k deploy/k8s/overlays/dev');
  });
});

describe('a broken manifest', () => {
  const dev = (): K8sObject[] => clone(rendered['overlays/dev']);
  const container = (objects: K8sObject[], name: string): Container =>
    firstContainer(get(objects, 'Deployment', name));
  const mutations: Array<[string, () => K8sObject[], string]> = [
    [
      'a readiness probe path is wrong',
      () => {
        const objects = dev();
        container(objects, 'post-service').readinessProbe.httpGet.path = '/readyz';
        return objects;
      },
      'Deployment post-service: readiness probe must be GET /ready on port metrics',
    ],
    [
      'a container port is renamed but the probe and Service still use the old name',
      () => {
        const objects = dev();
        (container(objects, 'search-service').ports[1] as { name: string }).name = 'prom';
        return objects;
      },
      'Deployment search-service: no container port named metrics',
    ],
    [
      "a Service's targetPort names no container port",
      () => {
        const objects = dev();
        const ports = (
          get(objects, 'Service', 'identity-service').spec as { ports: Array<{ targetPort: string }> }
        ).ports;
        (ports[0] as { targetPort: string }).targetPort = 'htp';
        return objects;
      },
      'Service identity-service: targetPort htp is not a container port of identity-service',
    ],
    [
      'the liveness probe is gone',
      () => {
        const objects = dev();
        delete container(objects, 'identity-service').livenessProbe;
        return objects;
      },
      'Deployment identity-service identity-service: no liveness probe',
    ],
    [
      'a data store has no memory limit',
      () => {
        const objects = dev();
        delete firstContainer(get(objects, 'StatefulSet', 'mongo')).resources.limits.memory;
        return objects;
      },
      'StatefulSet mongo mongo: no memory limit',
    ],
    [
      'a Secret with a value is added',
      () => [
        ...dev(),
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'social-secrets', namespace: 'social' },
          stringData: { 'jwt-secret': 'x'.repeat(40) },
        },
      ],
      'Secret social-secrets: carries data',
    ],
    [
      'JWT_SECRET is written into the Deployment',
      () => {
        const objects = dev();
        const env = container(objects, 'api-gateway').env.find((e) => e.name === 'JWT_SECRET') as EnvVar;
        delete env.valueFrom;
        env.value = 'k'.repeat(40);
        return objects;
      },
      'Deployment api-gateway api-gateway: JWT_SECRET must come from a secretKeyRef',
    ],
    [
      'a ConfigMap passes a variable no service knows',
      () => {
        const objects = dev();
        data(get(objects, 'ConfigMap', 'media-service-config')).MEDIA_BUCKET = 'uploads';
        return objects;
      },
      "Deployment media-service: variables unknown to media-service's config: MEDIA_BUCKET",
    ],
    [
      'a ConfigMap value the service rejects',
      () => {
        const objects = dev();
        data(get(objects, 'ConfigMap', 'social-config')).LOG_LEVEL = 'verbose';
        return objects;
      },
      'Deployment post-service: post-service would refuse this configuration: LOG_LEVEL must be one of',
    ],
    [
      'PORT no longer matches the http port',
      () => {
        const objects = dev();
        (container(objects, 'identity-service').env[0] as EnvVar).value = '4001';
        return objects;
      },
      'Deployment identity-service: port http is 3001, the service listens on 4001',
    ],
    [
      'an image is not the Dockerfile’s',
      () => {
        const objects = dev();
        container(objects, 'post-service').image = 'social/posts:dev';
        return objects;
      },
      'Deployment post-service: image social/posts:dev is not social/post-service',
    ],
    [
      'an autoscaler allows a single replica',
      () => {
        const objects = dev();
        (
          get(objects, 'HorizontalPodAutoscaler', 'search-service').spec as { minReplicas: number }
        ).minReplicas = 1;
        return objects;
      },
      'HorizontalPodAutoscaler search-service: minReplicas < 2',
    ],
    [
      'the grace period is shorter than the drain',
      () => {
        const objects = dev();
        workload(get(objects, 'Deployment', 'post-service')).template.spec.terminationGracePeriodSeconds = 5;
        return objects;
      },
      'Deployment post-service: terminationGracePeriodSeconds 5 < preStop + 10 s drain',
    ],
    [
      'the services accept http from anyone',
      () => {
        const objects = dev();
        (get(objects, 'NetworkPolicy', 'services-ingress').spec as { ingress: unknown[] }).ingress.unshift({
          ports: [{ port: 'http' }],
        });
        return objects;
      },
      'NetworkPolicy: ingress controller -> post-service http should be denied',
    ],
    [
      'media files go back to a per-pod emptyDir',
      () => {
        const objects = dev();
        workload(get(objects, 'Deployment', 'media-service')).template.spec.volumes[1] = {
          name: 'media',
          emptyDir: {},
        };
        return objects;
      },
      'Deployment media-service: local media storage at /data/media is not a shared volume',
    ],
    [
      'MEDIA_PUBLIC_URL points somewhere other than the Ingress',
      () => {
        const objects = dev();
        data(get(objects, 'ConfigMap', 'media-service-config')).MEDIA_PUBLIC_URL =
          'http://localhost:3000/v1/media/files';
        return objects;
      },
      'media-service: MEDIA_PUBLIC_URL http://localhost:3000/v1/media/files is not on the Ingress host',
    ],
    [
      'an API version Kubernetes 1.36 no longer serves',
      () => {
        const objects = dev();
        get(objects, 'PodDisruptionBudget', 'api-gateway').apiVersion = 'policy/v1beta1';
        return objects;
      },
      'PodDisruptionBudget api-gateway: apiVersion policy/v1beta1 is not policy/v1',
    ],
  ];

  test.each(mutations)('when %s, then the contract check says so', (_, mutate, problem) => {
    // Act
    const problems = checkContract(mutate(), options(true));
    // Assert
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(problem)]));
  });

  test('when prod makes Cloudinary optional again, then media-service would refuse to start', () => {
    const objects = clone(rendered['overlays/prod']);
    const env = container(objects, 'media-service').env.find((e) => e.name === 'CLOUDINARY_URL') as EnvVar;
    (env.valueFrom?.secretKeyRef as { optional: boolean }).optional = true;
    expect(checkContract(objects, options(true))).toEqual([
      expect.stringContaining('MEDIA_STORAGE=cloudinary needs CLOUDINARY_URL'),
    ]);
  });

  test('when an object breaks the Kubernetes schema, then the validator names the field', () => {
    const objects = clone(rendered['overlays/dev']);
    const ports = container(objects, 'api-gateway').ports as unknown[];
    ports[0] = { name: 'http', containerPort: 'http' };
    container(objects, 'post-service').resources.limits.cpu = 'one core';
    const problems = validateSchemas([
      get(objects, 'Deployment', 'api-gateway'),
      get(objects, 'Deployment', 'post-service'),
    ]);
    expect(problems).toEqual([
      expect.arrayContaining(['/spec/template/spec/containers/0/ports/0/containerPort must be integer']),
      expect.arrayContaining([
        '/spec/template/spec/containers/0/resources/limits/cpu must match format "quantity"',
      ]),
    ]);
  });

  test('when an overlay patch breaks a probe port, then rendering it from disk fails the contract', () => {
    // Arrange: an overlay on top of dev, as a user would write it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-overlay-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'kustomization.yaml'),
        [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'resources:',
          `  - ${path.relative(dir, path.join(k8sDir, 'overlays', 'dev'))}`,
          'patches:',
          '  - target: { kind: Deployment, name: api-gateway }',
          '    patch: |',
          '      - op: replace',
          '        path: /spec/template/spec/containers/0/livenessProbe/httpGet/port',
          '        value: health',
        ].join('\n'),
      );
      // Act
      const problems = checkContract(kustomize(dir), options(true));
      // Assert
      expect(problems).toEqual(['Deployment api-gateway: liveness probe must be GET /health on port http']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('published secrets in deploy/k8s', () => {
  test('when any manifest is read, then it holds no credential in a URL and no Secret data', () => {
    const files = fs
      .readdirSync(k8sDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(k8sDir, f));
    const docs = files.flatMap((f) =>
      parseYamlDocuments(fs.readFileSync(f, 'utf8'), f).map((doc) => [f, doc]),
    );
    const withCredentials = docs.filter(([, doc]) =>
      /[a-z+]+:\/\/[^/\s:@"]*:[^@\s"]+@/.test(JSON.stringify(doc)),
    );
    expect(files.length).toBeGreaterThan(10);
    expect(withCredentials).toEqual([]);
  });
});
