import net from 'node:net';

/** A port nothing listens on right now (the OS picks it), for processes that need a number up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a server can listen on `port` on every interface, as the services do. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive free ports, for a stack whose ports are one base plus fixed offsets. They are
 * drawn below Linux's ephemeral range (32768 and up): a port the OS hands out for `listen(0)` or for an outgoing
 * connection can be taken again by the next connection any process opens before our service binds it.
 */
export async function freePortRange(count: number, low = 20_000, high = 32_000): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = low + Math.floor(Math.random() * (high - low - count));
    let free = true;
    for (let port = base; free && port < base + count; port += 1) free = await canListen(port);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports between ${low} and ${high}`);
}
