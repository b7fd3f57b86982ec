import fs from 'node:fs';
import path from 'node:path';
import type Joi from 'joi';
import { parse } from 'yaml';
import { loadConfig, PUBLISHED_SECRETS } from '@social/common/config';
// The repo-level check reads each service's config schema: the one place its variables are defined.
/* eslint-disable no-restricted-imports */
import { gatewayConfigSchema } from '../../api-gateway/src/config';
import { identityConfigSchema } from '../../identity-service/src/config';
import { mediaConfigSchema } from '../../media-service/src/config';
import { postConfigSchema } from '../../post-service/src/config';
import { searchConfigSchema } from '../../search-service/src/config';
/* eslint-enable no-restricted-imports */
import { SERVICES } from '../stack/services';

interface ComposeService {
  image?: string;
  hostname?: string;
  build?: { context: string; dockerfile: string };
  ports?: string[];
  profiles?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  volumes?: string[];
}

const root = path.resolve(__dirname, '..', '..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const schemas: Record<string, Joi.ObjectSchema> = {
  'api-gateway': gatewayConfigSchema,
  'identity-service': identityConfigSchema,
  'post-service': postConfigSchema,
  'media-service': mediaConfigSchema,
  'search-service': searchConfigSchema,
};
const schemaKeys = (schema: Joi.ObjectSchema): string[] => Object.keys(schema.describe().keys ?? {});
const nodeMajor = fs.readFileSync(path.join(root, '.nvmrc'), 'utf8').trim();

describe('docker-compose.yml', () => {
  test('when parsed, then it has the infrastructure and all five services', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['mongo', 'redis', 'rabbitmq', ...SERVICES.map((s) => s.name)]),
    );
    expect(compose.services.mongo?.image).toBe('mongo:7');
    expect(compose.services.redis?.image).toBe('redis:7-alpine');
    expect(compose.services.rabbitmq?.image).toBe('rabbitmq:3-management-alpine');
  });

  test('when the default profile runs, then only the gateway publishes a port, on 3000', () => {
    const published = Object.entries(compose.services)
      .filter(([, s]) => !s.profiles && s.ports)
      .map(([name, s]) => [name, s.ports]);
    // Its internal port (/metrics, /ready) only on the host's loopback, never on a public interface.
    expect(published).toEqual([
      ['api-gateway', ['${GATEWAY_PORT:-3000}:3000', '127.0.0.1:${GATEWAY_METRICS_PORT:-9000}:9000']],
    ]);
  });

  test.each(['mongo', 'redis', 'rabbitmq'])(
    'when %s starts, then a healthcheck gates its dependants',
    (name) => {
      expect(compose.services[name]?.healthcheck?.test.length).toBeGreaterThan(0);
    },
  );

  test.each(SERVICES.map((s) => [s.name, s] as const))(
    'when %s is defined, then it is built, restarted and wired right',
    (name, spec) => {
      const service = compose.services[name] as ComposeService;
      expect(service.build).toEqual({ context: '.', dockerfile: `${name}/Dockerfile` });
      expect(service.restart).toBe('unless-stopped');
      const { secrets, ...others } = service.depends_on ?? {};
      expect(secrets).toEqual({ condition: 'service_completed_successfully' });
      expect(Object.values(others).every((d) => d.condition === 'service_healthy')).toBe(true);
      expect(service.environment?.PORT).toBe(spec.port);
      if (spec.database)
        expect(service.environment?.MONGO_URI).toBe(`mongodb://mongo:27017/${spec.database}`);
    },
  );

  test.each(SERVICES.map((s) => s.name))(
    'when %s gets variables, then its config schema knows every one',
    (name) => {
      const known = schemaKeys(schemas[name] as Joi.ObjectSchema);
      // NAME_FILE sets a known NAME from a file (the _FILE convention loadConfig implements).
      const unknown = Object.keys(compose.services[name]?.environment ?? {}).filter(
        (key) => !known.includes(key.replace(/_FILE$/, '')),
      );
      expect(unknown).toEqual([]);
    },
  );

  test.each(SERVICES.map((s) => s.name))(
    'when %s’s image is built, then it runs on the pinned Node as node with a healthcheck',
    (name) => {
      const dockerfile = fs.readFileSync(path.join(root, name, 'Dockerfile'), 'utf8');
      const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
      expect(new Set(bases)).toEqual(new Set([`node:${nodeMajor}-alpine`]));
      expect(dockerfile).toMatch(/^USER node$/m);
      expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health/m);
      expect(dockerfile).toMatch(/^CMD \["node", "dist\/server\.js"\]$/m);
    },
  );

  test.each(SERVICES.map((s) => s.name))(
    'when %s’s image is built, then it needs no compiler and holds only its own production dependencies',
    (name) => {
      const dockerfile = fs.readFileSync(path.join(root, name, 'Dockerfile'), 'utf8');
      const installs = [...dockerfile.matchAll(/npm ci [^\n]*/g)].map((m) => m[0]);
      expect(installs.length).toBeGreaterThan(0);
      expect(installs.every((cmd) => cmd.includes('--ignore-scripts'))).toBe(true);
      // The runtime's node_modules come from a stage whose workspaces are the service and the kit only.
      expect(dockerfile).toContain(`workspaces: ['packages/common', '${name}']`);
      expect(dockerfile).toMatch(/^COPY --from=deps \/app\/node_modules node_modules$/m);
      expect(dockerfile).not.toMatch(/testkit\/dist|--from=build \/app\/node_modules/);
      // No BuildKit feature is used, so no `# syntax=` line pins a frontend.
      expect(dockerfile).not.toMatch(/^# syntax=/m);
    },
  );

  test('when the broker container is recreated, then it keeps its node name and so its data', () => {
    expect(compose.services.rabbitmq?.hostname).toBe('rabbitmq');
    expect(compose.services.rabbitmq?.volumes).toContain('rabbitmq-data:/var/lib/rabbitmq');
  });

  test('when the stack starts, then secrets come from the generated volume, never from the file', () => {
    const raw = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    expect(raw).not.toMatch(/JWT_SECRET:\s*\$\{JWT_SECRET:-[^}]/);
    for (const service of SERVICES) {
      const env = compose.services[service.name]?.environment ?? {};
      expect(env).toMatchObject({ NODE_ENV: 'production', JWT_SECRET_FILE: expect.any(String) });
      expect(env).not.toHaveProperty('JWT_SECRET');
      expect(env).not.toHaveProperty('RABBITMQ_URL');
      expect(compose.services[service.name]?.depends_on).toHaveProperty('secrets');
    }
  });
  test('when .env.example is read, then it documents every variable the compose file passes through', () => {
    const example = fs.readFileSync(path.join(root, '.env.example'), 'utf8');
    const raw = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    const interpolated = [...raw.matchAll(/\$\{([A-Z0-9_]+)(?::-[^}]*)?\}/g)].map((m) => m[1] as string);
    const missing = [...new Set(interpolated)].filter(
      (name) => !new RegExp(`^#? ?${name}=`, 'm').test(example),
    );
    expect(missing).toEqual([]);
  });
});

