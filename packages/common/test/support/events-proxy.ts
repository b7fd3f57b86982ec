import net from 'node:net';
import { closedPort } from './tcp-proxy';

/**
 * A TCP forwarder in front of the shared RabbitMQ that a test controls, to play faults on its own bus's
 * connection only: the broker going away, coming back, or going silent with a reply on the way.
 */
export interface BrokerProxy {
  /** An AMQP URL through the proxy. */
  url: string;
  /** Starts accepting connections (again); until then the port refuses them, like a broker that is down. */
  up(): Promise<void>;
  /** Stops accepting and cuts every open connection, as a broker crash or a network cut would. */
  down(): Promise<void>;
  /** Until the next up(), bytes from the broker are dropped: replies (confirms, handshakes) never arrive. */
  holdReplies(): void;
  /** Client connections open through the proxy. */
  clients(): number;
}

export async function brokerProxy(target = { host: '127.0.0.1', port: 5672 }): Promise<BrokerProxy> {
  const port = await closedPort();
  const sockets = new Set<net.Socket>();
  const clients = new Set<net.Socket>();
  let server: net.Server | undefined;
  let holding = false;
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const forward = (client: net.Socket): void => {
    const upstream = net.connect(target.port, target.host);
    track(client);
    track(upstream);
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!holding) client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    up: async () => {
      if (server) return;
      holding = false;
      const s = net.createServer(forward);
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
    holdReplies: () => {
      holding = true;
    },
    clients: () => clients.size,
  };
}
