import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

describe('a jest run', () => {
  test('when several test files start a MongoDB, then the backend is announced once, not once per file', () => {
    // Two files, each calling startMongo(), run in separate workers as in `npm test`.
    const run = spawnSync(
      process.execPath,
      [
        path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'),
        '-c',
        'packages/testkit/jest.config.ts',
        '--maxWorkers=2',
        'packages/testkit/test/mongo/ttl.test.ts',
        'packages/testkit/test/mongo/indexes.test.ts',
      ],
      // Without the flag a parent run may have set, so this run announces for itself.
      { cwd: root, encoding: 'utf8', env: { ...process.env, SOCIAL_TESTKIT_MONGO_REPORTED: '' } },
    );

    expect(run.status).toBe(0);
    const announcements = `${run.stdout}${run.stderr}`
      .split('\n')
      .filter((l) => l.includes('[@social/testkit] MongoDB'));
    expect(announcements).toHaveLength(1);
  });
});
