#!/usr/bin/env node
// @ts-check
'use strict';
const { parseArgs } = require('node:util');
const { loadTestkit } = require('./load-testkit');

const USAGE = 'usage: social-mongo-memory [--port 27017] [--host 127.0.0.1] [--ttl-sweep-ms 1000]';

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      host: { type: 'string', default: '127.0.0.1' },
      'ttl-sweep-ms': { type: 'string', default: '1000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  const ttlSweepMs = Number(values['ttl-sweep-ms']);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !(ttlSweepMs > 0)) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const { startInMemoryMongo, IN_MEMORY_BANNER } = loadTestkit();
  const server = await startInMemoryMongo({ port, host: values.host, ttlSweepMs });
  console.log(`${IN_MEMORY_BANNER}\nlistening on ${server.uri}`);
  const shutdown = () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
