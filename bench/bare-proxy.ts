/**
 * The floor of a Node proxy hop: a bare `node:http` keep-alive reverse proxy, nothing else. The bench runs it
 * as its own process (`node bench/bare-proxy.ts <port> <target>`) so its CPU time can be read from /proc.
 */
import http from 'node:http';

const [port = '0', target = 'http://127.0.0.1:3002'] = process.argv.slice(2);
const upstream = new URL(target);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const server = http.createServer((req, res) => {
  const out = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent,
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  out.on('error', () => res.destroy());
  req.pipe(out);
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
