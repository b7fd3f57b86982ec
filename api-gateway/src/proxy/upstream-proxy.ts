import http from 'node:http';
import type net from 'node:net';
import url, { type UrlWithStringQuery } from 'node:url';
import type { Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware, type Options } from 'http-proxy-middleware';
import { AppError, GatewayTimeoutError, sendError, UpstreamError } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import { counter, type Counter, type Metrics } from '@social/common/metrics';

export interface UpstreamRoute {
  /** Label in logs and metrics. */
  name: string;
  target: string;
  /** Public prefix (`/v1/posts`) and the service's own (`/api/posts`). */
  from: string;
  to: string;
}

export interface ProxyOptions {
  log: Logger;
  metrics: Metrics;
  timeoutMs: number;
}

const upstreamErrors = (metrics: Metrics): Counter<'upstream' | 'reason'> =>
  counter(metrics.registry, {
    name: 'gateway_upstream_errors_total',
    help: 'Proxied requests that got no upstream answer, by upstream and reason (timeout, unreachable)',
    labelNames: ['upstream', 'reason'] as const,
  });

const isExpressResponse = (res: unknown): res is Response =>
  res instanceof http.ServerResponse && typeof (res as Partial<Response>).status === 'function';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The target as http-proxy would parse it: handed a string, it runs the legacy url.parse on it for every request
 * (2% of the gateway's CPU under the cached-GET bench, most of it the parser's own deprecation check).
 */
function parsedTarget(target: string): Partial<UrlWithStringQuery> {
  const url = new URL(target);
  return {
    protocol: url.protocol,
    host: url.host,
    // url.parse leaves an IPv6 literal's brackets out of hostname, which http.request needs.
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port,
    path: `${url.pathname}${url.search}`,
    pathname: url.pathname,
  };
}

/**
 * http-proxy-middleware's path filter runs the legacy url.parse on every request, and until Node has warned about
 * url.parse once (DEP0169), every call walks the stack to learn whether it came from node_modules (which never
 * warns): three quarters of the call's cost. One call from here, with deprecation output off for it, warns nobody
 * and settles that for the process.
 */
let urlParseWarningSettled = false;
function settleUrlParseWarning(): void {
  if (urlParseWarningSettled) return;
  urlParseWarningSettled = true;
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    url.parse('/');
  } finally {
    process.noDeprecation = quiet;
  }
}

// What a client may claim about the path in front of the gateway; only the gateway's own statement goes on.
const isForwardingHeader = (name: string): boolean =>
  name === 'forwarded' || name === 'x-real-ip' || name.startsWith('x-forwarded-');

/**
 * The headers an upstream may believe. `X-Forwarded-For` is exactly one address, the client as this gateway
 * determined it (`req.ip` under its own TRUST_PROXY), so nothing a client wrote there survives. `Expect` is
 * dropped: Node has already answered the client's 100-continue, and http-proxy would skip its proxyReq hook for
 * such a request. The rest of the request, body and framing included, goes on exactly as the client sent it.
 */
function setUpstreamHeaders(req: Request): void {
  const clientAddress = req.ip ?? req.socket.remoteAddress;
  const { protocol, host } = req;
  for (const name of Object.keys(req.headers)) {
    if (isForwardingHeader(name)) delete req.headers[name];
  }
  delete req.headers.expect;
  if (clientAddress) req.headers['x-forwarded-for'] = clientAddress;
  req.headers['x-forwarded-proto'] = protocol;
  if (host) req.headers['x-forwarded-host'] = host;
  if (req.user) req.headers['x-user-id'] = req.user.id;
}

/**
 * http-proxy rewrites a DELETE or OPTIONS without Content-Length to `Content-Length: 0` and drops its
 * Transfer-Encoding, then still pipes the body: the upstream would read those bytes as a request of its own, one
 * this gateway never checked. Such a request keeps its chunked framing instead (restored in `proxyReq`).
 */
const chunkedBodies = new WeakSet<http.IncomingMessage>();
const rememberChunkedBody = (req: Request): void => {
  const framing = req.headers['transfer-encoding'];
  if (framing !== undefined && req.headers['content-length'] === undefined) chunkedBodies.add(req);
};

