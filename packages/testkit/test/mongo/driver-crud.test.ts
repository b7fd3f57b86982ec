import { Long, MongoClient, MongoServerError, ObjectId, type Db } from 'mongodb';
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

describe('CRUD through the official driver', () => {
  test('when a document is inserted without _id, then it is stored with an ObjectId _id first', async () => {
    const coll = db.collection(uniqueName('c'));
    const { insertedId } = await coll.insertOne({ b: 1, a: 'x' });
    const found = await coll.findOne({ _id: insertedId });
    expect(insertedId).toBeInstanceOf(ObjectId);
    expect(Object.keys(found ?? {})).toEqual(['_id', 'b', 'a']);
  });

  test('when a projection includes fields, then they come back in stored order with _id first', async () => {
    const coll = db.collection(uniqueName('c'));
    const { insertedId } = await coll.insertOne({ a: 1, b: 2, c: 3 });
    const found = await coll.findOne({ _id: insertedId }, { projection: { c: 1, a: 1 } });
    expect(Object.keys(found ?? {})).toEqual(['_id', 'a', 'c']);
  });

  test('when the caller mutates its document after insert, then the stored copy is unchanged', async () => {
    const coll = db.collection(uniqueName('c'));
    const doc = { _id: new ObjectId(), tags: ['a'] };
    await coll.insertOne(doc);
    doc.tags.push('b');
    await expect(coll.findOne({ _id: doc._id })).resolves.toEqual({ _id: doc._id, tags: ['a'] });
  });

  test('when query operators are used, then matching follows MongoDB semantics', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertMany([
      { n: 1, tags: ['x', 'y'], at: new Date(1000), name: 'Alice' },
      { n: 2, tags: ['y'], at: new Date(2000), name: 'bob' },
      { n: 3, tags: [], name: 'Carol' },
    ]);
    const names = async (filter: object) =>
      (await coll.find(filter).sort({ n: 1 }).toArray()).map((d) => d.name as string);
    await expect(names({ n: { $gte: 2 } })).resolves.toEqual(['bob', 'Carol']);
    await expect(names({ tags: 'y' })).resolves.toEqual(['Alice', 'bob']);
    await expect(names({ name: { $regex: '^a', $options: 'i' } })).resolves.toEqual(['Alice']);
    await expect(names({ at: { $lt: new Date(1500) } })).resolves.toEqual(['Alice']);
    await expect(names({ at: { $exists: false } })).resolves.toEqual(['Carol']);
    await expect(names({ $or: [{ n: 1 }, { name: 'Carol' }] })).resolves.toEqual(['Alice', 'Carol']);
    await expect(names({ n: { $in: [2, 3] }, tags: { $size: 0 } })).resolves.toEqual(['Carol']);
  });

  test('when update operators run, then updateOne and updateMany report matched and modified counts', async () => {
    const coll = db.collection<{ k: string; n: number; list: number[]; seen?: boolean }>(uniqueName('c'));
    await coll.insertMany([
      { k: 'a', n: 1, list: [1, 2, 3] },
      { k: 'b', n: 5, list: [] },
    ]);
    const one = await coll.updateOne(
      { k: 'a' },
      { $inc: { n: 2 }, $push: { list: 4 }, $unset: { gone: '' } },
    );
    const many = await coll.updateMany({}, { $set: { seen: true } });
    const same = await coll.updateOne({ k: 'a' }, { $set: { seen: true } });
    expect(one).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    expect(same).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    await expect(coll.findOne({ k: 'a' }, { projection: { _id: 0 } })).resolves.toEqual({
      k: 'a',
      n: 3,
      list: [1, 2, 3, 4],
      seen: true,
    });
  });

  test('when a positional update targets a matched array element, then only that element changes', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertOne({
      _id: 'p',
      items: [
        { id: 1, q: 1 },
        { id: 2, q: 1 },
      ],
    } as never);
    await coll.updateOne({ _id: 'p', 'items.id': 2 } as never, { $set: { 'items.$.q': 9 } });
    await expect(coll.findOne({ _id: 'p' } as never)).resolves.toEqual({
      _id: 'p',
      items: [
        { id: 1, q: 1 },
        { id: 2, q: 9 },
      ],
    });
  });

  test('when arrayFilters name elements, then only the filtered elements are updated', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertOne({ _id: 'g', grades: [50, 95, 70] } as never);
    await coll.updateOne(
      { _id: 'g' } as never,
      { $set: { 'grades.$[low]': 60 } },
      { arrayFilters: [{ low: { $lt: 60 } }] },
    );
    await expect(coll.findOne({ _id: 'g' } as never)).resolves.toEqual({ _id: 'g', grades: [60, 95, 70] });
  });

  test('when replaceOne runs, then the document is replaced and keeps its _id', async () => {
    const coll = db.collection(uniqueName('c'));
    const { insertedId } = await coll.insertOne({ a: 1, b: 2 });
    await coll.replaceOne({ _id: insertedId }, { c: 3 });
    await expect(coll.findOne({ _id: insertedId })).resolves.toEqual({ _id: insertedId, c: 3 });
  });

  test('when an update tries to change _id, then it fails with code 66', async () => {
    const coll = db.collection(uniqueName('c'));
    const { insertedId } = await coll.insertOne({ a: 1 });
    await expect(
      coll.updateOne({ _id: insertedId }, { $set: { _id: new ObjectId() } }),
    ).rejects.toMatchObject({
      code: 66,
    });
  });

  test('when updateMany upserts with $setOnInsert, then the new document has filter fields, $set and $setOnInsert', async () => {
    const coll = db.collection(uniqueName('c'));
    const res = await coll.updateOne(
      { slug: 'x', kind: { $eq: 'post' }, n: { $gt: 1 } },
      { $set: { title: 'T' }, $setOnInsert: { createdBy: 'me' } },
      { upsert: true },
    );
    expect(res).toMatchObject({ upsertedCount: 1, upsertedId: expect.any(ObjectId) });
    await expect(
      coll.findOne({ _id: res.upsertedId ?? undefined }, { projection: { _id: 0 } }),
    ).resolves.toEqual({
      slug: 'x',
      kind: 'post',
      title: 'T',
      createdBy: 'me',
    });
  });

  test('when findOneAndUpdate runs with returnDocument before and after, then each view is returned', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertOne({ k: 1, v: 'old' });
    const before = await coll.findOneAndUpdate(
      { k: 1 },
      { $set: { v: 'mid' } },
      { returnDocument: 'before' },
    );
    const after = await coll.findOneAndUpdate(
      { k: 1 },
      { $set: { v: 'new' } },
      { returnDocument: 'after', projection: { _id: 0 } },
    );
    expect(before).toMatchObject({ v: 'old' });
    expect(after).toEqual({ k: 1, v: 'new' });
  });

  test('when findOneAndDelete runs with a sort, then the first in sort order is removed', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertMany([{ n: 2 }, { n: 1 }, { n: 3 }]);
    const removed = await coll.findOneAndDelete({}, { sort: { n: -1 } });
    expect(removed).toMatchObject({ n: 3 });
    await expect(coll.countDocuments()).resolves.toBe(2);
  });

  test('when findOneAndUpdate finds nothing without upsert, then it returns null', async () => {
    const coll = db.collection(uniqueName('c'));
    await expect(coll.findOneAndUpdate({ nope: 1 }, { $set: { a: 1 } })).resolves.toBeNull();
  });

  test('when documents are counted, then countDocuments honours filter, skip and limit', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertMany(Array.from({ length: 10 }, (_, i) => ({ i })));
    await expect(coll.countDocuments({ i: { $gte: 4 } })).resolves.toBe(6);
    await expect(coll.countDocuments({}, { skip: 2, limit: 5 })).resolves.toBe(5);
    await expect(coll.estimatedDocumentCount()).resolves.toBe(10);
    await expect(db.collection(uniqueName('missing')).countDocuments()).resolves.toBe(0);
  });

  test('when distinct runs, then each value appears once, array elements flattened', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertMany([
      { t: ['a', 'b'], g: 1 },
      { t: 'b', g: 1 },
      { t: 'c', g: 2 },
    ]);
    const values = await coll.distinct('t', { g: 1 });
    expect(values.sort()).toEqual(['a', 'b']);
  });

  test('when aggregating with $group, $sort and $lookup, then mingo computes the pipeline', async () => {
    const orders = db.collection(uniqueName('orders'));
    const customers = db.collection(uniqueName('customers'));
    await customers.insertMany([{ _id: 1, name: 'A' } as never, { _id: 2, name: 'B' } as never]);
    await orders.insertMany([
      { c: 1, total: 5 },
      { c: 1, total: 7 },
      { c: 2, total: 1 },
    ]);
    const result = await orders
      .aggregate([
        { $group: { _id: '$c', sum: { $sum: '$total' } } },
        { $sort: { sum: -1 } },
        {
          $lookup: { from: customers.collectionName, localField: '_id', foreignField: '_id', as: 'customer' },
        },
        { $project: { _id: 0, sum: 1, name: { $first: '$customer.name' } } },
      ])
      .toArray();
    expect(result).toEqual([
      { sum: 12, name: 'A' },
      { sum: 1, name: 'B' },
    ]);
  });

  test('when deleting, then deleteOne removes one and deleteMany removes all matches', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertMany([{ g: 1 }, { g: 1 }, { g: 1 }, { g: 2 }]);
    await expect(coll.deleteOne({ g: 1 })).resolves.toMatchObject({ deletedCount: 1 });
    await expect(coll.deleteMany({ g: 1 })).resolves.toMatchObject({ deletedCount: 2 });
    await expect(coll.find().toArray()).resolves.toEqual([expect.objectContaining({ g: 2 })]);
  });

  test('when a bulk insert is unordered, then the valid documents land and every duplicate is reported', async () => {
    const coll = db.collection(uniqueName('c'));
    const error: unknown = await coll
      .insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }] as never[], { ordered: false })
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 11000, writeErrors: [{ index: 1 }, { index: 3 }] });
    await expect(coll.countDocuments()).resolves.toBe(2);
  });
});

