import { withDatabase } from '@social/testkit';

/** The five services as processes: the one list the dev launcher, `npm start` and the e2e suite share. */
export interface ServiceSpec {
  name: 'identity-service' | 'post-service' | 'media-service' | 'search-service' | 'api-gateway';
  port: number;
  /** Its own database; the gateway has none. */
  database?: string;
  color: string;
}

export const SERVICES: readonly ServiceSpec[] = [
  { name: 'identity-service', port: 3001, database: 'identity', color: 'yellow' },
  { name: 'post-service', port: 3002, database: 'posts', color: 'green' },
  { name: 'media-service', port: 3003, database: 'media', color: 'magenta' },
  { name: 'search-service', port: 3004, database: 'search', color: 'cyan' },
  { name: 'api-gateway', port: 3000, color: 'blue' },
];

export interface StackSettings {
  mongoBaseUri: string;
  ports?: Partial<Record<ServiceSpec['name'], number>>;
  /** Variables every service gets (exchange, key prefix, secrets, ...). */
  shared?: Record<string, string>;
}

/** Each service's environment: its port and database, and where the gateway finds the others. */
export function stackEnvironment(
  settings: StackSettings,
): Record<ServiceSpec['name'], Record<string, string>> {
  const port = (s: ServiceSpec): number => settings.ports?.[s.name] ?? s.port;
  const url = (name: ServiceSpec['name']): string =>
    `http://127.0.0.1:${port(SERVICES.find((s) => s.name === name) as ServiceSpec)}`;
  const env = {} as Record<ServiceSpec['name'], Record<string, string>>;
  for (const service of SERVICES) {
    env[service.name] = {
      ...settings.shared,
      PORT: String(port(service)),
      ...(service.database ? { MONGO_URI: withDatabase(settings.mongoBaseUri, service.database) } : {}),
      ...(service.name === 'api-gateway'
        ? {
            IDENTITY_SERVICE_URL: url('identity-service'),
            POST_SERVICE_URL: url('post-service'),
            MEDIA_SERVICE_URL: url('media-service'),
            SEARCH_SERVICE_URL: url('search-service'),
          }
        : {}),
    };
  }
  return env;
}
