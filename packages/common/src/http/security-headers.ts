import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers, worked out once: with options that hold no per-request function (the defaults), helmet
 * sets the same values on every response, through a chain of a dozen middlewares. The setter returned sets the
 * recorded headers directly. Same names, same values.
 */
export function securityHeaderSetter(options?: HelmetOptions): (res: ServerResponse) => void {
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
