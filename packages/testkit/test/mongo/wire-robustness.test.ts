import net from 'node:net';
import { BSON } from 'bson';
import { MongoClient, type Db } from 'mongodb';
import { startMongo, type TestMongo } from '../../src';
import { waitFor } from '../../src/helpers';
import { hostAndPort, opMsg, rawConnection, replyBody } from './raw-wire';

let mongo: TestMongo;
let client: MongoClient;
let db: Db;

/** Writes raw bytes and resolves with whatever came back once the server closes the socket. */
function sendRaw(bytes: Buffer, { waitForClose = true } = {}): Promise<{ reply: Buffer; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(hostAndPort(mongo.uri));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const reply = Buffer.concat(chunks);
      if (!waitForClose && reply.length >= 4 && reply.length >= reply.readInt32LE(0)) {
        socket.destroy();
        resolve({ reply, closed: false });
      }
    });
    socket.on('close', () => resolve({ reply: Buffer.concat(chunks), closed: true }));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error('server neither answered nor closed'));
    });
    socket.write(bytes);
  });
}

function opQueryHello(): Buffer {
  const query = BSON.serialize({ ismaster: 1, helloOk: true });
  const ns = Buffer.from('admin.$cmd\0');
  const body = Buffer.alloc(4 + ns.length + 8);
  ns.copy(body, 4);
  body.writeInt32LE(-1, 4 + ns.length + 4); // numberToReturn
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + body.length + query.length, 0);
  header.writeInt32LE(7, 4);
  header.writeInt32LE(2004, 12);
  return Buffer.concat([header, body, query]);
}

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

describe('wire protocol robustness', () => {
  test('when a legacy OP_QUERY hello arrives, then an OP_REPLY with one hello document answers it', async () => {
    const { reply } = await sendRaw(opQueryHello(), { waitForClose: false });
    expect(reply.readInt32LE(8)).toBe(7); // responseTo
    expect(reply.readInt32LE(12)).toBe(1); // OP_REPLY
    expect(reply.readBigInt64LE(20)).toBe(0n); // cursorID
    expect(reply.readInt32LE(32)).toBe(1); // numberReturned
    expect(BSON.deserialize(reply.subarray(36))).toMatchObject({
      ismaster: true,
      maxWireVersion: expect.any(Number),
      ok: 1,
    });
  });

  test('when garbage bytes arrive, then that connection is closed and the server keeps answering', async () => {
    const garbage = Buffer.concat([
      Buffer.from([40, 0, 0, 0]),
      Buffer.from('this is not a mongo message!!!!!!!!!!!'),
    ]);
    const { closed } = await sendRaw(garbage);
    expect(closed).toBe(true);
    await expect(db.command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  });

  test('when a header claims a 2 GB message, then the connection is closed without buffering it', async () => {
    const header = Buffer.alloc(16);
    header.writeInt32LE(0x7fffffff, 0);
    header.writeInt32LE(2013, 12);
    await expect(sendRaw(header)).resolves.toMatchObject({ closed: true });
    await expect(db.command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  });

  test('when an OP_MSG sets unknown required flag bits, then that connection is closed and others are unaffected', async () => {
    const message = opMsg({ ping: 1, $db: 'admin' }, 9);
    message.writeUInt32LE(1 << 4, 16); // bit 4: required (0-15) and undefined
    await expect(sendRaw(message)).resolves.toMatchObject({ closed: true });
    await expect(db.command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
  });

  test('when an OP_MSG body is corrupt BSON, then that request gets InvalidBSON and the connection keeps serving', async () => {
    const connection = await rawConnection(mongo.uri);
    const corrupt = Buffer.from([0x0c, 0, 0, 0, 0x02, 0x61, 0, 0xff, 0xff, 0xff, 0x7f, 0]);
    const bad = opMsg({}, 1);
    const message = Buffer.concat([bad.subarray(0, 21), corrupt]);
    message.writeInt32LE(message.length, 0);
    const badReply = replyBody(await connection.send(message));
    const pingReply = replyBody(await connection.send(opMsg({ ping: 1, $db: 'admin' }, 2)));
    connection.close();
    expect(badReply).toMatchObject({ ok: 0, code: 22 });
    expect(pingReply).toMatchObject({ ok: 1 });
  });

  test('when a write is unacknowledged (w: 0), then no reply is expected and the write still lands', async () => {
    const coll = db.collection('fire_and_forget');
    await coll.insertOne({ marker: 'w0' }, { writeConcern: { w: 0 } });
    await waitFor(async () => (await coll.countDocuments({ marker: 'w0' })) === 1);
  });

  test('when a command has a malformed operator, then it gets an error reply and the connection survives', async () => {
    const coll = db.collection('bad_ops');
    await coll.insertOne({ a: 1 });
    await expect(coll.find({ a: { $notAnOperator: 1 } }).toArray()).rejects.toMatchObject({
      code: expect.any(Number),
    });
    await expect(coll.countDocuments()).resolves.toBe(1);
  });
});
