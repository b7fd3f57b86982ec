import { MongoClient, type Db } from 'mongodb';
import { startMongo, type TestMongo } from '../../src';
import { uniqueName } from '../../src/helpers';

/**
 * Where the in-memory server used to differ from mongod 7. Every assertion here passes against a real mongod
 * (MONGO_TEST_URI in the GitHub workflow) and against the in-memory server; where the in-memory server refuses
 * a feature mongod has, the test says which backend it runs on and asserts the refusal or the real behaviour.
 */
let mongo: TestMongo;
let client: MongoClient;
let db: Db;
let realMongod: boolean;

const refusal = (feature: string) => ({
  code: 238,
  codeName: 'NotImplemented',
  message: expect.stringContaining(`${feature} is not supported by the in-memory test server`),
});

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

describe('$text where there is no collection', () => {
  test('when the collection does not exist, then find fails with IndexNotFound naming the namespace', async () => {
    const name = uniqueName('missing');
    await expect(
      db
        .collection(name)
        .find({ $text: { $search: 'x' } })
        .toArray(),
    ).rejects.toMatchObject({
      code: 27,
      message: expect.stringContaining(
        `text index required for $text query (no such collection '${db.databaseName}.${name}')`,
      ),
    });
  });

  test('when the database does not exist, then find fails with IndexNotFound too', async () => {
    const other = client.db(uniqueName('nodb'));
    await expect(other.collection('posts').countDocuments({ $text: { $search: 'x' } })).rejects.toMatchObject(
      {
        code: 27,
      },
    );
  });

  test('when an upsert filters by $text on a missing collection, then it fails and inserts nothing', async () => {
    const coll = db.collection(uniqueName('missing'));
    const upsert = coll.updateOne({ $text: { $search: 'x' } }, { $set: { a: 1 } }, { upsert: true });
    await expect(upsert).rejects.toMatchObject({ code: 27 });
    // mongod may create the (empty) collection before it parses the filter; either way nothing is inserted.
    await expect(coll.countDocuments()).resolves.toBe(0);
  });
});

describe('collation', () => {
  test('when a find asks for a strength-2 collation, then mongod matches case-insensitively and the double refuses', async () => {
    const coll = db.collection(uniqueName('collation'));
    await coll.insertMany([{ name: 'Alice' }, { name: 'bob' }]);
    const find = coll.find({ name: 'alice' }, { collation: { locale: 'en', strength: 2 } }).toArray();
    if (realMongod) await expect(find).resolves.toEqual([expect.objectContaining({ name: 'Alice' })]);
    else await expect(find).rejects.toMatchObject(refusal('collation'));
  });

  test('when an index is created with a collation, then mongod keeps it and the double refuses', async () => {
    const coll = db.collection(uniqueName('collation'));
    const create = coll.createIndex({ name: 1 }, { collation: { locale: 'en', strength: 2 } });
    if (realMongod) {
      await create;
      await expect(coll.listIndexes().toArray()).resolves.toContainEqual(
        expect.objectContaining({ collation: expect.objectContaining({ locale: 'en', strength: 2 }) }),
      );
    } else {
      await expect(create).rejects.toMatchObject(refusal('collation'));
    }
  });

  test('when the collation is the simple one, then both treat it as the default binary comparison', async () => {
    const coll = db.collection(uniqueName('collation'));
    await coll.insertMany([{ name: 'Alice' }, { name: 'alice' }]);
    const found = await coll.find({ name: 'alice' }, { collation: { locale: 'simple' } }).toArray();
    expect(found.map((d) => d.name as string)).toEqual(['alice']);
  });
});

describe('hint', () => {
  test('when a hint names no existing index, then the query fails with BadValue', async () => {
    const coll = db.collection(uniqueName('hint'));
    await coll.insertOne({ a: 1 });
    await expect(coll.find({ a: 1 }).hint('no_such_index').toArray()).rejects.toMatchObject({
      code: 2,
      message: expect.stringContaining('hint provided does not correspond to an existing index'),
    });
    await expect(coll.find({ a: 1 }).hint({ b: 1 }).toArray()).rejects.toMatchObject({ code: 2 });
  });

  test('when a hint names an existing index or $natural, then the query answers normally', async () => {
    const coll = db.collection(uniqueName('hint'));
    await coll.createIndex({ a: 1 });
    await coll.insertMany([{ a: 2 }, { a: 1 }]);
    const byIndex = await coll
      .find({}, { projection: { _id: 0 } })
      .hint({ a: 1 })
      .toArray();
    const backwards = await coll
      .find({}, { projection: { _id: 0 } })
      .hint({ $natural: -1 })
      .toArray();
    expect(byIndex).toEqual([{ a: 1 }, { a: 2 }]);
    expect(backwards).toEqual([{ a: 1 }, { a: 2 }]);
  });

  test('when a sparse index is hinted, then documents the index does not hold are not returned', async () => {
    const coll = db.collection(uniqueName('hint'));
    await coll.createIndex({ tag: 1 }, { sparse: true, name: 'tag_sparse' });
    await coll.insertMany([{ tag: 'x' }, { other: 1 }]);
    await expect(coll.countDocuments({}, { hint: 'tag_sparse' })).resolves.toBe(1);
  });
});

