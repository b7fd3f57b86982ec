import request from 'supertest';
import { verifyAccessToken } from '@social/common/auth';
import { buildRegisterInput, testJwtConfig } from '@social/testkit/helpers';
import {
  allLogText,
  metricValue,
  registerUser,
  sha256Hex,
  startTestApp,
  startTestDatabase,
  type TestDatabase,
  type TestIdentityApp,
} from './support/identity-test-app';

let db: TestDatabase;
let svc: TestIdentityApp;

beforeAll(async () => {
  db = await startTestDatabase();
  svc = await startTestApp(db);
});

afterAll(async () => {
  await svc.close();
  await db.close();
});

const register = (body: unknown) =>
  request(svc.app)
    .post('/api/auth/register')
    .send(body as object);

describe('POST /api/auth/register', () => {
  test('when the input is valid, then 201 with the user, an access token and a refresh token', async () => {
    // Arrange
    const input = buildRegisterInput();
    // Act
    const res = await register(input);
    // Assert
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      user: { id: expect.stringMatching(/^[0-9a-f]{24}$/), username: input.username, email: input.email },
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresIn: 900,
    });
  });

  test('when registered, then the access token verifies with the gateway verifier and carries the claims', async () => {
    const res = await register(buildRegisterInput()).expect(201);

    const verified = verifyAccessToken(testJwtConfig, res.body.accessToken);
    const [, payload] = (res.body.accessToken as string).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;

    expect(verified).toEqual({
      id: res.body.user.id,
      username: res.body.user.username,
      tokenId: expect.any(String),
    });
    expect(claims).toMatchObject({
      sub: res.body.user.id,
      iss: 'social-identity',
      aud: 'social-api',
      jti: expect.any(String),
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
  });

  test('when registered, then the password is stored only as an argon2id hash with the configured cost', async () => {
    const input = buildRegisterInput();

    const res = await register(input).expect(201);

    const stored = await db.models.users.findById(res.body.user.id).lean();
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
    expect(stored?.passwordHash).not.toContain(input.password);
    expect(JSON.stringify(stored)).not.toContain(input.password);
  });

  test('when registered, then the refresh token is stored only as its SHA-256 with a fresh family and 7 day expiry', async () => {
    const before = Date.now();

    const res = await register(buildRegisterInput()).expect(201);

    const docs = await db.models.refreshTokens.find({ userId: res.body.user.id }).lean();
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({
      hash: sha256Hex(res.body.refreshToken),
      familyId: expect.any(String),
      revokedAt: null,
      replacedBy: null,
    });
    expect(JSON.stringify(docs)).not.toContain(res.body.refreshToken);
    const ttlMs = docs[0]!.expiresAt.getTime() - before;
    expect(ttlMs).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000 - 1000);
    expect(ttlMs).toBeLessThanOrEqual(7 * 24 * 3600 * 1000 + 5000);
  });

  test('when the email has capitals and spaces, then it is stored trimmed and lowercased', async () => {
    const input = buildRegisterInput();

    const res = await register({ ...input, email: `  ${input.email.toUpperCase()} ` });

    expect(res).toMatchObject({ status: 201, body: { user: { email: input.email } } });
    expect(await db.models.users.countDocuments({ email: input.email })).toBe(1);
  });

  test('when the limits are hit exactly (3/30 char username, 8/128 char password), then 201', async () => {
    const id = Date.now().toString(36);
    const short = buildRegisterInput({ username: `a${id}`.slice(0, 3), password: 'x'.repeat(8) });
    const long = buildRegisterInput({ username: `${id}_`.padEnd(30, 'z'), password: 'y'.repeat(128) });

    await register(short).expect(201);
    await register(long).expect(201);
  });

  test.each([
    ['username missing', { username: undefined }, 'body.username'],
    ['email missing', { email: undefined }, 'body.email'],
    ['password missing', { password: undefined }, 'body.password'],
    ['username not a string', { username: 12345 }, 'body.username'],
    ['email not a string', { email: ['a@example.com'] }, 'body.email'],
    ['password not a string', { password: 12345678 }, 'body.password'],
    ['username too short', { username: 'ab' }, 'body.username'],
    ['username too long', { username: 'a'.repeat(31) }, 'body.username'],
    ['username with a space', { username: 'bad name' }, 'body.username'],
    ['username with a $', { username: 'bad$name' }, 'body.username'],
    ['email invalid', { email: 'not-an-email' }, 'body.email'],
    ['email an operator object', { email: { $gt: '' } }, 'body.email'],
    ['password too short', { password: 'x'.repeat(7) }, 'body.password'],
    ['password too long', { password: 'x'.repeat(129) }, 'body.password'],
    ['an unknown field', { role: 'admin' }, 'body.role'],
  ])('when %s, then 400 naming the field and nothing is stored', async (_case, override, path) => {
    const input = { ...buildRegisterInput(), ...override };

    const res = await register(input);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      message: 'Validation failed',
      requestId: expect.any(String),
      details: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    const email = typeof input.email === 'string' ? input.email : '';
    expect(await db.models.users.countDocuments({ email })).toBe(0);
  });

  test('when the body is not JSON, then 415', async () => {
    const res = await request(svc.app).post('/api/auth/register').type('form').send('username=abc');

    expect(res).toMatchObject({ status: 415, body: { success: false, requestId: expect.any(String) } });
  });

  test('when the JSON is malformed, then 400', async () => {
    const res = await request(svc.app).post('/api/auth/register').type('json').send('{"username":');

    expect(res).toMatchObject({ status: 400, body: { success: false, message: 'Malformed JSON body' } });
  });

  test('when the username is taken (in any letter case), then 409 and no second user', async () => {
    const first = await registerUser(svc.app);

    const res = await register(buildRegisterInput({ username: first.username.toUpperCase() }));

    expect(res).toMatchObject({
      status: 409,
      body: { success: false, message: 'Username is already taken' },
    });
    expect(await db.models.users.countDocuments({ usernameKey: first.username.toLowerCase() })).toBe(1);
  });

  test('when the email is taken (in any letter case), then 409 and no second user', async () => {
    const first = await registerUser(svc.app);

    const res = await register(buildRegisterInput({ email: first.email.toUpperCase() }));

    expect(res).toMatchObject({
      status: 409,
      body: { success: false, message: 'Email is already registered' },
    });
    expect(await db.models.users.countDocuments({ email: first.email })).toBe(1);
  });

  test('when two identical registrations race, then one 201, one 409 and exactly one user', async () => {
    const input = buildRegisterInput();

    const results = await Promise.all([register(input), register(input)]);

    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await db.models.users.countDocuments({ email: input.email })).toBe(1);
    expect(await db.models.refreshTokens.countDocuments({ userId: await userIdOf(input.email) })).toBe(1);
  });

  test('when registered, then neither the password, its hash nor a token is in the response or any log line', async () => {
    const input = buildRegisterInput();

    const res = await register(input).expect(201);

    const stored = await db.models.users.findById(res.body.user.id).lean();
    const logs = allLogText(svc.logs);
    expect(JSON.stringify(res.body)).not.toContain(input.password);
    expect(JSON.stringify(res.body)).not.toContain(stored!.passwordHash);
    expect(JSON.stringify(res.body)).not.toContain('passwordHash');
    for (const secret of [
      input.password,
      stored!.passwordHash,
      res.body.accessToken,
      res.body.refreshToken,
    ]) {
      expect(logs).not.toContain(secret);
    }
    expect(svc.logs).toContainEqual(
      expect.objectContaining({ message: 'user registered', userId: res.body.user.id }),
    );
  });

  test('when users register and collide, then /metrics counts both outcomes', async () => {
    const created = await metricValue(svc.internal, 'auth_registrations_total', { outcome: 'created' });
    const conflicts = await metricValue(svc.internal, 'auth_registrations_total', { outcome: 'conflict' });
    const input = buildRegisterInput();

    await register(input).expect(201);
    await register(input).expect(409);

    expect(await metricValue(svc.internal, 'auth_registrations_total', { outcome: 'created' })).toBe(
      created + 1,
    );
    expect(await metricValue(svc.internal, 'auth_registrations_total', { outcome: 'conflict' })).toBe(
      conflicts + 1,
    );
  });
});

async function userIdOf(email: string): Promise<string> {
  const user = await db.models.users.findOne({ email }).lean();
  return user!._id.toHexString();
}
