import mongoose, { Schema, type Connection } from 'mongoose';
import { startMongo, type TestMongo } from '../../src';
import { uniqueName } from '../../src/helpers';

interface UserDoc {
  email: string;
  username: string;
  roles: Array<{ name: string; grantedAt: Date }>;
  logins: number;
  createdAt: Date;
}

const userSchema = new Schema<UserDoc>(
  {
    email: { type: String, required: true, unique: true },
    username: { type: String, required: true, unique: true },
    roles: [{ _id: false, name: String, grantedAt: Date }],
    logins: { type: Number, default: 0 },
  },
  { timestamps: true },
);

const searchEntrySchema = new Schema({ postId: { type: String, unique: true }, content: String, at: Date });

let mongo: TestMongo;
let conn: Connection;
const Users = () => conn.model<UserDoc>('User', userSchema);
const SearchEntries = () => conn.model('SearchEntry', searchEntrySchema);

const buildUser = (overrides: Partial<UserDoc> = {}) => ({
  email: `${uniqueName('u')}@example.com`,
  username: uniqueName('user'),
  ...overrides,
});

beforeAll(async () => {
  mongo = await startMongo();
  conn = await mongoose.createConnection(mongo.uri).asPromise();
  await Users().init();
  await SearchEntries().init();
});

afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
  await mongo.stop();
});

describe('mongoose models on startMongo()', () => {
  test('when the connection opens, then admin ping answers ok', async () => {
    await expect(conn.db?.admin().ping()).resolves.toMatchObject({ ok: 1 });
  });

  test('when autoIndex ran, then the unique indexes exist', async () => {
    const indexes = await Users().listIndexes();
    expect(indexes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'email_1', key: { email: 1 }, unique: true }),
        expect.objectContaining({ name: 'username_1', key: { username: 1 }, unique: true }),
      ]),
    );
  });

  test('when a user is created, then lean() reads it back with timestamps', async () => {
    const input = buildUser();
    const created = await Users().create(input);
    const found = await Users().findById(created._id).lean();
    expect(found).toMatchObject({
      ...input,
      logins: 0,
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
  });

  test('when the email is taken, then create fails with code 11000 and keyValue', async () => {
    const input = buildUser();
    await Users().create(input);
    await expect(Users().create(buildUser({ email: input.email }))).rejects.toMatchObject({
      code: 11000,
      keyPattern: { email: 1 },
      keyValue: { email: input.email },
    });
  });

  test('when two users with the same username are inserted concurrently, then exactly one wins', async () => {
    const username = uniqueName('race');
    const results = await Promise.allSettled([
      Users().create(buildUser({ username })),
      Users().create(buildUser({ username })),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 11000 } });
  });

  test('when updateOne would duplicate a unique field, then it fails with 11000 and changes nothing', async () => {
    const a = await Users().create(buildUser());
    const b = await Users().create(buildUser());
    await expect(Users().updateOne({ _id: b._id }, { $set: { email: a.email } })).rejects.toMatchObject({
      code: 11000,
    });
    await expect(Users().findById(b._id).lean()).resolves.toMatchObject({ email: b.email });
  });

  test('when findOneAndUpdate upserts, then $setOnInsert applies only on insert', async () => {
    const postId = uniqueName('post');
    const first = await SearchEntries()
      .findOneAndUpdate(
        { postId },
        { $set: { content: 'v1' }, $setOnInsert: { at: new Date(1000) } },
        { upsert: true, new: true },
      )
      .lean();
    const second = await SearchEntries()
      .findOneAndUpdate(
        { postId },
        { $set: { content: 'v2' }, $setOnInsert: { at: new Date(2000) } },
        { upsert: true, new: true },
      )
      .lean();
    expect(first).toMatchObject({ postId, content: 'v1', at: new Date(1000) });
    expect(second).toMatchObject({ _id: first?._id, postId, content: 'v2', at: new Date(1000) });
  });

  test('when findOneAndUpdate asks for the old document, then it returns the state before the update', async () => {
    const user = await Users().create(buildUser());
    const before = await Users()
      .findOneAndUpdate({ _id: user._id }, { $inc: { logins: 1 } }, { new: false })
      .lean();
    const after = await Users()
      .findOneAndUpdate({ _id: user._id }, { $inc: { logins: 1 } }, { new: true })
      .lean();
    expect(before?.logins).toBe(0);
    expect(after?.logins).toBe(2);
  });

  test('when findOneAndUpdate upsert hits a unique conflict, then it fails with 11000', async () => {
    const taken = await Users().create(buildUser());
    await expect(
      Users().findOneAndUpdate(
        { username: uniqueName('nobody') },
        { $setOnInsert: { email: taken.email } },
        { upsert: true, new: true },
      ),
    ).rejects.toMatchObject({ code: 11000, keyValue: { email: taken.email } });
  });

  test('when an array element is pulled by field, then only that element goes', async () => {
    const user = await Users().create(
      buildUser({
        roles: [
          { name: 'admin', grantedAt: new Date() },
          { name: 'editor', grantedAt: new Date() },
        ],
      }),
    );
    const res = await Users().updateOne({ _id: user._id }, { $pull: { roles: { name: 'admin' } } });
    expect(res).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    const found = await Users().findById(user._id).lean();
    expect(found?.roles.map((r) => r.name)).toEqual(['editor']);
  });

  test('when finding with sort, skip and limit, then the right page comes back', async () => {
    const tag = uniqueName('page');
    await Users().insertMany(
      [3, 1, 4, 5, 2].map((logins) => buildUser({ username: `${tag}-${logins}`, logins })),
    );
    const page = await Users()
      .find({ username: { $regex: `^${tag}-` } })
      .sort({ logins: -1 })
      .skip(1)
      .limit(2)
      .lean();
    expect(page.map((u) => u.logins)).toEqual([4, 3]);
    await expect(Users().countDocuments({ username: { $regex: `^${tag}-` } })).resolves.toBe(5);
  });

  test('when deleteOne and deleteMany run, then they report and remove what matched', async () => {
    const tag = uniqueName('del');
    await Users().insertMany([1, 2, 3].map((n) => buildUser({ username: `${tag}-${n}` })));
    const one = await Users().deleteOne({ username: `${tag}-1` });
    const many = await Users().deleteMany({ username: { $regex: `^${tag}-` } });
    expect(one.deletedCount).toBe(1);
    expect(many.deletedCount).toBe(2);
    await expect(Users().countDocuments({ username: { $regex: `^${tag}-` } })).resolves.toBe(0);
  });

  test('when updateOne upserts, then the filter fields and $setOnInsert make the new document', async () => {
    const postId = uniqueName('tomb');
    const res = await SearchEntries().updateOne(
      { postId },
      { $setOnInsert: { at: new Date(5) } },
      { upsert: true },
    );
    expect(res).toMatchObject({ upsertedCount: 1, matchedCount: 0 });
    await expect(SearchEntries().findOne({ postId }).lean()).resolves.toMatchObject({
      postId,
      at: new Date(5),
    });
  });
});
