// @ts-check
'use strict';
// Throughput of the in-memory MongoDB through the official driver: `npm run bench -w @social/testkit`.
// Not a test: it prints numbers; the target is >= 10,000 find-by-_id per second.
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

async function main() {
  const { startInMemoryMongo } = loadTestkit();
  const server = await startInMemoryMongo();
  const client = await MongoClient.connect(`${server.uri}/bench`, { maxPoolSize: CONCURRENCY });
  const coll = client.db().collection('posts');
  await coll.createIndex({ userId: 1 });
  const ids = [];
  try {
    const doc = (i) => ({
      userId: `u${i % 100}`,
      content: `post number ${i} about running`,
      createdAt: new Date(),
    });
    const insertSerial = await opsPerSecond(DOCS / 2, 1, async (i) => {
      ids.push((await coll.insertOne(doc(i))).insertedId);
    });
    const insertParallel = await opsPerSecond(DOCS / 2, CONCURRENCY, async (i) => {
      ids.push((await coll.insertOne(doc(i))).insertedId);
    });
    const findSerial = await opsPerSecond(DOCS, 1, (i) => coll.findOne({ _id: ids[i % ids.length] }));
    const findParallel = await opsPerSecond(DOCS, CONCURRENCY, (i) =>
      coll.findOne({ _id: ids[i % ids.length] }),
    );
    const rows = [
      ['insertOne, 1 in flight', insertSerial],
      [`insertOne, ${CONCURRENCY} in flight`, insertParallel],
      ['findOne by _id, 1 in flight', findSerial],
      [`findOne by _id, ${CONCURRENCY} in flight`, findParallel],
    ];
    console.log(`in-memory MongoDB, ${ids.length} documents, node ${process.version}`);
    for (const [name, rate] of rows)
      console.log(`${String(name).padEnd(32)} ${String(rate).padStart(8)} ops/s`);
    console.log(
      `find-by-_id target 10000/s: ${Math.max(findSerial, findParallel) >= 10_000 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await client.close();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
