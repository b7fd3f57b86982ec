import request from 'supertest';
import { captureLogger } from '@social/testkit/helpers';
import { createReadinessProbe, type Readiness } from '../src/health';
import { createInternalApp } from '../src/http';
import { createMetrics } from '../src/metrics';

const up = async (): Promise<void> => undefined;
const down = (reason: string) => async (): Promise<void> => {
  throw new Error(reason);
};

function internalApp(readiness: Readiness) {
  const { log, lines } = captureLogger('test');
  const metrics = createMetrics('test', { defaultMetrics: false });
  const probe = createReadinessProbe(readiness, { log, registry: metrics.registry });
  return { app: createInternalApp({ log, metrics, probe }), probe, lines };
}

describe('GET /ready on the internal port', () => {
  test('when every dependency answers, then 200 "ready" with each check', async () => {
    const { app } = internalApp({ required: { mongo: up }, optional: { redis: up } });

    const res = await request(app).get('/ready');

    expect(res).toMatchObject({
      status: 200,
      body: { success: true, status: 'ready', checks: { mongo: 'up', redis: 'up' } },
    });
  });

  test('when only an optional dependency is down, then 200 "degraded": the service still serves', async () => {
    const { app } = internalApp({ required: { mongo: up }, optional: { redis: down('ECONNREFUSED') } });

    const res = await request(app).get('/ready');

    expect(res).toMatchObject({
      status: 200,
      body: { success: true, status: 'degraded', checks: { mongo: 'up', redis: 'down' } },
    });
  });

  test('when a required dependency is down, then 503 "not ready" in the error shape', async () => {
    const { app } = internalApp({
      required: { mongo: down('server selection timed out') },
      optional: { redis: up },
    });

    const res = await request(app).get('/ready');

    expect(res).toMatchObject({
      status: 503,
      body: {
        success: false,
        status: 'not ready',
        message: 'Not ready to serve',
        requestId: expect.any(String),
        checks: { mongo: 'down', redis: 'up' },
      },
    });
  });

  test('when a check hangs, then it counts as down after the timeout instead of holding the probe', async () => {
    const { app } = internalApp({ required: { mongo: () => new Promise(() => undefined) }, timeoutMs: 50 });

    const res = await request(app).get('/ready');

    expect(res).toMatchObject({ status: 503, body: { checks: { mongo: 'down' } } });
  });

  test('when the process starts shutting down, then 503 "shutting down" so traffic moves elsewhere', async () => {
    const { app, probe } = internalApp({ required: { mongo: up } });

    probe.shuttingDown();
    const res = await request(app).get('/ready');

    expect(res).toMatchObject({ status: 503, body: { status: 'shutting down', checks: { mongo: 'up' } } });
  });

  test('when details are given, then they are shown', async () => {
    const { app } = internalApp({ required: { mongo: up }, details: () => ({ outboxBacklog: 3 }) });

    const res = await request(app).get('/ready');

    expect(res.body.details).toEqual({ outboxBacklog: 3 });
  });

  test('when the details hang (their database is away), then the probe answers after the timeout without them', async () => {
    const { app } = internalApp({
      required: { mongo: up },
      details: () => new Promise<Record<string, unknown>>(() => undefined),
      timeoutMs: 50,
    });

    const res = await request(app).get('/ready').timeout(2_000);

    expect(res).toMatchObject({ status: 200, body: { status: 'ready', details: {} } });
  });

  test('when the details throw, then the probe still answers with the checks instead of a 500', async () => {
    const { app } = internalApp({
      required: { mongo: up },
      details: () => {
        throw new Error('outbox store unavailable');
      },
    });

    const res = await request(app).get('/ready');

    expect(res).toMatchObject({ status: 200, body: { checks: { mongo: 'up' }, details: {} } });
  });
});

describe('dependency state in logs and metrics', () => {
  test('when a dependency fails several probes and comes back, then one warning with the reason and one recovery line', async () => {
    let healthy = false;
    const { app, lines } = internalApp({
      required: { mongo: up },
      optional: { redis: () => (healthy ? up() : down('connect ECONNREFUSED 127.0.0.1:6379')()) },
    });

    await request(app).get('/ready');
    await request(app).get('/ready');
    await request(app).get('/ready');
    healthy = true;
    await request(app).get('/ready');
    await request(app).get('/ready');

    expect(lines.filter((l) => l.message.startsWith('dependency'))).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'dependency unavailable',
        dependency: 'redis',
        required: false,
        reason: 'connect ECONNREFUSED 127.0.0.1:6379',
      }),
      expect.objectContaining({ level: 'info', message: 'dependency available again', dependency: 'redis' }),
    ]);
  });

  test('when probed, then /metrics has dependency_up per dependency', async () => {
    const { app } = internalApp({ required: { mongo: up }, optional: { rabbitmq: down('closed') } });

    await request(app).get('/ready');
    const res = await request(app).get('/metrics');

    expect(res.text).toContain('dependency_up{dependency="mongo",required="true",service="test"} 1');
    expect(res.text).toContain('dependency_up{dependency="rabbitmq",required="false",service="test"} 0');
  });
});
