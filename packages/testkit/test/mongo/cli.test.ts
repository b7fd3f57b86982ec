import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import { MongoClient } from 'mongodb';

const CLI = path.join(__dirname, '..', '..', 'bin', 'social-mongo-memory.js');

function listeningUri(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('CLI did not report its address')), 15_000);
    child.once('exit', (code) => reject(new Error(`CLI exited early with ${String(code)}`)));
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const match = /listening on (mongodb:\/\/\S+)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
}

describe('social-mongo-memory CLI', () => {
  test('when started with --port 0, then it prints the banner and a uri that serves the driver', async () => {
    const child = spawn(process.execPath, [CLI, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const uri = await listeningUri(child);
      const client = await MongoClient.connect(`${uri}/cli_test`);
      await expect(client.db().admin().ping()).resolves.toMatchObject({ ok: 1 });
      await client.close();
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  }, 30_000);

  test('when the port is not a number, then it prints the usage and exits with 2', async () => {
    const child = spawn(process.execPath, [CLI, '--port', 'abc'], { stdio: 'ignore' });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
  });
});
