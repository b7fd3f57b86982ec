// @ts-check
'use strict';
// Throughput of the in-memory MongoDB through the official driver: `npm run bench -w @social/testkit`.
// Not a test: it prints numbers; the aim is >= 10,000 find-by-_id per second through the driver. The server
// runs once in this process (as under jest) and once as the CLI in a child process (as for `npm run dev`),
// because in one process the driver and the server share a single CPU core. To keep the numbers honest it
// also prints what each side costs in CPU per request, and what the same driver reaches against a server that
// does no work at all (a canned reply): that is the ceiling any server can get through this driver here.
const { spawn } = require('node:child_process');
const { Buffer } = require('node:buffer');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { BSON, Long, MongoClient, ObjectId } = require('mongodb');
const { loadTestkit } = require('../bin/load-testkit');

const DOCS = Number(process.env.BENCH_DOCS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/** CPU seconds (user + system) process `pid` has used, from /proc; undefined where there is none. */
function cpuSecondsOf(/** @type {number | undefined} */ pid) {
  if (pid === undefined || !fs.existsSync(`/proc/${pid}/stat`)) return undefined;
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (100 Hz)
}

/**
 * @typedef {{ wall: number; cpu?: number; clientUs?: number; serverUs?: number }} Rate
 * Runs `op(i)` for i in [0, count) with `concurrency` in flight. Returns wall-clock ops/s, ops per CPU second of
 * this process, and CPU microseconds per op of this process and (when `serverPid` is given) of the server.
 * @param {number} count @param {number} concurrency @param {(i: number) => Promise<unknown>} op
 * @param {number} [serverPid]
 * @returns {Promise<Rate>}
 */
async function opsPerSecond(count, concurrency, op, serverPid) {
  let next = 0;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const serverBefore = cpuSecondsOf(serverPid);
  const worker = async () => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const serverAfter = cpuSecondsOf(serverPid);
  const serverSeconds =
    serverBefore !== undefined && serverAfter !== undefined ? serverAfter - serverBefore : undefined;
  return {
    wall: Math.round(count / seconds),
    cpu: Math.round(count / cpuSeconds),
    clientUs: Math.round((cpuSeconds / count) * 1e6),
    serverUs: serverSeconds === undefined ? undefined : Math.round((serverSeconds / count) * 1e6),
  };
}

/** One OP_MSG `find` by _id, framed by hand, as the driver would send it. @param {unknown} id */
function findByIdMessage(id, requestId) {
  const body = BSON.serialize({
    find: 'posts',
    filter: { _id: id },
    limit: 1,
    singleBatch: true,
    $db: 'bench',
  });
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + body.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(2013, 12);
  return Buffer.concat([header, body]);
}

/**
 * find-by-_id over raw sockets, without the driver: the server's own capacity, since on a small machine the
 * driver's per-call CPU cost caps the numbers above.
 * @param {string} uri @param {unknown[]} ids
 */
async function rawFindById(uri, ids) {
  const [host, port] = uri.replace('mongodb://', '').split(':');
  const messages = ids.slice(0, 1000).map((id, i) => findByIdMessage(id, i + 1));
  let next = 0;
  /** @returns {Promise<void>} */
  const worker = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), host);
      socket.setNoDelay(true);
      let pending = Buffer.alloc(0);
      const send = () => {
        if (next >= DOCS) {
          socket.destroy();
          resolve();
          return;
        }
        socket.write(/** @type {Buffer} */ (messages[next++ % messages.length]));
      };
      socket.on('connect', send);
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
          pending = pending.subarray(pending.readInt32LE(0));
          send();
        }
      });
    });
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return Math.round(DOCS / (Number(process.hrtime.bigint() - started) / 1e9));
}

/** @param {string} uri @param {number} [serverPid] @returns {Promise<Array<[string, Rate]>>} */
async function measure(uri, serverPid) {
  const client = await MongoClient.connect(`${uri}/bench`, { maxPoolSize: CONCURRENCY });
  try {
    const coll = client.db().collection('posts');
    await coll.createIndex({ userId: 1 });
    /** @type {unknown[]} */
    const ids = [];
    /** @param {number} i */
    const doc = (i) => ({
      userId: `u${i % 100}`,
      content: `post number ${i} about running`,
      createdAt: new Date(),
    });
    /** @param {number} i */
    const insert = async (i) => {
      ids.push((await coll.insertOne(doc(i))).insertedId);
    };
    /** @param {number} i */
    const findById = (i) => coll.findOne({ _id: ids[i % ids.length] });
    return [
      ['insertOne, 1 in flight', await opsPerSecond(DOCS / 2, 1, insert)],
      [`insertOne, ${CONCURRENCY} in flight`, await opsPerSecond(DOCS / 2, CONCURRENCY, insert)],
      ['findOne by _id, 1 in flight', await opsPerSecond(DOCS, 1, findById, serverPid)],
      [
        `findOne by _id, ${CONCURRENCY} in flight`,
        await opsPerSecond(DOCS, CONCURRENCY, findById, serverPid),
      ],
      [`find by _id, raw wire, ${CONCURRENCY} sockets`, { wall: await rawFindById(uri, ids) }],
    ];
  } finally {
    await client.close();
  }
}

