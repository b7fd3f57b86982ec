import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { externalMongo } from '../stack/mongo-target';
import { SERVICES, stackEnvironment } from '../stack/services';

const root = path.resolve(__dirname, '..', '..');

describe('the MongoDB a stack uses', () => {
  test('when MONGO_TEST_URI and MONGO_URI are both set, then the first variable asked for wins', () => {
    const env = { MONGO_TEST_URI: 'mongodb://test:27017', MONGO_URI: 'mongodb://dev:27017' };
    expect(externalMongo(env, ['MONGO_TEST_URI', 'MONGO_URI'])).toEqual({
      uri: 'mongodb://test:27017',
      from: 'MONGO_TEST_URI',
    });
  });

  test('when only a blank value is set, then there is no external server and the in-memory one is used', () => {
    expect(
      externalMongo({ MONGO_TEST_URI: ' ', MONGO_URI: '' }, ['MONGO_TEST_URI', 'MONGO_URI']),
    ).toBeUndefined();
  });

  test('when a stack runs on a shared server, then every service gets a database of its own for the run', () => {
    const env = stackEnvironment({
      mongoBaseUri: 'mongodb://db:27017/?directConnection=true',
      databasePrefix: 'stack_ab12',
    });
    const uris = SERVICES.flatMap((s) => (env[s.name].MONGO_URI ? [env[s.name].MONGO_URI] : []));
    expect(uris).toEqual([
      'mongodb://db:27017/stack_ab12_identity?directConnection=true',
      'mongodb://db:27017/stack_ab12_posts?directConnection=true',
      'mongodb://db:27017/stack_ab12_media?directConnection=true',
      'mongodb://db:27017/stack_ab12_search?directConnection=true',
    ]);
    expect(env['api-gateway'].MONGO_URI).toBeUndefined();
  });
});

describe('.github/workflows/ci.yml e2e job', () => {
  interface Job {
    services?: Record<string, { image: string; ports?: string[] }>;
    env?: Record<string, string>;
  }
  const workflow = parse(fs.readFileSync(path.join(root, '.github/workflows/ci.yml'), 'utf8')) as {
    jobs: Record<string, Job>;
  };

  test('when CI runs the e2e suite, then the services talk to a mongo:7 service container through MONGO_TEST_URI', () => {
    const e2e = workflow.jobs.e2e;
    expect(e2e?.services?.mongo).toMatchObject({ image: 'mongo:7', ports: ['27017:27017'] });
    expect(e2e?.env?.MONGO_TEST_URI).toBe('mongodb://127.0.0.1:27017');
  });
});
