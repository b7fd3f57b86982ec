// The `secrets` service of docker-compose.yml runs this once, before anything else starts. It makes sure the
// `secrets` volume holds what the other containers read through *_FILE variables, so a default deployment
// never runs on a secret printed in this repository:
//   jwt_secret         the HS256 key (JWT_SECRET_FILE)
//   rabbitmq_password  the broker account's password (read by the rabbitmq container at its first start)
//   rabbitmq_url       the services' broker URL with that password (RABBITMQ_URL_FILE)
// A value given in the environment (JWT_SECRET, RABBITMQ_PASSWORD in .env) is written; otherwise the stored
// one is kept, so a restart keeps sessions valid and the broker keeps its password; failing both, a random
// one is generated. Values are never printed.
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? '/secrets';
// The service images run as `node` (uid 1000); the broker's entrypoint reads its file as root.
const SERVICE_UID = 1000;

function write(name, value) {
  const file = path.join(dir, name);
  writeFileSync(file, value);
  chmodSync(file, 0o400);
  chownSync(file, SERVICE_UID, SERVICE_UID);
}

function keep(name, given, generate) {
  const file = path.join(dir, name);
  const stored = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const value = given || stored || generate();
  write(name, value);
  console.log(`${name}: ${given ? 'from the environment' : stored ? 'kept' : 'generated'}`);
  return value;
}

const random = (bytes) => () => randomBytes(bytes).toString('base64url');
const env = (name) => process.env[name]?.trim() || undefined;

const jwtSecret = env('JWT_SECRET');
if (jwtSecret !== undefined && jwtSecret.length < 32) {
  console.error('JWT_SECRET (from .env) must be at least 32 characters; unset it to have one generated');
  process.exit(1);
}
keep('jwt_secret', jwtSecret, random(48));
const user = env('RABBITMQ_USER') ?? 'social';
const password = keep('rabbitmq_password', env('RABBITMQ_PASSWORD'), random(24));
write('rabbitmq_url', `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@rabbitmq:5672`);
