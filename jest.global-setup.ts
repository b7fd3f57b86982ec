// From source: jest's global setup resolves packages without the @social/source condition the tests use.
import { describeMongoBackend, MONGO_REPORTED_ENV } from './packages/testkit/src/mongo/start-mongo';

/**
 * Runs once in jest's main process before any test file: names the MongoDB the suites use, once per run, and
 * tells the test files (their workers inherit the environment) that it has been said.
 */
export default function announceMongoBackend(): void {
  if (process.env[MONGO_REPORTED_ENV]) return;
  process.env[MONGO_REPORTED_ENV] = '1';
  process.stderr.write(`[@social/testkit] MongoDB for tests: ${describeMongoBackend()}\n`);
}
