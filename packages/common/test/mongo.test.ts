import { captureLogger, silentLogger, waitFor } from '@social/testkit/helpers';
import { startMongo, type TestMongo } from '@social/testkit';
import { connectMongo, mongoose, pingMongo, type Connection } from '../src/mongo';
import { closedPort, tcpProxy, type TcpProxy } from './support/tcp-proxy';

let mongo: TestMongo;
const opened: Connection[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  mongo = await startMongo({ log: () => undefined });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((conn) => conn.close()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.down()));
});

afterAll(async () => {
  await mongo.stop();
});

const track = (conn: Connection): Connection => {
  opened.push(conn);
  return conn;
};

/** The test server's address, so a proxy can stand in front of it. */
const mongoAddress = (): { host: string; port: number; db: string } => {
  const url = new URL(mongo.uri);
  return { host: url.hostname, port: Number(url.port), db: url.pathname.slice(1) };
};

describe('connectMongo', () => {
  test('when MongoDB answers, then the connection is open, logged with its database and pingable', async () => {
    // Arrange
    const { log, lines } = captureLogger();

    // Act
    const conn = track(await connectMongo({ uri: mongo.uri, log, attempts: 1 }));

    // Assert
    expect(conn.readyState).toBe(mongoose.ConnectionStates.connected);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'mongodb connected', db: mongoAddress().db }),
    );
    await expect(pingMongo(conn)).resolves.toBeUndefined();
  });

  test('when a query runs on the connection, then no stack trace is formatted for it', async () => {
    // Arrange: count what V8 formats; mongoose would format one per query to report a query run twice
    const conn = track(await connectMongo({ uri: mongo.uri, log: silentLogger(), attempts: 1 }));
    const Thing = conn.model('StackThing', new mongoose.Schema({ n: Number }));
    await Thing.create({ n: 1 });
    const original = Error.prepareStackTrace;
    let formatted = 0;
    Error.prepareStackTrace = (err, frames) => {
      formatted += 1;
      return original ? original(err, frames) : String(err);
    };
    // Act
    try {
      for (let i = 0; i < 5; i++) await Thing.find({ n: 1 }).lean();
    } finally {
      Error.prepareStackTrace = original;
    }
    // Assert
    expect(formatted).toBe(0);
  });

  test('when MongoDB comes up after a failed attempt, then it retries with backoff and connects', async () => {
    // Arrange: the address exists but refuses connections until the proxy goes up
    const { log, lines } = captureLogger();
    const { host, port, db } = mongoAddress();
    const proxy = await tcpProxy({ host, port });
    proxies.push(proxy);
    const connecting = connectMongo({
      uri: `mongodb://127.0.0.1:${proxy.port}/${db}`,
      log,
      attempts: 5,
      serverSelectionTimeoutMS: 100,
    });

    // Act
    await waitForLine(lines, 'mongodb connect failed, retrying');
    await proxy.up();
    const conn = track(await connecting);

    // Assert
    await expect(pingMongo(conn)).resolves.toBeUndefined();
    expect(lines.filter((l) => l.message === 'mongodb connect failed, retrying')[0]).toMatchObject({
      level: 'warn',
      attempt: 1,
      waitMs: 500,
    });
  });

  test('when MongoDB never answers, then it gives up after `attempts` with the connection error', async () => {
    // Arrange
    const { log, lines } = captureLogger();
    const uri = `mongodb://127.0.0.1:${await closedPort()}/never`;

    // Act
    const connecting = connectMongo({ uri, log, attempts: 2, serverSelectionTimeoutMS: 50 });

    // Assert: one retry between the two attempts, then the driver's error
    await expect(connecting).rejects.toMatchObject({ name: 'MongooseServerSelectionError' });
    expect(lines.filter((l) => l.message === 'mongodb connect failed, retrying')).toEqual([
      expect.objectContaining({ level: 'warn', attempt: 1, waitMs: 500 }),
    ]);
    expect(lines.filter((l) => l.message === 'mongodb connected')).toEqual([]);
  });
});

describe('a connected MongoDB that goes away', () => {
  test('when the server vanishes, then operations reject and "mongodb disconnected" is a warning', async () => {
    // Arrange
    const { log, lines } = captureLogger();
    const { host, port, db } = mongoAddress();
    const proxy = await tcpProxy({ host, port });
    proxies.push(proxy);
    await proxy.up();
    const conn = track(
      await connectMongo({ uri: `mongodb://127.0.0.1:${proxy.port}/${db}`, log, attempts: 1 }),
    );

    // Act: the next operation finds the socket gone
    await proxy.down();
    const ping = pingMongo(conn);

    // Assert
    await expect(ping).rejects.toThrow();
    await waitForLine(lines, 'mongodb disconnected');
    expect(lines.filter((l) => l.message === 'mongodb disconnected')[0]).toMatchObject({ level: 'warn' });
  });
});

describe('pingMongo', () => {
  test('when the connection was closed, then the ping rejects', async () => {
    // Arrange
    const conn = await connectMongo({ uri: mongo.uri, log: silentLogger(), attempts: 1 });
    await conn.close();

    // Act
    const ping = pingMongo(conn);

    // Assert
    await expect(ping).rejects.toThrow();
  });

  test('when the connection never connected, then the ping rejects with "mongodb not connected"', async () => {
    // Arrange
    const conn = track(mongoose.createConnection());

    // Act
    const ping = pingMongo(conn);

    // Assert
    await expect(ping).rejects.toThrow('mongodb not connected');
  });
});

const waitForLine = (lines: Array<{ message: string }>, message: string): Promise<boolean> =>
  waitFor(() => lines.some((l) => l.message === message), { description: message });