describe('text languages', () => {
  test('when a text index names an unknown default_language, then it is refused with CannotCreateIndex', async () => {
    const coll = db.collection(uniqueName('lang'));
    await expect(
      coll.createIndex({ content: 'text' }, { default_language: 'klingon' }),
    ).rejects.toMatchObject({
      code: 67,
      message: expect.stringContaining('default_language is not valid'),
    });
  });

  test('when $language names an unknown language, then the query fails with BadValue', async () => {
    const coll = db.collection(uniqueName('lang'));
    await coll.createIndex({ content: 'text' });
    await coll.insertOne({ content: 'hello' });
    const find = coll.find({ $text: { $search: 'hello', $language: 'klingon' } }).toArray();
    await expect(find).rejects.toMatchObject({
      code: 2,
      message: expect.stringContaining('unsupported language: "klingon"'),
    });
  });

  test('when a document overrides the language with an unknown one, then its insert is refused', async () => {
    const coll = db.collection(uniqueName('lang'));
    await coll.createIndex({ content: 'text' });
    await expect(coll.insertOne({ content: 'hello', language: 'klingon' })).rejects.toMatchObject({
      code: 17262,
      message: expect.stringContaining('language override unsupported: klingon'),
    });
  });

  test('when a language mongod stems but the double does not is asked for, then mongod indexes it and the double refuses', async () => {
    const coll = db.collection(uniqueName('lang'));
    const create = coll.createIndex({ content: 'text' }, { default_language: 'french' });
    if (realMongod) {
      await create;
      await coll.insertOne({ content: 'les chats dorment' });
      await expect(coll.countDocuments({ $text: { $search: 'chat' } })).resolves.toBe(1);
    } else {
      await expect(create).rejects.toMatchObject(refusal('text search in french'));
    }
  });
});

describe('update operators on the same path', () => {
  test('when $set and $setOnInsert name the same path in an upsert, then it fails with ConflictingUpdateOperators', async () => {
    const coll = db.collection(uniqueName('conflict'));
    const upsert = coll.updateOne({ k: 1 }, { $set: { a: 1 }, $setOnInsert: { a: 2 } }, { upsert: true });
    await expect(upsert).rejects.toMatchObject({
      code: 40,
      message: "Updating the path 'a' would create a conflict at 'a'",
    });
    await expect(coll.countDocuments()).resolves.toBe(0);
  });

  test('when a document exists, then the same update still fails: mongod checks paths before matching', async () => {
    const coll = db.collection(uniqueName('conflict'));
    await coll.insertOne({ k: 1 });
    const update = coll.updateOne({ k: 1 }, { $set: { 'a.b': 1 }, $setOnInsert: { a: 2 } });
    await expect(update).rejects.toMatchObject({
      code: 40,
      message: "Updating the path 'a' would create a conflict at 'a'",
    });
  });
});

describe('skip', () => {
  test('when find has a negative skip, then it fails with the IDL range error', async () => {
    const coll = db.collection(uniqueName('skip'));
    await coll.insertOne({ a: 1 });
    await expect(coll.find({}).skip(-1).toArray()).rejects.toMatchObject({
      code: 51024,
      message: "BSON field 'skip' value must be >= 0, actual value '-1'",
    });
  });

  test('when count has a negative skip, then it fails the same way', async () => {
    const name = uniqueName('skip');
    await db.collection(name).insertOne({ a: 1 });
    await expect(db.command({ count: name, skip: -1 })).rejects.toMatchObject({ code: 51024 });
  });
});

describe('$text inside $and', () => {
  test('when $text sits in an $and with another condition, then both apply', async () => {
    const coll = db.collection(uniqueName('and'));
    await coll.createIndex({ content: 'text' });
    await coll.insertMany([
      { kind: 'a', content: 'volcano facts' },
      { kind: 'b', content: 'volcano myths' },
      { kind: 'a', content: 'ocean facts' },
    ]);
    const found = await coll
      .find({ $and: [{ $text: { $search: 'volcano' } }, { kind: 'a' }] }, { projection: { _id: 0 } })
      .toArray();
    expect(found).toEqual([{ kind: 'a', content: 'volcano facts' }]);
  });

  test('when two $text clauses are given, then the query fails with BadValue', async () => {
    const coll = db.collection(uniqueName('and'));
    await coll.createIndex({ content: 'text' });
    await coll.insertOne({ content: 'x' });
    const find = coll.find({ $and: [{ $text: { $search: 'a' } }, { $text: { $search: 'b' } }] }).toArray();
    await expect(find).rejects.toMatchObject({ code: 2 });
  });
});

