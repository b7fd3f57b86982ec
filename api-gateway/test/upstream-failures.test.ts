import request from 'supertest';
import { createTestUser } from '@social/testkit/helpers';
import { buildGateway, type TestGateway } from './support/gateway';
import { closedPort, startUpstreamStub, type UpstreamStub } from './support/upstream-stub';

let stub: UpstreamStub;
let gw: TestGateway;
let down: TestGateway;
const alice = createTestUser();

beforeAll(async () => {
  stub = await startUpstreamStub();
  gw = buildGateway({ upstream: stub.url, env: { PROXY_TIMEOUT_MS: '300' } });
  down = buildGateway({ upstream: `http://127.0.0.1:${await closedPort()}` });
});
afterAll(async () => {
  await gw.close();
  await down.close();
  await stub.close();
});

describe('upstream failures', () => {
  test('when the upstream does not answer in PROXY_TIMEOUT_MS, then 504 JSON with the request id', async () => {
    // Act
    const res = await request(gw.app).get('/v1/posts/hang').set(alice.auth).set('x-request-id', 'slow-1');
    // Assert
    expect(res).toMatchObject({
      status: 504,
      body: { success: false, message: 'post-service did not answer in time', requestId: 'slow-1' },
    });
    expect(stub.received.at(-1)).toMatchObject({ path: '/api/posts/hang' });
  });

  test('when the upstream refuses the connection, then 502 JSON with the request id', async () => {
    const res = await request(down.app)
      .get('/v1/search/posts?query=x')
      .set(alice.auth)
      .set('x-request-id', 'down-1');
    expect(res).toMatchObject({
      status: 502,
      body: { success: false, message: 'search-service is unavailable', requestId: 'down-1' },
    });
  });

  test('when a public upstream is down, then 502 too (no token needed to learn it)', async () => {
    const res = await request(down.app).post('/v1/auth/refresh-token').send({ refreshToken: 'x' });
    expect(res).toMatchObject({ status: 502, body: { success: false, requestId: expect.any(String) } });
  });

  test('when upstreams fail, then the failures are logged and counted by reason', async () => {
    // Arrange
    await request(down.app).get('/v1/media').set(alice.auth);
    // Act
    const metrics = await request(down.internal).get('/metrics');
    // Assert
    expect(metrics.text).toMatch(
      /gateway_upstream_errors_total\{[^}]*upstream="media-service"[^}]*reason="unreachable"[^}]*\} 1/,
    );
    expect(down.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'upstream unreachable', upstream: 'media-service' }),
    );
  });
});