describe('cursors', () => {
  test('when 1000+ documents are read, then getMore pages through them in order with Long ids', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertMany(Array.from({ length: 1234 }, (_, i) => ({ i })));
    const cursor = coll.find({}, { batchSize: 300 }).sort({ i: 1 });
    const all = await cursor.toArray();
    expect(all.map((d) => d.i)).toEqual(Array.from({ length: 1234 }, (_, i) => i));
  });

  test('when a find returns more than 101 documents, then the first batch is 101 and the cursor id is a Long', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertMany(Array.from({ length: 150 }, (_, i) => ({ i })));
    const reply = await db.command({ find: coll.collectionName, filter: {} }, { promoteLongs: false });
    expect(reply.cursor.firstBatch).toHaveLength(101);
    expect(reply.cursor.id).toBeInstanceOf(Long);
    expect((reply.cursor.id as Long).isZero()).toBe(false);
    const more = await db.command(
      { getMore: reply.cursor.id, collection: coll.collectionName },
      { promoteLongs: false },
    );
    expect(more.cursor.nextBatch).toHaveLength(49);
    expect((more.cursor.id as Long).isZero()).toBe(true);
  });

  test('when a result is larger than 16 MiB, then getMore splits it into batches under the size cap', async () => {
    const coll = db.collection(uniqueName('c'));
    const blob = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 3; i += 1)
      await coll.insertMany(Array.from({ length: 10 }, (_, j) => ({ i: i * 10 + j, blob })));
    const full = await coll.find({}).toArray();
    expect(full.map((d) => d.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(full.every((d) => d.blob === blob)).toBe(true);
  });

  test('when a cursor is closed early, then killCursors reports it killed', async () => {
    const coll = db.collection(uniqueName('c'));
    await coll.insertMany(Array.from({ length: 20 }, (_, i) => ({ i })));
    const reply = await db.command({ find: coll.collectionName, batchSize: 5 });
    const killed = await db.command({ killCursors: coll.collectionName, cursors: [reply.cursor.id] });
    expect(killed.cursorsKilled).toHaveLength(1);
  });

  test('when getMore names an unknown cursor, then it fails with CursorNotFound', async () => {
    const coll = db.collection(uniqueName('c'));
    await expect(
      db.command({ getMore: Long.fromNumber(123456789), collection: coll.collectionName }),
    ).rejects.toMatchObject({
      code: 43,
    });
  });
});

