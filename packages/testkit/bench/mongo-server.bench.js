// @ts-check
'use strict';
// Throughput of the in-memory MongoDB through the official driver: `npm run bench -w @social/testkit`.
// Not a test: it prints numbers; the target is >= 10,000 find-by-_id per second. The server runs once in
// this process (as under jest) and once as the CLI in a child process (as for `npm run dev`), because in one
// process the driver and the server share a single CPU core.
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const { MongoClient } = require('mongodb');
const { loadTestkit } = require('../bin/load-testkit');

const DOCS = Number(process.env.BENCH_DOCS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

/** Runs `op(i)` for i in [0, count) with `concurrency` in flight; returns operations per second. */
async function opsPerSecond(count, concurrency, op) {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return Math.round(count / seconds);
}

/** @param {string} uri @returns {Promise<Array<[string, number]>>} */
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
  let best = 0;
  for (const [label, run] of /** @type {const} */ ([
    ['server in this process', inProcess],
    ['server in a child process', childProcess],
  ])) {
    console.log(`\n${label}`);
    for (const [name, rate] of await run()) {
      console.log(`  ${name.padEnd(30)} ${String(rate).padStart(8)} ops/s`);
      if (name.startsWith('findOne')) best = Math.max(best, rate);
    }
  }
  console.log(`\nfind-by-_id: best ${best}/s, target 10000/s ${best >= 10_000 ? 'met' : 'NOT met'}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
