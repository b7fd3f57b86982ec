import mongoose, { Schema, type Connection } from 'mongoose';
import { startMongo, type TestMongo } from '../../src';
import { waitFor } from '../../src/helpers';

const refreshTokenSchema = new Schema({
  tokenHash: { type: String, required: true, unique: true },
  expiresAt: { type: Date, required: true, index: { expireAfterSeconds: 0 } },
});
const tombstoneSchema = new Schema({
  postId: { type: String, unique: true },
  at: { type: Date, expires: 1 },
});

let mongo: TestMongo;
let conn: Connection;
let ttlTimeoutMs: number;

beforeAll(async () => {
  mongo = await startMongo({ ttlSweepMs: 100 });
  // A real mongod sweeps once a minute; only the in-memory server takes the short interval.
  ttlTimeoutMs = mongo.backend === 'in-memory' ? 5_000 : 130_000;
  conn = await mongoose.createConnection(mongo.uri).asPromise();
  await conn.model('RefreshToken', refreshTokenSchema).init();
  await conn.model('Tombstone', tombstoneSchema).init();
});

afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
  await mongo.stop();
});

describe('TTL indexes', () => {
  test('when listed, then the TTL index carries expireAfterSeconds', async () => {
    const indexes = await conn.model('RefreshToken').listIndexes();
    expect(indexes).toContainEqual(
      expect.objectContaining({ key: { expiresAt: 1 }, name: 'expiresAt_1', expireAfterSeconds: 0 }),
    );
  });

  test('when expiresAt passes, then the token is deleted and a live one stays', async () => {
    const Tokens = conn.model('RefreshToken');
    await Tokens.create([
      { tokenHash: 'expired', expiresAt: new Date(Date.now() - 1_000) },
      { tokenHash: 'live', expiresAt: new Date(Date.now() + 3_600_000) },
    ]);
    await waitFor(async () => (await Tokens.countDocuments({ tokenHash: 'expired' })) === 0, {
      timeoutMs: ttlTimeoutMs,
      description: 'expired token deleted',
    });
    await expect(Tokens.countDocuments({ tokenHash: 'live' })).resolves.toBe(1);
  }, 140_000);

  test('when a tombstone is older than expireAfterSeconds, then it goes and its unique key is free again', async () => {
    const Tombstones = conn.model('Tombstone');
    await Tombstones.create({ postId: 'p1', at: new Date(Date.now() - 5_000) });
    await waitFor(async () => (await Tombstones.countDocuments({ postId: 'p1' })) === 0, {
      timeoutMs: ttlTimeoutMs,
      description: 'old tombstone deleted',
    });
    await expect(Tombstones.create({ postId: 'p1', at: new Date() })).resolves.toBeDefined();
  }, 140_000);
});
