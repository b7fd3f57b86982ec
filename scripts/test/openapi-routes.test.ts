import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
const openApi = parse(fs.readFileSync(path.join(root, 'docs/openapi.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, unknown>>;
};

// Each service mounts its routers under /api/<area>; the gateway serves them as /v1/<area>.
const AREAS = {
  'identity-service': 'auth',
  'post-service': 'posts',
  'media-service': 'media',
  'search-service': 'search',
};

/** Every `router.<method>('<path>'` a service registers, as the public method and OpenAPI path template. */
function serviceRoutes(service: string, area: string): Array<[method: string, template: string]> {
  const dir = path.join(root, service, 'src/routes');
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.routes.ts'))
    .flatMap((file) => [
      ...fs
        .readFileSync(path.join(dir, file), 'utf8')
        .matchAll(/router\.(get|post|put|patch|delete)\(\s*'([^']+)'/g),
    ])
    .map(([, method, route]) => {
      const suffix = route === '/' ? '' : (route as string).replace(/:(\w+)/g, '{$1}');
      return [method as string, `/v1/${area}${suffix}`];
    });
}

describe('docs/openapi.yaml against the services’ routers', () => {
  test.each(Object.entries(AREAS))(
    'when %s registers a route, then the public API documents it',
    (service, area) => {
      const routes = serviceRoutes(service, area);
      expect(routes.length).toBeGreaterThan(0);
      const undocumented = routes.filter(([method, template]) => !openApi.paths[template]?.[method]);
      expect(undocumented).toEqual([]);
    },
  );
});