describe('compound text index', () => {
  test('when a compound text index has a prefix field, then $text needs an equality on it, as the planner does', async () => {
    const coll = db.collection(uniqueName('compound'));
    await coll.createIndex({ userId: 1, content: 'text' });
    await coll.insertMany([
      { userId: 'u1', content: 'volcano' },
      { userId: 'u2', content: 'volcano' },
    ]);
    await expect(coll.countDocuments({ $text: { $search: 'volcano' } })).rejects.toMatchObject({
      message: expect.stringContaining('failed to use text index to satisfy $text query'),
    });
    await expect(coll.countDocuments({ userId: 'u1', $text: { $search: 'volcano' } })).resolves.toBe(1);
  });
});

describe('text tokens', () => {
  test('when words are joined by _, then each joined word is one token and its parts find nothing', async () => {
    const coll = db.collection(uniqueName('tokens'));
    await coll.createIndex({ content: 'text' });
    await coll.insertOne({ content: 'learning snake_case with #node_js' });
    const count = (search: string) => coll.countDocuments({ $text: { $search: search } });
    await expect(count('snake_case')).resolves.toBe(1);
    await expect(count('node_js')).resolves.toBe(1);
    await expect(count('snake')).resolves.toBe(0);
    await expect(count('node')).resolves.toBe(0);
  });

  test("when English text has an apostrophe, then the word keeps it and a stop word like don't is dropped", async () => {
    const coll = db.collection(uniqueName('tokens'));
    await coll.createIndex({ content: 'text' });
    await coll.insertOne({ content: "don't panic" });
    await expect(coll.countDocuments({ $text: { $search: "don't" } })).resolves.toBe(0);
    await expect(coll.countDocuments({ $text: { $search: 'panic' } })).resolves.toBe(1);
  });
});

describe('sorting by an array field', () => {
  test('when find and aggregate sort by an array field, then arrays sort by their smallest or largest element', async () => {
    const coll = db.collection(uniqueName('sort'));
    await coll.insertMany([
      { n: 1, a: [3, 1] },
      { n: 2, a: 2 },
      { n: 3, a: [0, 5] },
      { n: 4 },
      { n: 5, a: [] },
    ]);
    const order = async (dir: 1 | -1) =>
      (await coll.find({}).sort({ a: dir, n: 1 }).toArray()).map((d) => d.n);
    const aggregated = await coll
      .aggregate([{ $sort: { a: -1, n: 1 } }, { $project: { _id: 0, n: 1 } }])
      .toArray();
    await expect(order(1)).resolves.toEqual([5, 4, 3, 1, 2]);
    await expect(order(-1)).resolves.toEqual([3, 1, 2, 4, 5]);
    expect(aggregated.map((d) => d.n as number)).toEqual([3, 1, 2, 4, 5]);
  });
});

describe('query operators mingo answers differently', () => {
  const docs = [
    { n: 1, a: 5 },
    { n: 2, a: 'x' },
    { n: 3, a: null },
    { n: 4 },
    { n: 5, a: [1, 10] },
    { n: 6, a: ['x', 'y'] },
    { n: 7, a: [null, 10] },
  ];

  test.each([
    ['$gte: null', { a: { $gte: null } }, [3, 4, 7]],
    ['$lte: null', { a: { $lte: null } }, [3, 4, 7]],
    ['$type: string', { a: { $type: 'string' } }, [2, 6]],
    ['$type: number', { a: { $type: 'number' } }, [1, 5, 7]],
    ['$mod', { a: { $mod: [5, 0] } }, [1, 5, 7]],
    ['$not $type', { a: { $not: { $type: 'string' } } }, [1, 3, 4, 5, 7]],
  ])(
    'when a filter uses %s, then arrays and missing fields count as mongod counts them',
    async (_label, filter, expected) => {
      const coll = db.collection(uniqueName('ops'));
      await coll.insertMany(docs.map((d) => ({ ...d })));
      const found = await coll.find(filter).sort({ n: 1 }).toArray();
      const matched = await coll.aggregate([{ $match: filter }, { $sort: { n: 1 } }]).toArray();
      expect(found.map((d) => d.n as number)).toEqual(expected);
      expect(matched.map((d) => d.n as number)).toEqual(expected);
    },
  );
});

describe('client errors versus server errors', () => {
  // A bug of the in-memory server itself is InternalError (code 1), unit-tested in error-reply.unit.test.ts;
  // mongod has no such case. What both must agree on is that the client's mistakes are not code 1.
  test('when a filter uses an unknown operator, then the error is BadValue, the client-error code', async () => {
    const coll = db.collection(uniqueName('bad'));
    await coll.insertOne({ a: 1 });
    await expect(coll.find({ a: { $notAnOperator: 1 } }).toArray()).rejects.toMatchObject({ code: 2 });
  });
});

describe('bad input', () => {
  test('when a command has an option mongod does not know, then it fails with the IDL unknown-field error', async () => {
    const name = uniqueName('opts');
    await expect(db.command({ find: name, bogusOption: 1 })).rejects.toMatchObject({
      code: 40415,
      message: expect.stringMatching(/bogusOption' is an unknown field/),
    });
  });

  test('when an unknown command is sent, then it fails with CommandNotFound', async () => {
    await expect(db.command({ notACommand: 1 })).rejects.toMatchObject({ code: 59 });
  });
});
