import { MongoClient, type Db } from 'mongodb';
import mongoose, { Schema, type Connection } from 'mongoose';
import { startMongo, type TestMongo } from '../../src';
import { uniqueName } from '../../src/helpers';

interface PostDoc {
  userId: string;
  content: string;
  createdAt: Date;
}

const postSchema = new Schema<PostDoc>({ userId: String, content: String, createdAt: Date });
postSchema.index({ content: 'text' });

let mongo: TestMongo;
let conn: Connection;
let client: MongoClient;
let db: Db;
let seq = 0;
const Posts = () => conn.model<PostDoc>('SearchPost', postSchema);

/** Each test gets its own author so results never mix between tests. */
async function seedPosts(contents: string[]): Promise<string> {
  const userId = uniqueName('author');
  await Posts().insertMany(
    contents.map((content) => ({ userId, content, createdAt: new Date(1_700_000_000_000 + ++seq * 1000) })),
  );
  return userId;
}

async function search(userId: string, query: string): Promise<string[]> {
  const docs = await Posts()
    .find({ $text: { $search: query }, userId }, { score: { $meta: 'textScore' } })
    .sort({ score: { $meta: 'textScore' }, createdAt: -1 })
    .lean();
  return docs.map((d) => d.content);
}

beforeAll(async () => {
  mongo = await startMongo();
  conn = await mongoose.createConnection(mongo.uri).asPromise();
  await Posts().init();
  client = await MongoClient.connect(mongo.uri);
  db = client.db();
});

afterAll(async () => {
  await client.close();
  await conn.dropDatabase();
  await conn.close();
  await mongo.stop();
});

describe('$text search', () => {
  test('when listed, then the text index has the mongod shape', async () => {
    const indexes = await Posts().listIndexes();
    expect(indexes).toContainEqual(
      expect.objectContaining({
        name: 'content_text',
        key: { _fts: 'text', _ftsx: 1 },
        weights: { content: 1 },
        default_language: 'english',
        language_override: 'language',
        textIndexVersion: 3,
      }),
    );
  });

  test('when searching "running", then posts with "runs" and "run" match through stemming', async () => {
    const userId = await seedPosts(['she runs every day', 'a quick run', 'swimming only']);
    const found = await search(userId, 'running');
    expect(found.sort()).toEqual(['a quick run', 'she runs every day']);
  });

  test('when the query is only stop words, then nothing matches', async () => {
    const userId = await seedPosts(['the cat and the hat']);
    await expect(search(userId, 'the and')).resolves.toEqual([]);
  });

  test('when terms are given, then any of them matches (OR)', async () => {
    const userId = await seedPosts(['apples are red', 'bananas are yellow', 'cherries']);
    const found = await search(userId, 'apple banana');
    expect(found.sort()).toEqual(['apples are red', 'bananas are yellow']);
  });

  test('when a phrase is quoted, then only posts containing that exact phrase match', async () => {
    const userId = await seedPosts(['the quick brown fox', 'brown and quick fox']);
    await expect(search(userId, '"quick brown"')).resolves.toEqual(['the quick brown fox']);
  });

  test('when a term is negated, then posts containing it are excluded', async () => {
    const userId = await seedPosts(['red shoes on sale', 'blue shoes on sale']);
    await expect(search(userId, 'shoes -red')).resolves.toEqual(['blue shoes on sale']);
  });

  test('when scores differ, then results are ordered by score, ties by createdAt descending', async () => {
    const userId = await seedPosts([
      'coffee',
      'coffee time with a long sentence around the single mention',
      'coffee lovers drink coffee',
      'coffee',
    ]);
    const docs = await Posts()
      .find({ $text: { $search: 'coffee' }, userId }, { score: { $meta: 'textScore' } })
      .sort({ score: { $meta: 'textScore' }, createdAt: -1 })
      .lean<Array<PostDoc & { score: number }>>();
    const scores = docs.map((d) => d.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(docs[0]?.score).toBeGreaterThan(docs[docs.length - 1]?.score ?? Infinity);
    const single = docs.filter((d) => d.content === 'coffee');
    expect(single).toHaveLength(2);
    expect(single[0]?.createdAt.getTime()).toBeGreaterThan(single[1]?.createdAt.getTime() ?? Infinity);
  });

  test('when textScore is projected, then each document carries a positive number', async () => {
    const userId = await seedPosts(['hiking in the mountains']);
    const [doc] = await Posts()
      .find({ $text: { $search: 'hike' }, userId }, { score: { $meta: 'textScore' }, content: 1 })
      .lean<Array<{ content: string; score: number }>>();
    expect(doc).toEqual({
      _id: expect.anything(),
      content: 'hiking in the mountains',
      score: expect.any(Number),
    });
    expect(doc?.score).toBeGreaterThan(0);
  });

  test('when a collection has no text index, then $text fails with code 27', async () => {
    const coll = db.collection(uniqueName('plain'));
    await coll.insertOne({ content: 'x' });
    await expect(coll.find({ $text: { $search: 'x' } }).toArray()).rejects.toMatchObject({ code: 27 });
  });

  test('when aggregating with $match $text, then the pipeline can sort and project by textScore', async () => {
    const userId = await seedPosts(['garden tools', 'garden garden flowers']);
    const docs = await Posts().aggregate<{ content: string; score: number }>([
      { $match: { $text: { $search: 'garden' }, userId } },
      { $sort: { score: { $meta: 'textScore' } } },
      { $project: { _id: 0, content: 1, score: { $meta: 'textScore' } } },
    ]);
    expect(docs.map((d) => d.content)).toEqual(['garden garden flowers', 'garden tools']);
    expect(docs[0]?.score).toEqual(expect.any(Number));
  });

  test('when fields carry weights, then a match in the heavier field scores higher', async () => {
    const coll = db.collection(uniqueName('weighted'));
    await coll.createIndex({ title: 'text', body: 'text' }, { weights: { title: 10, body: 1 } });
    await coll.insertMany([
      { title: 'other', body: 'volcano facts' },
      { title: 'volcano', body: 'other facts' },
    ]);
    const docs = await coll
      .find(
        { $text: { $search: 'volcano' } },
        { projection: { _id: 0, title: 1, score: { $meta: 'textScore' } } },
      )
      .sort({ score: { $meta: 'textScore' } })
      .toArray();
    expect(docs.map((d) => d.title)).toEqual(['volcano', 'other']);
  });
});
