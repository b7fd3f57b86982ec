import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
const openApi = parse(fs.readFileSync(path.join(root, 'docs/openapi.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, unknown>>;
};

const SERVICES = ['identity-service', 'post-service', 'media-service', 'search-service'];

/**
 * Every `router.<method>('<path>'` a service registers, as the public method and OpenAPI path template. A router
 * factory (`export function <name>Routes`) is served where app.ts mounts it (`app.use('/api/<area>', ...)`),
 * which the gateway serves as `/v1/<area>`.
 */
function serviceRoutes(service: string): Array<[method: string, template: string]> {
  const dir = path.join(root, service, 'src/routes');
  const app = fs.readFileSync(path.join(root, service, 'src/app.ts'), 'utf8');
  // One mount may chain several routers (`app.use('/api/posts', auth, postRoutes(…), engagementRoutes(…))`).
  const mounts = new Map(
    [...app.matchAll(/app\.use\(\s*'\/api\/([^']+)',([^;]*)/gs)].flatMap(([, area, rest]) =>
      [...(rest ?? '').matchAll(/(\w+Routes)\(/g)].map(([, factory]) => [factory, area]),
    ),
  );
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.routes.ts'))
    .flatMap((file) => {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      const factory = /export function (\w+Routes)\(/.exec(source)?.[1] ?? '';
      const area = mounts.get(factory);
      if (!area) throw new Error(`${service}/src/routes/${file}: ${factory} is not mounted in app.ts`);
      return [...source.matchAll(/router\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)].map(
        ([, method, route]) => {
          const suffix = route === '/' ? '' : (route as string).replace(/:(\w+)/g, '{$1}');
          return [method as string, `/v1/${area}${suffix}`] as [string, string];
        },
      );
    });
}

describe('docs/openapi.yaml against the services’ routers', () => {
  test.each(SERVICES)('when %s registers a route, then the public API documents it', (service) => {
    const routes = serviceRoutes(service);
    expect(routes.length).toBeGreaterThan(0);
    const undocumented = routes.filter(([method, template]) => !openApi.paths[template]?.[method]);
    expect(undocumented).toEqual([]);
  });
});
