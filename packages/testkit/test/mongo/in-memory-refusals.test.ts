import { MongoClient, type Db, type IndexSpecification } from 'mongodb';
import { startInMemoryMongo, type InMemoryMongo } from '../../src';
import { uniqueName } from '../../src/helpers';

/**
 * What the in-memory server does not implement is refused with NotImplemented (238), naming the feature,
 * never silently ignored. These run against the in-memory server only: mongod implements all of it.
 */
let server: InMemoryMongo;
let client: MongoClient;
let db: Db;

const refused = (feature: string) => ({
  code: 238,
  codeName: 'NotImplemented',
  message: expect.stringContaining(`${feature} is not supported by the in-memory test server`),
});

beforeAll(async () => {
  server = await startInMemoryMongo();
  client = await MongoClient.connect(`${server.uri}/refusals`);
  db = client.db();
});

afterAll(async () => {
  await client.close();
  await server.stop();
});

describe('refused features', () => {
  test.each<[string, IndexSpecification, object, string]>([
    ['a hashed index', { a: 'hashed' }, {}, "'hashed' indexes"],
    ['a 2dsphere index', { loc: '2dsphere' }, {}, "'2dsphere' indexes"],
    ['a wildcard index', { '$**': 1 }, {}, 'wildcard indexes'],
    ['a hidden index', { a: 1 }, { hidden: true }, "the index option 'hidden'"],
  ])('when %s is created, then it is refused by name', async (_label, key, options, feature) => {
    await expect(db.collection(uniqueName('idx')).createIndex(key, options)).rejects.toMatchObject(
      refused(feature),
    );
  });

  test('when a collection is created capped, then it is refused by name', async () => {
    await expect(
      db.createCollection(uniqueName('capped'), { capped: true, size: 4096 }),
    ).rejects.toMatchObject(refused("the create option 'capped'"));
  });

  test('when explain is asked for, then the command is refused by name', async () => {
    const coll = db.collection(uniqueName('explain'));
    await coll.insertOne({ a: 1 });
    await expect(coll.find({}).explain()).rejects.toMatchObject(refused('the explain command'));
  });

  test('when a pipeline writes with $out, then it is refused by name', async () => {
    const coll = db.collection(uniqueName('out'));
    await coll.insertOne({ a: 1 });
    await expect(coll.aggregate([{ $out: 'copy' }]).toArray()).rejects.toMatchObject(
      refused('$out and $merge'),
    );
  });

  test('when $text sits under $or, then it is refused rather than answered differently', async () => {
    const coll = db.collection(uniqueName('text'));
    await coll.createIndex({ content: 'text' });
    await coll.insertOne({ content: 'volcano', kind: 'a' });
    const find = coll.find({ $or: [{ $text: { $search: 'volcano' } }, { kind: 'b' }] }).toArray();
    await expect(find).rejects.toMatchObject(refused('$text inside $or'));
  });

  test('when a write waits for two members, then it is refused, a standalone has none to wait for', async () => {
    const insert = db.collection(uniqueName('wc')).insertOne({ a: 1 }, { writeConcern: { w: 2 } });
    await expect(insert).rejects.toMatchObject(refused('writeConcern w: 2'));
  });

  test('when a read asks for snapshot isolation outside a transaction, then it is refused by name', async () => {
    const coll = db.collection(uniqueName('rc'));
    const find = coll.find({}, { readConcern: { level: 'snapshot' } }).toArray();
    await expect(find).rejects.toMatchObject(refused("readConcern level 'snapshot'"));
  });
});

describe('maxTimeMS', () => {
  test('when a query runs longer than its maxTimeMS, then it fails with MaxTimeMSExpired (50)', async () => {
    const coll = db.collection(uniqueName('slow'));
    await coll.insertMany(Array.from({ length: 20_000 }, (_, i) => ({ i, text: `row ${i}` })));
    const scan = coll
      .find({ text: { $regex: 'never$' } })
      .maxTimeMS(1)
      .toArray();
    await expect(scan).rejects.toMatchObject({ code: 50, codeName: 'MaxTimeMSExpired' });
  });
});
