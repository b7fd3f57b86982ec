import express, { type Express } from 'express';
import request from 'supertest';
import { captureLogger, uniqueName, type CapturedLogger } from '@social/testkit/helpers';
import { startMongo, type TestMongo } from '@social/testkit';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  accessLog,
  AppError,
  errorHandler,
  ForbiddenError,
  GatewayTimeoutError,
  jsonBody,
  NotFoundError,
  PayloadTooLargeError,
  requestContext,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  UpstreamError,
  ValidationError,
} from '../src/http';
import { connectMongo, mongoErrors, mongoose, type Connection } from '../src/mongo';
import { closedPort, tcpProxy, type TcpProxy } from './support/tcp-proxy';

interface UserDoc {
  email: string;
  name: string;
}
const userSchema = new mongoose.Schema<UserDoc>({
  email: { type: String, required: true, unique: true },
  name: { type: String, required: true },
});
const createUserModel = (conn: Connection) => conn.model<UserDoc>('User', userSchema);

let mongo: TestMongo;
let conn: Connection;
const extraConnections: Connection[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  mongo = await startMongo({ log: () => undefined });
  conn = await connectMongo({ uri: mongo.uri, log: captureLogger().log, attempts: 1 });
  await createUserModel(conn).init();
});

afterEach(async () => {
  await Promise.all(extraConnections.splice(0).map((c) => c.close()));
  await Promise.all(proxies.splice(0).map((p) => p.down()));
});

afterAll(async () => {
  await conn.close();
  await mongo.stop();
});

/** The handler under test behind the request context and access log, with the routes the test needs. */
function buildApp(mount: (app: Express) => void): { app: Express } & CapturedLogger {
  const captured = captureLogger();
  const app = express();
  app.use(requestContext(), accessLog(captured.log));
  mount(app);
  app.use(errorHandler(captured.log, [mongoErrors]));
  return { app, ...captured };
}

const completed = (fields: Record<string, unknown>) =>
  expect.objectContaining({ level: 'info', message: 'request completed', ...fields });

const throwing = (error: unknown) =>
  buildApp((app) =>
    app.get('/fail', () => {
      throw error;
    }),
  );

