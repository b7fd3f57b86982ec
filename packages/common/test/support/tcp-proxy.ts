import net from 'node:net';

/**
 * A TCP forwarder on a fixed local port that a test can take down and bring back, to play a dependency outage
 * against real infrastructure (Redis, MongoDB) without touching the shared server.
 */
export interface TcpProxy {
  port: number;
  /** Starts forwarding to the target (again). */
  up(): Promise<void>;
  /** Stops listening and cuts every open connection: clients see the server vanish. */
  down(): Promise<void>;
}

/** A local port with nothing listening on it: connections are refused at once. */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await closedPort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  return {
    port,
    up: async () => {
      if (server) return;
      const s = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        track(client);
        track(upstream);
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
    },
    down: async () => {
      const s = server;
      if (!s) return;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