describe('commands and errors', () => {
  test('when an unknown command is sent, then it fails with code 59 CommandNotFound', async () => {
    const error: unknown = await db.command({ noSuchCommand: 1 }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MongoServerError);
    expect(error).toMatchObject({ code: 59, codeName: 'CommandNotFound' });
  });

  test('when buildInfo and hello are asked, then they describe a 7.0 standalone', async () => {
    await expect(db.admin().buildInfo()).resolves.toMatchObject({
      version: expect.stringMatching(/^\d+\.\d+/),
    });
    await expect(db.command({ hello: 1 })).resolves.toMatchObject({ isWritablePrimary: true, ok: 1 });
  });

  test('when collections are created, listed and dropped, then listCollections follows', async () => {
    const name = uniqueName('lc');
    await db.createCollection(name);
    const listed = await db.listCollections({ name }).toArray();
    expect(listed).toEqual([expect.objectContaining({ name, type: 'collection' })]);
    await expect(db.collection(name).drop()).resolves.toBe(true);
    await expect(db.listCollections({ name }).toArray()).resolves.toEqual([]);
  });

  test('when a transaction is attempted on a standalone, then it is refused with code 20', async () => {
    const { setName } = await db.command({ hello: 1 });
    const session = client.startSession();
    try {
      session.startTransaction();
      const insert = db.collection(uniqueName('c')).insertOne({ a: 1 }, { session });
      // Against a replica set (MONGO_TEST_URI may point at one) transactions are legal.
      if (setName) await expect(insert).resolves.toBeDefined();
      else await expect(insert).rejects.toMatchObject({ code: 20 });
    } finally {
      await session.endSession();
    }
  });

  test('when listDatabases runs, then this database is listed', async () => {
    await db.collection(uniqueName('c')).insertOne({ a: 1 });
    const { databases } = await db.admin().listDatabases();
    expect(databases.map((d) => d.name)).toContain(db.databaseName);
  });
});
