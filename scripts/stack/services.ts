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
  /** Prefixes each service's database (`<prefix>_posts`), so runs sharing one server never meet. */
  databasePrefix?: string;
  ports?: Partial<Record<ServiceSpec['name'], number>>;
  /** Variables every service gets (exchange, key prefix, secrets, ...). */
  shared?: Record<string, string>;
}

/** The database a service uses on the stack's MongoDB; undefined for the gateway, which has none. */
export function serviceDatabase(service: ServiceSpec, prefix?: string): string | undefined {
  if (!service.database) return undefined;
  return prefix ? `${prefix}_${service.database}` : service.database;
}

/** The variables through which a service finds the others: the gateway its upstreams, others media-service. */
export const UPSTREAM_VARIABLES: Partial<Record<ServiceSpec['name'], Record<string, ServiceSpec['name']>>> = {
  'api-gateway': {
    IDENTITY_SERVICE_URL: 'identity-service',
    POST_SERVICE_URL: 'post-service',
    MEDIA_SERVICE_URL: 'media-service',
    SEARCH_SERVICE_URL: 'search-service',
  },
  // create-post looks up the attached media there, a profile change the avatar.
  'post-service': { MEDIA_SERVICE_URL: 'media-service' },
  'identity-service': { MEDIA_SERVICE_URL: 'media-service' },
};

/** Each service's environment: its port and database, and where it finds the services it calls. */
export function stackEnvironment(
  settings: StackSettings,
): Record<ServiceSpec['name'], Record<string, string>> {
  const port = (s: ServiceSpec): number => settings.ports?.[s.name] ?? s.port;
  const url = (name: ServiceSpec['name']): string =>
    `http://127.0.0.1:${port(SERVICES.find((s) => s.name === name) as ServiceSpec)}`;
  const gatewayOf = (): ServiceSpec => SERVICES.find((s) => s.name === 'api-gateway') as ServiceSpec;
  const env = {} as Record<ServiceSpec['name'], Record<string, string>>;
  for (const service of SERVICES) {
    const database = serviceDatabase(service, settings.databasePrefix);
    const upstreams = Object.entries(UPSTREAM_VARIABLES[service.name] ?? {});
    env[service.name] = {
      ...settings.shared,
      PORT: String(port(service)),
      ...(database ? { MONGO_URI: withDatabase(settings.mongoBaseUri, database) } : {}),
      // File URLs point at wherever this stack's gateway listens.
      ...(service.name === 'media-service' ? { GATEWAY_PORT: String(port(gatewayOf())) } : {}),
      ...Object.fromEntries(upstreams.map(([variable, upstream]) => [variable, url(upstream)])),
    };
  }
  return env;
}

/**
 * Replica `replica` (1-based) of a service: a copy of its environment with its own ports, wired to the same
 * replica number of each upstream where that one runs as many, else to the upstream's last replica. So with
 * two gateways and two post-services, gateway 1 talks to post-service 1 and gateway 2 to post-service 2.
 */
export function replicaEnvironment(
  env: Record<string, string>,
  service: ServiceSpec['name'],
  replica: number,
  at: { port: number; metricsPort: number; url: (upstream: ServiceSpec['name'], replica: number) => string },
): Record<string, string> {
  const upstreams = Object.entries(UPSTREAM_VARIABLES[service] ?? {});
  return {
    ...env,
    PORT: String(at.port),
    METRICS_PORT: String(at.metricsPort),
    ...Object.fromEntries(upstreams.map(([variable, upstream]) => [variable, at.url(upstream, replica)])),
  };
}
