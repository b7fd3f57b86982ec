import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import { silentLogger } from '@social/testkit/helpers';
import { startMongo, type TestMongo } from '@social/testkit';
import { connectMongo, mongoose } from '../src/mongo';

/** The driver's own connection class and namespace helper, as mongoose loads them. */
interface DriverCommandConnection {
  closed: boolean;
  command(ns: unknown, command: Record<string, unknown>, options: Record<string, unknown>): Promise<unknown>;
}
const requireFromMongoose = createRequire(require.resolve('mongoose'));
const { Connection } = requireFromMongoose('mongodb/lib/cmap/connection') as {
  Connection: new (socket: net.Socket, options: Record<string, unknown>) => DriverCommandConnection;
};
const { ns } = requireFromMongoose('mongodb/lib/utils') as { ns: (namespace: string) => unknown };

let mongo: TestMongo;

beforeAll(async () => {
  mongo = await startMongo({ log: () => undefined });
  // connectMongo is where every service's client comes from; it installs the guard on the driver.
  await (await connectMongo({ uri: mongo.uri, log: silentLogger(), attempts: 1 })).close();
});

afterAll(async () => {
  await mongo.stop();
});

const settledWithin = <T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ value?: T; error?: unknown } | 'pending'> =>
  Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms)),
  ]);

/** A driver connection on a real socket to the test server, as the pool and the monitor hold them. */
async function openDriverConnection(
  id: number,
): Promise<{ connection: DriverCommandConnection; socket: net.Socket }> {
  const url = new URL(mongo.uri);
  const socket = net.connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  return { connection: new Connection(socket, { id, generation: 0 }), socket };
}

describe('a driver connection whose socket has just closed', () => {
  test('when a command is written on it before its close event, then the command rejects with a network error instead of waiting forever', async () => {
    // Arrange: destroyed as a peer's close destroys it, its 'close' event still to come.
    const { connection, socket } = await openDriverConnection(1);
    socket.destroy();

    // Act
    const outcome = await settledWithin(connection.command(ns('admin.$cmd'), { ping: 1 }, {}), 2_000);

    // Assert
    expect(outcome).not.toBe('pending');
    expect(outcome).toMatchObject({ error: expect.any(mongoose.mongo.MongoNetworkError) });
    expect(connection.closed).toBe(true);
  });

  test('when a command is written on a connection that already closed, then it rejects at once', async () => {
    // Arrange
    const { connection, socket } = await openDriverConnection(2);
    socket.destroy();
    await once(socket, 'close');

    // Act
    const outcome = await settledWithin(connection.command(ns('admin.$cmd'), { ping: 1 }, {}), 2_000);

    // Assert
    expect(outcome).toMatchObject({ error: expect.any(mongoose.mongo.MongoNetworkError) });
  });

  test('when the socket is open, then commands still answer', async () => {
    // Arrange
    const { connection, socket } = await openDriverConnection(3);

    // Act
    const outcome = await settledWithin(connection.command(ns('admin.$cmd'), { ping: 1 }, {}), 2_000);
    socket.destroy();

    // Assert
    expect(outcome).toMatchObject({ value: { ok: 1 } });
  });
});
