import { MongoClient, type Db } from 'mongodb';
import { startMongo, type TestMongo } from '../../src';
import { uniqueName } from '../../src/helpers';

let mongo: TestMongo;
let client: MongoClient;
let db: Db;

beforeAll(async () => {
  mongo = await startMongo();
  client = await MongoClient.connect(mongo.uri);
  db = client.db();
});

afterAll(async () => {
  await db.dropDatabase();
  await client.close();
  await mongo.stop();
});

describe('indexes', () => {
  test('when a compound unique index is violated, then E11000 names the index and every key field', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.createIndex({ userId: 1, postId: 1 }, { unique: true });
    await coll.insertOne({ userId: 'u', postId: 'p' });
    await coll.insertOne({ userId: 'u', postId: 'q' });
    const error: unknown = await coll.insertOne({ userId: 'u', postId: 'p' }).catch((err: unknown) => err);
    expect(error).toMatchObject({
      code: 11000,
      keyPattern: { userId: 1, postId: 1 },
      keyValue: { userId: 'u', postId: 'p' },
      message: expect.stringMatching(
        new RegExp(
          `^E11000 duplicate key error collection: ${db.databaseName}\\.${coll.collectionName} index: userId_1_postId_1 dup key: \\{ userId: "u", postId: "p" \\}`,
        ),
      ),
    });
  });

  test('when a unique index is sparse, then many documents may lack the field', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.createIndex({ handle: 1 }, { unique: true, sparse: true });
    await coll.insertMany([{ a: 1 }, { a: 2 }, { handle: 'h' }]);
    await expect(coll.insertOne({ handle: 'h' })).rejects.toMatchObject({ code: 11000 });
  });

  test('when a unique index has a partialFilterExpression, then only matching documents are constrained', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.createIndex({ email: 1 }, { unique: true, partialFilterExpression: { deleted: false } });
    await coll.insertMany([
      { email: 'a', deleted: true },
      { email: 'a', deleted: true },
      { email: 'a', deleted: false },
    ]);
    await expect(coll.insertOne({ email: 'a', deleted: false })).rejects.toMatchObject({ code: 11000 });
  });

  test('when a unique index is built over existing duplicates, then createIndex fails with 11000', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertMany([{ k: 1 }, { k: 1 }]);
    await expect(coll.createIndex({ k: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    const names = (await coll.listIndexes().toArray()).map((i) => i.name as string);
    expect(names).toEqual(['_id_']);
  });

  test('when the same index is created twice, then the second call is a no-op', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.createIndex({ k: 1 }, { unique: true });
    await expect(coll.createIndex({ k: 1 }, { unique: true })).resolves.toBe('k_1');
    await expect(coll.listIndexes().toArray()).resolves.toHaveLength(2);
  });

  test('when an index name is reused with different options, then createIndex fails with code 86', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.createIndex({ k: 1 }, { name: 'k_idx' });
    const error: unknown = await coll
      .createIndex({ k: 1 }, { name: 'k_idx', unique: true })
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 86, codeName: 'IndexKeySpecsConflict' });
  });

  test('when indexes are listed, then they have mongod shapes with v, key, name and options', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    await expect(coll.listIndexes().toArray()).resolves.toEqual([
      { v: 2, key: { _id: 1 }, name: '_id_' },
      { v: 2, key: { email: 1 }, name: 'email_1', unique: true },
      { v: 2, key: { expiresAt: 1 }, name: 'expiresAt_1', expireAfterSeconds: 0 },
    ]);
  });

  test('when listIndexes names a missing collection, then it fails with code 26', async () => {
    await expect(db.collection(uniqueName('missing')).listIndexes().toArray()).rejects.toMatchObject({
      code: 26,
    });
  });

  test('when dropIndex names an unknown index, then it fails with code 27 and a known one is dropped', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.createIndex({ k: 1 }, { unique: true });
    await expect(coll.dropIndex('nope_1')).rejects.toMatchObject({ code: 27 });
    await coll.dropIndex('k_1');
    await coll.insertMany([{ k: 1 }, { k: 1 }]);
    await expect(coll.countDocuments()).resolves.toBe(2);
  });

  test('when a unique field is updated to a new value, then its old value becomes free', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.createIndex({ k: 1 }, { unique: true });
    await coll.insertOne({ k: 'old' });
    await coll.updateOne({ k: 'old' }, { $set: { k: 'new' } });
    await expect(coll.insertOne({ k: 'old' })).resolves.toMatchObject({ acknowledged: true });
  });

  test('when querying an indexed field by equality, then results match an unindexed scan, in natural order', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.createIndex({ userId: 1 });
    await coll.createIndex({ tags: 1 });
    await coll.insertMany([
      { n: 1, userId: 'a', tags: ['x', 'y'] },
      { n: 2, userId: 'b', tags: ['y'] },
      { n: 3, userId: 'a', tags: [] },
      { n: 4, tags: 'x' },
    ]);
    await coll.updateOne({ n: 2 }, { $set: { userId: 'a' } });
    await coll.updateOne({ n: 1 }, { $set: { userId: 'c' } });
    const ns = async (filter: object) => (await coll.find(filter).toArray()).map((d) => d.n as number);
    await expect(ns({ userId: 'a' })).resolves.toEqual([2, 3]);
    await expect(ns({ userId: { $eq: 'c' } })).resolves.toEqual([1]);
    await expect(ns({ userId: 'b' })).resolves.toEqual([]);
    await expect(ns({ userId: null })).resolves.toEqual([4]);
    await expect(ns({ tags: 'x' })).resolves.toEqual([1, 4]);
    await expect(ns({ tags: 'y', userId: 'a' })).resolves.toEqual([2]);
    await coll.dropIndex('userId_1');
    await expect(ns({ userId: 'a' })).resolves.toEqual([2, 3]);
  });

  test('when querying the leading field of a compound index, then results match an unindexed scan', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.createIndex({ followeeId: 1, active: 1 });
    await coll.createIndex({ followerId: 1, active: 1, at: -1 });
    await coll.insertMany([
      { n: 1, followerId: 'a', followeeId: 'x', active: true, at: 3 },
      { n: 2, followerId: 'b', followeeId: 'x', active: false, at: 1 },
      { n: 3, followerId: 'a', followeeId: 'y', active: true, at: 2 },
      { n: 4, followerId: 'c', active: true, at: 4 },
    ]);
    await coll.updateOne({ n: 2 }, { $set: { active: true } });
    await coll.updateOne({ n: 3 }, { $set: { followeeId: 'x' } });
    const filters = [
      { followeeId: 'x', active: true },
      { followeeId: null },
      { followerId: 'a', active: true },
      { active: true },
    ];
    const ns = async (filter: object) =>
      (await coll.find(filter).sort({ at: -1 }).toArray()).map((d) => d.n as number);
    const indexed = await Promise.all(filters.map(ns));
    await coll.dropIndex('followeeId_1_active_1');
    await coll.dropIndex('followerId_1_active_1_at_-1');
    const scanned = await Promise.all(filters.map(ns));
    expect(indexed).toEqual(scanned);
    expect(indexed).toEqual([[1, 3, 2], [4], [1, 3], [4, 1, 3, 2]]);
  });

  test('when a sparse index answers $exists and equality, then results match a scan, incl. after updates', async () => {
    const coll = db.collection<{ n: number; pending?: Array<{ id: string | null }> }>(uniqueName('c'));
    await coll.createIndex({ 'pending.id': 1 }, { sparse: true });
    await coll.insertMany([
      { n: 1, pending: [{ id: 'e1' }, { id: 'e2' }] },
      { n: 2, pending: [] },
      { n: 3 },
      { n: 4, pending: [{ id: null }] },
      { n: 5, pending: [{ id: 'e3' }] },
    ]);
    await coll.updateOne({ n: 5 }, { $pull: { pending: { id: 'e3' } } });
    await coll.updateOne({ n: 2 }, { $push: { pending: { id: 'e4' } } });
    const ns = async (filter: object) => (await coll.find(filter).toArray()).map((d) => d.n as number);
    const filters = [
      { 'pending.id': { $exists: true } },
      { 'pending.id': 'e2' },
      // null also matches documents without the field, which the sparse index does not hold: a scan answers.
      { 'pending.id': null },
      { 'pending.id': { $exists: false } },
    ];
    const indexed = await Promise.all(filters.map(ns));
    await coll.dropIndex('pending.id_1');
    const scanned = await Promise.all(filters.map(ns));
    expect(indexed).toEqual(scanned);
    expect(indexed[0]).toEqual([1, 2, 4]);
    expect(indexed[1]).toEqual([1]);
  });
});