describe('errorHandler: body parsing', () => {
  const echoApp = () =>
    buildApp((app) =>
      app.post('/echo', jsonBody(), (req, res) => {
        // Echoing a 5,000-deep body would overflow JSON.stringify; its shape is enough.
        res.json({ success: true, body: Array.isArray(req.body) ? 'array' : req.body });
      }),
    );

  test('when the body has an unknown content encoding, then 415', async () => {
    // Arrange
    const { app } = echoApp();

    // Act
    const res = await request(app)
      .post('/echo')
      .set('content-type', 'application/json')
      .set('content-encoding', 'bogus')
      .send('{}');

    // Assert
    expect(res).toMatchObject({
      status: 415,
      body: { success: false, message: 'Unsupported body encoding' },
    });
  });

  test('when the body is valid gzip-compressed JSON, then it is read', async () => {
    // Arrange
    const { app } = echoApp();
    const server = app.listen(0);
    const { port } = server.address() as AddressInfo;

    // Act: fetch sends the bytes as they are (superagent would JSON-encode a Buffer sent as JSON)
    const res = await fetch(`http://127.0.0.1:${port}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ hello: 'world' })),
    }).finally(() => server.close());

    // Assert
    expect({ status: res.status, body: await res.json() }).toMatchObject({
      status: 200,
      body: { body: { hello: 'world' } },
    });
  });

  test('when the body claims gzip but is not, then 400 and nothing at error', async () => {
    // Arrange
    const { app, lines } = echoApp();

    // Act
    const res = await request(app)
      .post('/echo')
      .set('content-type', 'application/json')
      .set('content-encoding', 'gzip')
      .send('{"not":"gzip"}');

    // Assert
    expect(res).toMatchObject({ status: 400, body: { success: false, requestId: expect.any(String) } });
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  test.each([5_000, 100_000])(
    'when the JSON body is nested %i levels deep, then 400 or accepted, never 500',
    async (depth) => {
      // Arrange
      const { app, lines } = echoApp();

      // Act
      const res = await request(app)
        .post('/echo')
        .set('content-type', 'application/json')
        .send('['.repeat(depth) + ']'.repeat(depth));

      // Assert
      expect([200, 400, 413]).toContain(res.status);
      expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    },
  );

  test('when the JSON body declares a non-UTF charset, then 415', async () => {
    // Arrange
    const { app } = echoApp();

    // Act
    const res = await request(app)
      .post('/echo')
      .set('content-type', 'application/json; charset=latin1')
      .send('{}');

    // Assert
    expect(res).toMatchObject({
      status: 415,
      body: { success: false, message: 'Unsupported body charset' },
    });
  });
});

describe('errorHandler: what the HTTP stack says about a client error', () => {
  const itemApp = () =>
    buildApp((app) =>
      app.get('/items/:id', (req, res) => {
        res.json({ success: true, id: req.params.id });
      }),
    );

  test.each(['%ff', '%E0%A4%A', '%', 'a%zz'])(
    'when a path parameter has the malformed percent-encoding %s, then 400 and nothing at error',
    async (raw) => {
      // Arrange
      const { app, lines } = itemApp();

      // Act
      const res = await request(app).get(`/items/${raw}`);

      // Assert
      expect(res).toMatchObject({
        status: 400,
        body: {
          success: false,
          message: 'Malformed percent-encoding in the URL',
          requestId: expect.any(String),
        },
      });
      expect(lines).toEqual([completed({ status: 400 })]);
    },
  );

  test.each([
    [405, 'Method Not Allowed'],
    [408, 'Request Timeout'],
    [431, 'Request Header Fields Too Large'],
  ])(
    'when a library error carries status %i, then that status with its standard phrase',
    async (status, phrase) => {
      // Arrange: the shape http-errors and body-parser give their errors; the message may echo client input.
      const { app, lines } = throwing(
        Object.assign(new Error('<script>client input</script>'), { status, expose: true }),
      );

      // Act
      const res = await request(app).get('/fail');

      // Assert
      expect(res).toMatchObject({ status, body: { success: false, message: phrase } });
      expect(lines).toEqual([completed({ status })]);
    },
  );

  test('when an unknown error carries a 5xx status, then it is still a generic 500 logged at error', async () => {
    // Arrange
    const { app, lines } = throwing(Object.assign(new Error('pool exhausted'), { status: 503 }));

    // Act
    const res = await request(app).get('/fail');

    // Assert
    expect(res).toMatchObject({ status: 500, body: { message: 'Internal server error' } });
    expect(lines[0]).toMatchObject({ level: 'error', message: 'unhandled error' });
  });

  test('when a ValidationError has thousands of details, then at most 20 are listed and the message says so', async () => {
    // Arrange
    const details = Array.from({ length: 9_000 }, (_, i) => ({
      path: `body.k${i}`,
      reason: 'is not allowed',
    }));
    const { app } = throwing(new ValidationError('Validation failed', details));

    // Act
    const res = await request(app).get('/fail');

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Validation failed (20 of 9000 problems listed)');
    expect(res.body.details).toEqual(details.slice(0, 20));
    expect(res.text.length).toBeLessThan(4_000);
  });
});

describe('errorHandler: mongoose and MongoDB', () => {
  const usersApp = (db: Connection = conn) => {
    const users = createUserModel(db);
    return buildApp((app) => {
      app.use(jsonBody());
      app.get('/users/:id', async (req, res) => {
        res.json({ success: true, user: await users.findById(req.params.id).lean() });
      });
      app.post('/users', async (req, res) => {
        const user = await users.create({ email: String(req.body.email), name: String(req.body.name) });
        res.status(201).json({ success: true, id: user.id });
      });
    });
  };

  test('when an id cannot be cast, then 400 "Invalid identifier" naming the path', async () => {
    // Arrange
    const { app, lines } = usersApp();

    // Act
    const res = await request(app).get('/users/not-an-id');

    // Assert
    expect(res.body).toEqual({
      success: false,
      message: 'Invalid identifier',
      requestId: res.headers['x-request-id'],
      details: [{ path: '_id', reason: 'must be a valid id' }],
    });
    expect(res.status).toBe(400);
    // A client's mistake: one access-log line with the reason, no stack, nothing at error.
    expect(lines).toEqual([completed({ status: 400, reason: 'Invalid identifier' })]);
    expect(JSON.stringify(lines)).not.toContain('stack');
  });

  test('when a unique field is taken, then 409 naming the field but not the value, and one document stays', async () => {
    // Arrange
    const { app } = usersApp();
    const email = `${uniqueName('taken')}@example.test`;
    await request(app).post('/users').send({ email, name: 'first' }).expect(201);

    // Act
    const res = await request(app).post('/users').send({ email, name: 'second' });

    // Assert
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      success: false,
      message: 'Already exists: email',
      requestId: res.headers['x-request-id'],
    });
    expect(JSON.stringify(res.body)).not.toContain(email);
    expect(await createUserModel(conn).find({ email }).lean()).toEqual([
      expect.objectContaining({ email, name: 'first' }),
    ]);
  });

  test('when MongoDB was never reachable, then 503 "Database unavailable"', async () => {
    // Arrange
    const unreachable = mongoose.createConnection(`mongodb://127.0.0.1:${await closedPort()}/x`, {
      bufferCommands: false,
      serverSelectionTimeoutMS: 50,
    });
    extraConnections.push(unreachable);
    await unreachable.asPromise().catch(() => undefined);
    const { app } = usersApp(unreachable);

    // Act
    const res = await request(app).get(`/users/${new mongoose.Types.ObjectId().toHexString()}`);

    // Assert
    expect(res).toMatchObject({
      status: 503,
      body: { success: false, message: 'Database unavailable', requestId: res.headers['x-request-id'] },
    });
  });

  test('when MongoDB goes away after connecting, then 503 and the driver error goes only to the log', async () => {
    // Arrange
    const { hostname, port, pathname } = new URL(mongo.uri);
    const proxy = await tcpProxy({ host: hostname, port: Number(port) });
    proxies.push(proxy);
    await proxy.up();
    const lost = await connectMongo({
      uri: `mongodb://127.0.0.1:${proxy.port}${pathname}`,
      log: captureLogger().log,
      attempts: 1,
      serverSelectionTimeoutMS: 100,
    });
    extraConnections.push(lost);
    const { app, lines } = usersApp(lost);
    await proxy.down();

    // Act
    const res = await request(app).get(`/users/${new mongoose.Types.ObjectId().toHexString()}`);

    // Assert
    expect(res).toMatchObject({ status: 503, body: { success: false, message: 'Database unavailable' } });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', message: 'request failed on a dependency', status: 503 }),
      completed({ status: 503 }),
    ]);
  });
});