describe('.env.example', () => {
  const example = fs.readFileSync(path.join(root, '.env.example'), 'utf8');

  test.each(SERVICES.map((s) => s.name))(
    'when %s’s config schema is read, then .env.example documents each variable',
    (name) => {
      const missing = schemaKeys(schemas[name] as Joi.ObjectSchema).filter(
        (key) => !new RegExp(`^#? ?${key}=`, 'm').test(example),
      );
      expect(missing).toEqual([]);
    },
  );

  test.each(SERVICES.map((s) => s.name))('when copied to .env as is, then %s accepts it', (name) => {
    const env = Object.fromEntries(
      example
        .split('\n')
        .filter((line) => /^[A-Z0-9_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const schema = schemas[name] as Joi.ObjectSchema;
    const load = () =>
      loadConfig(schema, {
        serviceDir: path.join(root, 'no-such-dir'),
        // Left unset in the example (dev generates one); a real run provides it.
        env: { JWT_SECRET: 'j'.repeat(32), ...env, MONGO_URI: 'mongodb://127.0.0.1:27017/x' },
      });
    expect(load).not.toThrow();
  });
});

describe('published secrets', () => {
  // Every file a user reads or copies: a secret value printed in one of them is no secret.
  const files = ['.env.example', 'docker-compose.yml', 'README.md', 'docs/openapi.yaml'];
  // `NAME=value` or `NAME: value`, not a compose interpolation (`${NAME:-}`).
  const assignment =
    /(?<!\{)\b(?:JWT_SECRET|RABBITMQ_PASSWORD|RABBITMQ_DEFAULT_PASS)[ \t]*[=:][ \t]*['"]?([^\s'"$#]+)/g;
  const interpolationDefault = /\$\{(?:JWT_SECRET|RABBITMQ_PASSWORD):-([^}]+)\}/g;
  const amqpPassword = /amqps?:\/\/[^:/\s]+:([^@\s]+)@/g;

  test.each(files)('when %s prints a secret value, then production refuses that value', (file) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const found = [assignment, interpolationDefault, amqpPassword].flatMap((re) => [...text.matchAll(re)]);
    const printed = found.map((m) => decodeURIComponent(m[1] as string));
    expect(printed.filter((value) => !PUBLISHED_SECRETS.includes(value))).toEqual([]);
  });
});
