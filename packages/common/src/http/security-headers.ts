import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet for what the API answers: JSON, and the media files behind it. Five of helmet's defaults only act on an
 * HTML document a browser renders (a window's opener, origin-keyed agent clusters, DNS prefetching of its links,
 * IE8's open-download prompt, the retired XSS auditor): sent on every answer, they were a third of its header
 * bytes. Everything that protects a JSON or image answer stays as helmet sets it: Content-Security-Policy,
 * Cross-Origin-Resource-Policy, Referrer-Policy, Strict-Transport-Security, X-Content-Type-Options,
 * X-Frame-Options, X-Permitted-Cross-Domain-Policies. An HTML page (the gateway's /docs) applies helmet's full set.
 */
export const API_SECURITY_HEADERS: HelmetOptions = {
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xXssProtection: false,
};

/**
 * helmet's headers, worked out once: with options that hold no per-request function, helmet sets the same
 * values on every response, through a chain of a dozen middlewares. The setter returned sets the recorded
 * headers directly. Same names, same values.
 */
export function securityHeaderSetter(options: HelmetOptions): (res: ServerResponse) => void {
  const probe = new ServerResponse(new IncomingMessage(new Socket()));
  let failed: unknown;
  helmet(options)(probe.req, probe, (err?: unknown) => {
    failed = err;
  });
  if (failed !== undefined) throw failed;
  const headers = Object.entries(probe.getHeaders()).map(
    ([name, value]) => [name, Array.isArray(value) ? value : String(value)] as const,
  );
  return (res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
  };
}