/** Answers a client that stalled mid-body or went away; it is not an upstream failure and is not counted as one. */
function answerClientFailure(req: Request, res: Response | net.Socket): void {
  if (isExpressResponse(res) && !res.headersSent && !req.socket.destroyed) {
    sendError(res, new AppError(408, 'The request body did not arrive in time'));
    return;
  }
  res.destroy();
}

/**
 * A streaming reverse proxy to one upstream: bodies are piped byte for byte, never parsed (Content-Length or
 * chunked, any Content-Encoding: the service reads them), sockets are kept alive, an upstream silent for
 * `timeoutMs` gets a 504 and an unreachable one a 502, both as the usual JSON error. Only those two count in
 * `gateway_upstream_errors_total`: a client that stops sending its body gets a 408, one that leaves nothing.
 */
export function upstreamProxy(route: UpstreamRoute, options: ProxyOptions): RequestHandler {
  const { log } = options;
  const errors = upstreamErrors(options.metrics);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const timedOut = new WeakSet<http.IncomingMessage>();
  // Mounted under `route.from`, the path the proxy sees has the mount stripped; rebuild from originalUrl.
  const prefix = new RegExp(`^${escapeRegExp(route.from)}`, 'i');
  const handlers: NonNullable<Options<Request, Response>['on']> = {
    proxyReq: (proxyReq, req) => {
      proxyReq.once('timeout', () => timedOut.add(req));
      if (chunkedBodies.has(req)) {
        proxyReq.removeHeader('content-length');
        proxyReq.setHeader('transfer-encoding', 'chunked');
      }
    },
    proxyRes: (proxyRes) => {
      // The gateway's own security headers stand; an upstream must not advertise its framework.
      delete proxyRes.headers['x-powered-by'];
    },
    error: (err, req, res) => {
      const timeout = timedOut.has(req);
      // Gone, or silent while the upstream waits for the rest of its body: the client, not the upstream.
      if (req.socket.destroyed || (timeout && !req.complete)) {
        log.info('client did not complete its request', {
          upstream: route.name,
          requestId: req.requestId,
          reason: timeout ? 'body timeout' : 'disconnected',
        });
        answerClientFailure(req, res);
        return;
      }
      errors.inc({ upstream: route.name, reason: timeout ? 'timeout' : 'unreachable' });
      log.warn(timeout ? 'upstream timed out' : 'upstream unreachable', {
        upstream: route.name,
        requestId: req.requestId,
        err,
      });
      if (!isExpressResponse(res)) {
        res.destroy();
        return;
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(
        res,
        timeout
          ? new GatewayTimeoutError(`${route.name} did not answer in time`)
          : new UpstreamError(`${route.name} is unavailable`),
      );
    },
  };
  settleUrlParseWarning();
  const proxy = createProxyMiddleware<Request, Response>({
    // Not the default plugins: their logger plugin builds a URL for every response to hand it to a no-op logger.
    // What the others did that matters is here: the `on` handlers, and an upstream response is destroyed when
    // the client went away before it was passed on.
    ejectPlugins: true,
    plugins: [
      (server) => {
        if (handlers.proxyReq) server.on('proxyReq', handlers.proxyReq);
        if (handlers.proxyRes) server.on('proxyRes', handlers.proxyRes);
        if (handlers.error) server.on('error', handlers.error);
        server.on('proxyRes', (proxyRes, _req, res) => {
          res.on('close', () => {
            if (!res.writableEnded) proxyRes.destroy();
          });
        });
      },
    ],
    target: parsedTarget(route.target),
    agent,
    changeOrigin: true,
    // X-Forwarded-* are set by setUpstreamHeaders: xfwd would append to whatever the client sent.
    xfwd: false,
    // The path goes upstream as pathRewrite made it, not re-parsed by the legacy url.parse (its deprecation
    // check walks the stack on every call, and it turned backslashes into slashes).
    toProxy: true,
    proxyTimeout: options.timeoutMs,
    pathRewrite: (_path, req) => req.originalUrl.replace(prefix, route.to),
  });
  return (req, res, next) => {
    setUpstreamHeaders(req);
    rememberChunkedBody(req);
    void proxy(req, res, next);
  };
}
