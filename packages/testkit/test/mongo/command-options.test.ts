import { MongoClient, type Db } from 'mongodb';
import { startMongo, type TestMongo } from '../../src';
import { uniqueName } from '../../src/helpers';

/**
 * Command options as the driver and mongoose send them: what both mongod 7 and the in-memory server accept,
 * what both reject the same way, and (by backend) what only mongod implements. Runs against MONGO_TEST_URI too.
 */
let mongo: TestMongo;
let client: MongoClient;
let db: Db;
let realMongod: boolean;

beforeAll(async () => {
  mongo = await startMongo();
  realMongod = mongo.backend !== 'in-memory';
  client = await MongoClient.connect(mongo.uri);
  db = client.db();
});

afterAll(async () => {
  await db.dropDatabase();
  await client.close();
  await mongo.stop();
});

describe('options both accept', () => {
  test('when reads carry comment, maxTimeMS, allowDiskUse and readConcern local, then they answer normally', async () => {
    const coll = db.collection(uniqueName('opts'));
    await coll.insertMany([{ a: 1 }, { a: 2 }]);
    const options = { comment: 'why', maxTimeMS: 60_000, readConcern: { level: 'local' as const } };
    const found = await coll
      .find({ a: 2 }, { ...options, allowDiskUse: true, projection: { _id: 0 } })
      .toArray();
    const grouped = await coll
      .aggregate([{ $group: { _id: null, n: { $sum: 1 } } }], { ...options, allowDiskUse: true })
      .toArray();
    expect(found).toEqual([{ a: 2 }]);
    expect(grouped).toEqual([{ _id: null, n: 2 }]);
  });

  test('when writes carry writeConcern majority with j, then they are acknowledged', async () => {
    const coll = db.collection(uniqueName('opts'));
    const writeConcern = { w: 'majority' as const, j: true, wtimeoutMS: 5_000 };
    await expect(coll.insertOne({ a: 1 }, { writeConcern })).resolves.toMatchObject({ acknowledged: true });
    await expect(coll.updateOne({ a: 1 }, { $set: { b: 1 } }, { writeConcern })).resolves.toMatchObject({
      modifiedCount: 1,
    });
  });
});

describe('options both reject', () => {
  test('when an update statement has a field mongod 7 does not know, then the whole command fails with 40415', async () => {
    const name = uniqueName('opts');
    const command = { update: name, updates: [{ q: {}, u: { $set: { a: 1 } }, bogus: 1 }] };
    await expect(db.command(command)).rejects.toMatchObject({
      code: 40415,
      message: expect.stringMatching(/bogus' is an unknown field/),
    });
  });

  test('when an index spec has an option mongod does not know, then it fails with InvalidIndexSpecificationOption', async () => {
    const name = uniqueName('opts');
    const command = { createIndexes: name, indexes: [{ key: { a: 1 }, name: 'a_1', bogus: 1 }] };
    await expect(db.command(command)).rejects.toMatchObject({
      code: 197,
      message: expect.stringContaining("The field 'bogus' is not valid for an index specification"),
    });
  });
});

describe('options only mongod implements', () => {
  test('when find asks for showRecordId, then mongod adds $recordId and the double refuses by name', async () => {
    const coll = db.collection(uniqueName('opts'));
    await coll.insertOne({ a: 1 });
    const find = coll.find({}, { showRecordId: true }).toArray();
    if (realMongod) {
      await expect(find).resolves.toEqual([expect.objectContaining({ $recordId: expect.anything() })]);
    } else {
      await expect(find).rejects.toMatchObject({
        code: 238,
        message: "the find option 'showRecordId' is not supported by the in-memory test server",
      });
    }
  });

  test('when aggregate passes variables with let, then mongod binds them and the double refuses by name', async () => {
    const coll = db.collection(uniqueName('opts'));
    await coll.insertMany([{ a: 1 }, { a: 2 }]);
    const pipeline = [{ $match: { $expr: { $eq: ['$a', '$$wanted'] } } }, { $project: { _id: 0 } }];
    const run = coll.aggregate(pipeline, { let: { wanted: 2 } }).toArray();
    if (realMongod) await expect(run).resolves.toEqual([{ a: 2 }]);
    else await expect(run).rejects.toMatchObject({ code: 238, message: expect.stringContaining("'let'") });
  });
});
