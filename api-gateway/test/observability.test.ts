import request from 'supertest';
import { createTestUser, waitFor } from '@social/testkit/helpers';
import { buildGateway, type TestGateway } from './support/gateway';
import { startUpstreamStub, type UpstreamStub } from './support/upstream-stub';

let stub: UpstreamStub;
let gw: TestGateway;
const alice = createTestUser();

beforeAll(async () => {
  stub = await startUpstreamStub();
  gw = buildGateway({ upstream: stub.url });
});
afterAll(async () => {
  await gw.close();
  await stub.close();
});

describe('access log and metrics', () => {
  test('when a proxied request completes, then one access-log line carries request id, user id and status', async () => {
    // Act
    await request(gw.app).get('/v1/posts/all-posts').set(alice.auth).set('x-request-id', 'obs-1').expect(200);
    // Assert
    const line = await waitFor(() =>
      gw.logs.find((l) => l.message === 'request completed' && l.requestId === 'obs-1'),
    );
    expect(line).toMatchObject({ service: 'api-gateway', userId: alice.id, method: 'GET', status: 200 });
  });

  test('when a login is proxied, then neither the password nor the token is logged', async () => {
    await request(gw.app)
      .post('/v1/auth/login')
      .set(alice.auth)
      .send({ email: 'a@example.com', password: 'hunter2-secret' })
      .expect(200);
    const all = JSON.stringify(gw.logs);
    expect(all).not.toContain('hunter2-secret');
    expect(all).not.toContain(alice.token);
  });

  test('when requests are proxied, then the HTTP histogram records them', async () => {
    await request(gw.app).get('/v1/search/posts?query=x').set(alice.auth).expect(200);
    const res = await request(gw.internal).get('/metrics');
    expect(res.text).toMatch(/http_request_duration_seconds_count\{[^}]*status_code="200"[^}]*\} \d+/);
  });
});