describe('errorHandler: AppError classes', () => {
  test.each([
    [
      'UnauthorizedError',
      new UnauthorizedError(),
      401,
      'Authentication required',
      { 'www-authenticate': 'Bearer' },
    ],
    [
      'UnauthorizedError (bad token)',
      new UnauthorizedError('Invalid token', { invalidToken: true }),
      401,
      'Invalid token',
      { 'www-authenticate': 'Bearer error="invalid_token"' },
    ],
    ['ForbiddenError', new ForbiddenError(), 403, 'Forbidden', {}],
    ['NotFoundError', new NotFoundError(), 404, 'Not found', {}],
    ['PayloadTooLargeError', new PayloadTooLargeError(), 413, 'Request body too large', {}],
    ['UnsupportedMediaTypeError', new UnsupportedMediaTypeError(), 415, 'Unsupported media type', {}],
    [
      'TooManyRequestsError',
      new TooManyRequestsError(undefined, 30),
      429,
      'Too many requests, please try again later',
      { 'retry-after': '30' },
    ],
    ['UpstreamError', new UpstreamError(), 502, 'Upstream service error', {}],
    ['ServiceUnavailableError', new ServiceUnavailableError(), 503, 'Service temporarily unavailable', {}],
    ['GatewayTimeoutError', new GatewayTimeoutError(), 504, 'Upstream service timed out', {}],
  ])(
    'when a %s is thrown, then its status and message are sent',
    async (_name, error, status, message, headers) => {
      // Arrange
      const { app } = throwing(error);

      // Act
      const res = await request(app).get('/fail');

      // Assert
      expect(res).toMatchObject({ status, headers });
      expect(res.body).toEqual({ success: false, message, requestId: res.headers['x-request-id'] });
    },
  );

  test('when a ValidationError has details, then they are sent; without details the field is left out', async () => {
    // Arrange
    const withDetails = throwing(
      new ValidationError('Invalid query', [{ path: 'limit', reason: 'must be 1-50' }]),
    );
    const without = throwing(new ValidationError('Invalid query'));

    // Act
    const [a, b] = await Promise.all([
      request(withDetails.app).get('/fail'),
      request(without.app).get('/fail'),
    ]);

    // Assert
    expect(a.body).toMatchObject({ details: [{ path: 'limit', reason: 'must be 1-50' }] });
    expect(b.body).not.toHaveProperty('details');
  });

  test('when an UpstreamError wraps a cause, then the client sees only the message and the log gets the cause', async () => {
    // Arrange
    const cause = new Error('cloudinary 500: api_secret rejected');
    const { app, lines } = throwing(new UpstreamError('Storage unavailable', { cause }));

    // Act
    const res = await request(app).get('/fail');

    // Assert
    expect(res.body).toEqual({
      success: false,
      message: 'Storage unavailable',
      requestId: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain('api_secret');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', message: 'request failed on a dependency', status: 502 }),
      completed({ status: 502 }),
    ]);
    expect(JSON.stringify(lines[0])).toContain('cloudinary 500');
  });

  test('when an unknown error is thrown, then 500 and the log says where', async () => {
    // Arrange
    const { app, lines } = throwing(new Error('null deref'));

    // Act
    const res = await request(app).get('/fail');

    // Assert
    expect(res).toMatchObject({ status: 500, body: { success: false, message: 'Internal server error' } });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', message: 'unhandled error', method: 'GET', path: '/fail' }),
      completed({ status: 500 }),
    ]);
  });

  test('when a plain AppError with a custom status is thrown, then that status is kept', async () => {
    // Arrange
    const { app } = throwing(new AppError(418, 'I am a teapot'));

    // Act
    const res = await request(app).get('/fail');

    // Assert
    expect(res).toMatchObject({ status: 418, body: { success: false, message: 'I am a teapot' } });
  });
});

describe('errorHandler: after the response started', () => {
  test('when a handler fails mid-response, then the error is logged and the response is cut off', async () => {
    // Arrange
    const { app, lines } = buildApp((a) =>
      a.get('/stream', (_req, res) => {
        res.write('partial');
        throw new Error('stream broke');
      }),
    );

    // Act
    const res = request(app).get('/stream');

    // Assert
    await expect(res).rejects.toThrow();
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', message: 'error after response started' }),
    ]);
  });
});
