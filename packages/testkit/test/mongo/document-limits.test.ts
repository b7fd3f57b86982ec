import { BSON } from 'bson';
import { MongoClient, type Db } from 'mongodb';
import { startMongo, type TestMongo } from '../../src';
import { databaseOf, opMsg, rawConnection, replyBody } from './raw-wire';
import { uniqueName } from '../../src/helpers';

/** mongod's 16 MiB document limit (BSONObjMaxUserSize); these run against MONGO_TEST_URI too. */
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

describe('documents over 16 MiB', () => {
  // The driver refuses such a document itself, so the insert goes over a raw socket.
  test('when a document over 16 MiB is inserted, then it is a write error and the server keeps serving', async () => {
    const name = uniqueName('big');
    const connection = await rawConnection(mongo.uri);
    const doc = Buffer.from(BSON.serialize({ _id: 1, blob: 'x'.repeat(16 * 1024 * 1024) }));
    const insert = opMsg({ insert: name, ordered: true, $db: databaseOf(mongo.uri) }, 1, {
      id: 'documents',
      docs: [doc],
    });
    const reply = replyBody(await connection.send(insert));
    connection.close();
    expect(reply).toMatchObject({
      ok: 1,
      n: 0,
      writeErrors: [{ index: 0, code: 2, errmsg: expect.stringContaining('object to insert too large') }],
    });
    await expect(db.command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  });

  test('when an update would grow a document past 16 MiB, then it fails with 17419 and the document stays', async () => {
    const coll = db.collection(uniqueName('big'));
    const nineMiB = 'x'.repeat(9 * 1024 * 1024);
    const { insertedId } = await coll.insertOne({ a: nineMiB });
    await expect(coll.updateOne({ _id: insertedId }, { $set: { b: nineMiB } })).rejects.toMatchObject({
      code: 17419,
      message: expect.stringContaining('Resulting document after update is larger than 16777216'),
    });
    await expect(coll.countDocuments({ b: { $exists: true } })).resolves.toBe(0);
  });
});
