// @ts-check
'use strict';
// Throughput of the in-memory MongoDB through the official driver: `npm run bench -w @social/testkit`.
// Not a test: it prints numbers; the target is >= 10,000 find-by-_id per second. The server runs once in
// this process (as under jest) and once as the CLI in a child process (as for `npm run dev`), because in one
// process the driver and the server share a single CPU core.
const { spawn } = require('node:child_process');
const { Buffer } = require('node:buffer');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const { BSON, MongoClient } = require('mongodb');
const { loadTestkit } = require('../bin/load-testkit');

const DOCS = Number(process.env.BENCH_DOCS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/**
 * Runs `op(i)` for i in [0, count) with `concurrency` in flight. Returns wall-clock ops/s and ops per CPU
 * second of this process: on a busy machine the second number shows what one free core would do.
 * @returns {Promise<{ wall: number; cpu: number }>}
 */
async function opsPerSecond(count, concurrency, op) {
  let next = 0;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const worker = async () => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { wall: Math.round(count / seconds), cpu: Math.round(count / cpuSeconds) };
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

/** @param {string} uri @returns {Promise<Array<[string, { wall: number; cpu?: number }]>>} */
async function measure(uri) {
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
      ['findOne by _id, 1 in flight', await opsPerSecond(DOCS, 1, findById)],
      [`findOne by _id, ${CONCURRENCY} in flight`, await opsPerSecond(DOCS, CONCURRENCY, findById)],
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
    return await measure(String(uri));
  } finally {
    child.kill();
  }
}

async function main() {
  console.log(`in-memory MongoDB through the mongodb driver, ${DOCS} documents, node ${process.version}`);
  let bestDriver = 0;
  let bestRaw = 0;
  for (const [label, run] of /** @type {const} */ ([
    ['server in this process', inProcess],
    ['server in a child process', childProcess],
  ])) {
    console.log(`\n${label}`);
    for (const [name, rate] of await run()) {
      const cpu = rate.cpu === undefined ? '' : `   ${String(rate.cpu).padStart(8)} ops per CPU-second`;
      console.log(`  ${name.padEnd(34)} ${String(rate.wall).padStart(8)} ops/s${cpu}`);
      if (name.startsWith('findOne')) bestDriver = Math.max(bestDriver, rate.wall);
      if (name.startsWith('find by _id, raw')) bestRaw = Math.max(bestRaw, rate.wall);
    }
  }
  const verdict = (/** @type {number} */ rate) => (rate >= 10_000 ? 'met' : 'NOT met');
  console.log(
    `\nfind-by-_id target 10000/s: driver best ${bestDriver}/s (${verdict(bestDriver)}), server alone ${bestRaw}/s (${verdict(bestRaw)})`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
