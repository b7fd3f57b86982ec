import http from 'node:http';
import { closeServer, listen } from '../src';

describe('closeServer', () => {
  test('when a keep-alive client keeps sending during shutdown, then every request is answered and the server closes', async () => {
    // Arrange: a slow handler and a client that reuses one pooled socket without pause
    const server = http.createServer((_req, res) => {
      setTimeout(() => res.end('ok'), 20);
    });
    const port = await listen(server, 0, '127.0.0.1');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<number>((resolve, reject) => {
        http
          .get({ port, host: '127.0.0.1', agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
    let sending = true;
    const statuses: number[] = [];
    const errors: unknown[] = [];
    const load = (async () => {
      while (sending)
        await get().then(
          (s) => statuses.push(s),
          (e: unknown) => errors.push(e),
        );
    })();
    await get();

    // Act
    const started = Date.now();
    await closeServer(server);
    const tookMs = Date.now() - started;
    sending = false;
    await load;
    agent.destroy();

    // Assert: closed promptly; requests after the close may be refused, but none was cut mid-way
    expect(tookMs).toBeLessThan(2_000);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(errors.map(() => 'ECONNREFUSED'));
  });
});
