import fs from 'node:fs';
import path from 'node:path';
import type Joi from 'joi';
import { parse } from 'yaml';
import { loadConfig } from '@social/common/config';
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
    expect(published).toEqual([['api-gateway', ['${GATEWAY_PORT:-3000}:3000']]]);
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
      expect(Object.values(service.depends_on ?? {}).every((d) => d.condition === 'service_healthy')).toBe(
        true,
      );
      expect(service.environment?.PORT).toBe(spec.port);
      if (spec.database)
        expect(service.environment?.MONGO_URI).toBe(`mongodb://mongo:27017/${spec.database}`);
    },
  );

  test.each(SERVICES.map((s) => s.name))(
    'when %s gets variables, then its config schema knows every one',
    (name) => {
      const known = schemaKeys(schemas[name] as Joi.ObjectSchema);
      const unknown = Object.keys(compose.services[name]?.environment ?? {}).filter(
        (key) => !known.includes(key),
      );
      expect(unknown).toEqual([]);
    },
  );

  test.each(SERVICES.map((s) => s.name))(
    'when %s’s image is built, then it runs as node with a healthcheck',
    (name) => {
      const dockerfile = fs.readFileSync(path.join(root, name, 'Dockerfile'), 'utf8');
      expect(dockerfile).toMatch(/^FROM node:20-alpine AS build$/m);
      expect(dockerfile).toMatch(/^USER node$/m);
      expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health/m);
      expect(dockerfile).toMatch(/^CMD \["node", "dist\/server\.js"\]$/m);
    },
  );

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
        env: { ...env, MONGO_URI: 'mongodb://127.0.0.1:27017/x' },
      });
    expect(load).not.toThrow();
  });
});