async function inProcess() {
  const server = await loadTestkit().startInMemoryMongo();
  try {
    return await measure(server.uri);
  } finally {
    await server.stop();
  }
}

async function childProcess() {
  const child = spawn(
    process.execPath,
    [path.join(__dirname, '..', 'bin', 'social-mongo-memory.js'), '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const uri = await new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      readline.createInterface({ input: child.stdout }).on('line', (line) => {
        const match = /listening on (mongodb:\/\/\S+)/.exec(line);
        if (match) resolve(match[1]);
      });
    });
    return await measure(String(uri), child.pid);
  } finally {
    child.kill();
  }
}

/**
 * A server that answers every request with a reply prepared in advance (a hello, or a find returning one
 * document): no parsing, no lookup. What the driver reaches against it is its own ceiling on this machine.
 * @returns {Promise<Array<[string, Rate]>>}
 */
async function cannedReplies() {
  const frame = (/** @type {import('mongodb').Document} */ reply, /** @type {boolean} */ legacy) => {
    const body = BSON.serialize(reply);
    const head = Buffer.alloc(legacy ? 36 : 21);
    head.writeInt32LE(head.length + body.length, 0);
    head.writeInt32LE(legacy ? 1 : 2013, 12);
    if (legacy) head.writeInt32LE(1, 32); // OP_REPLY numberReturned
    return Buffer.concat([head, body]);
  };
  const hello = {
    helloOk: true,
    ismaster: true,
    maxBsonObjectSize: 16_777_216,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    logicalSessionTimeoutMinutes: 30,
    minWireVersion: 0,
    maxWireVersion: 21,
    ok: 1,
  };
  const doc = {
    _id: new ObjectId(),
    userId: 'u1',
    content: 'post number 1 about running',
    createdAt: new Date(),
  };
  const replies = {
    legacyHello: frame(hello, true),
    hello: frame(hello, false),
    find: frame({ cursor: { id: Long.ZERO, ns: 'bench.posts', firstBatch: [doc] }, ok: 1 }, false),
  };
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const message = pending.subarray(0, pending.readInt32LE(0));
        pending = pending.subarray(message.length);
        const legacy = message.readInt32LE(12) === 2004;
        const reply = Buffer.from(
          legacy ? replies.legacyHello : message.includes('find') ? replies.find : replies.hello,
        );
        reply.writeInt32LE(message.readInt32LE(4), 8); // responseTo
        socket.write(reply);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {net.AddressInfo} */ (server.address());
  const client = await MongoClient.connect(`mongodb://127.0.0.1:${address.port}/bench`, {
    maxPoolSize: CONCURRENCY,
  });
  try {
    const findById = () => client.db().collection('posts').findOne({ _id: doc._id });
    return [[`findOne by _id, ${CONCURRENCY} in flight`, await opsPerSecond(DOCS, CONCURRENCY, findById)]];
  } finally {
    await client.close();
    server.close();
  }
}

/** @param {string} name @param {Rate} rate */
function row(name, rate) {
  const cpu = rate.cpu === undefined ? '' : `   ${String(rate.cpu).padStart(8)} ops per CPU-second`;
  const costs = [
    rate.clientUs === undefined ? '' : `this process ${rate.clientUs} µs`,
    rate.serverUs === undefined ? '' : `server ${rate.serverUs} µs`,
  ].filter(Boolean);
  const perOp = costs.length ? `   CPU per op: ${costs.join(', ')}` : '';
  return `  ${name.padEnd(34)} ${String(rate.wall).padStart(8)} ops/s${cpu}${perOp}`;
}

async function main() {
  const load = os.loadavg().map((n) => n.toFixed(2));
  console.log(`in-memory MongoDB through the mongodb driver, ${DOCS} documents, node ${process.version}`);
  console.log(
    `${os.cpus().length} CPUs, load average ${load.join(' ')} (a shared machine makes every number lower)`,
  );
  let bestDriver = 0;
  let bestRaw = 0;
  let ceiling = 0;
  for (const [label, run] of /** @type {const} */ ([
    ['server in this process', inProcess],
    ['server in a child process', childProcess],
    ['canned replies (the driver alone: no server work at all)', cannedReplies],
  ])) {
    console.log(`\n${label}`);
    for (const [name, rate] of await run()) {
      console.log(row(name, rate));
      if (run === cannedReplies) ceiling = Math.max(ceiling, rate.wall);
      else if (name.startsWith('findOne')) bestDriver = Math.max(bestDriver, rate.wall);
      if (name.startsWith('find by _id, raw')) bestRaw = Math.max(bestRaw, rate.wall);
    }
  }
  const verdict = (/** @type {number} */ rate) => (rate >= 10_000 ? 'met' : 'NOT met');
  console.log(
    `\nfind-by-_id aim 10000/s through the driver: best ${bestDriver}/s (${verdict(bestDriver)}); ` +
      `the same driver against canned replies: ${ceiling}/s; server alone (raw wire): ${bestRaw}/s`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
