import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express, { Router } from 'express';
import helmet from 'helmet';
import { NotFoundError } from '@social/common/http';

// The UI's assets come from the swagger-ui-dist npm package: the gateway never points a browser at a CDN.
const uiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Social API</title>
    <link rel="stylesheet" href="/docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script src="/docs/swagger-ui-standalone-preset.js"></script>
    <script src="/docs/swagger-initializer.js"></script>
  </body>
</html>
`;

// A script file rather than an inline one, so the CSP needs no 'unsafe-inline' for scripts.
const initializer = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/docs/openapi.yaml',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

// Duck-typed: fs errors may come from another realm (jest's VM), where `instanceof Error` is false.
const isMissingFile = (err: unknown): boolean =>
  typeof err === 'object' &&
  err !== null &&
  ['ENOENT', 'EISDIR'].includes(String((err as { code?: unknown }).code));

/** `/docs`: Swagger UI for the OpenAPI file at `openApiPath`, read per request (a missing file is a 404). */
export function docsRoutes(openApiPath: string): Router {
  const router = Router();
  router.use(
    '/docs',
    helmet({
      contentSecurityPolicy: {
        directives: {
          'script-src': ["'self'"],
          // Swagger UI sets inline style attributes.
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          // Served over plain http on localhost; upgrading would break the UI's own asset requests.
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  router.get(['/docs', '/docs/index.html'], (_req, res) => {
    res.type('html').send(page);
  });
  router.get('/docs/swagger-initializer.js', (_req, res) => {
    res.type('js').send(initializer);
  });
  router.get('/docs/openapi.yaml', async (_req, res) => {
    let spec: Buffer;
    try {
      spec = await readFile(openApiPath);
    } catch (err) {
      if (isMissingFile(err)) throw new NotFoundError('OpenAPI document not found');
      throw err;
    }
    res.type('application/yaml').send(spec);
  });
  router.use('/docs', express.static(uiDir, { index: false, fallthrough: true }));
  return router;
}
