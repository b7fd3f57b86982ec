import { MongoClient } from 'mongodb';
import { startMongo } from '../../src';
import type * as startMongoModule from '../../src/mongo/start-mongo';
import { withDatabase } from '../../src/mongo/start-mongo';

const noBinaryEnv = { MONGOMS_SYSTEM_BINARY: '/nonexistent/mongod' };

describe('startMongo()', () => {
  test('when MONGO_TEST_URI is set, then it is used with a database of its own and its query kept', async () => {
    const mongo = await startMongo({
      env: { MONGO_TEST_URI: 'mongodb://db.example:27017/ignored?retryWrites=false' },
      log: () => {},
    });
    expect(mongo.backend).toBe('external');
    expect(mongo.uri).toMatch(/^mongodb:\/\/db\.example:27017\/test_[0-9a-f]{12}\?retryWrites=false$/);
  });

  test('when no MONGO_TEST_URI and no mongod binary exist, then the in-memory server answers', async () => {
    const mongo = await startMongo({ env: noBinaryEnv, log: () => {} });
    try {
      expect(mongo.backend).toBe('in-memory');
      const client = await MongoClient.connect(mongo.uri);
      await expect(client.db().admin().ping()).resolves.toMatchObject({ ok: 1 });
      await client.close();
    } finally {
      await mongo.stop();
    }
  });

  test('when called twice, then each call gets its own database name', async () => {
    const [a, b] = await Promise.all([startMongo({ env: noBinaryEnv }), startMongo({ env: noBinaryEnv })]);
    expect(a.uri.split('/').pop()).not.toBe(b.uri.split('/').pop());
    await Promise.all([a.stop(), b.stop()]);
  });

  test('when several servers start in one process, then the backend is reported only once', async () => {
    let fresh: typeof startMongoModule | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- only a fresh module instance shows the per-process report
      fresh = require('../../src/mongo/start-mongo') as typeof startMongoModule;
    });
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const first = await fresh?.startMongo({ env: noBinaryEnv, log });
    const second = await fresh?.startMongo({ env: noBinaryEnv, log });
    await Promise.all([first?.stop(), second?.stop()]);
    expect(lines).toEqual([
      expect.stringMatching(/in-memory MongoDB wire-protocol TEST server.*not for production/),
    ]);
  });

  test('when a server is stopped, then new connections are refused', async () => {
    const mongo = await startMongo({ env: noBinaryEnv });
    await mongo.stop();
    await expect(MongoClient.connect(mongo.uri, { serverSelectionTimeoutMS: 300 })).rejects.toThrow();
  });
});

describe('withDatabase()', () => {
  test.each([
    ['mongodb://h:1', 'mongodb://h:1/db1'],
    ['mongodb://h:1/', 'mongodb://h:1/db1'],
    ['mongodb://u:p@h1:1,h2:2/old?replicaSet=rs', 'mongodb://u:p@h1:1,h2:2/db1?replicaSet=rs'],
    ['mongodb+srv://cluster.example/old', 'mongodb+srv://cluster.example/db1'],
  ])('when the uri is %s, then the database path becomes db1', (uri, expected) => {
    expect(withDatabase(uri, 'db1')).toBe(expected);
  });
});
