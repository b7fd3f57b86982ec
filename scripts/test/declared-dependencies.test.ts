import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  commandsOf,
  importsOf,
  loadRepo,
  packageName,
  unlistedBinaries,
  unlistedImports,
  unusedDeclarations,
  type Repo,
} from '../deps/dependency-checks';

const root = path.resolve(__dirname, '..', '..');

describe('the declared dependencies of this repository', () => {
  let repo: Repo;
  beforeAll(() => {
    repo = loadRepo(root);
  });

  test('when the tree is scanned, then every workspace, test, script and config file is in it', () => {
    const files = repo.files.map((f) => f.file);
    expect(files).toEqual(
      expect.arrayContaining([
        'eslint.config.mjs',
        'jest.preset.ts',
        'api-gateway/src/server.ts',
        'api-gateway/test/runtime-dependencies.test.ts',
        'packages/testkit/bin/load-testkit.js',
        'packages/testkit/bench/mongo-server.bench.js',
        'scripts/run-stack.ts',
        'e2e/user-journey.test.ts',
        'fault/launcher.test.ts',
        'bench/run.ts',
      ]),
    );
    expect(files.filter((file) => file.includes('node_modules/') || file.includes('/dist/'))).toEqual([]);
  });

  test('when a file imports a package, then its workspace declares it (runtime code in dependencies)', () => {
    expect(unlistedImports(repo)).toEqual([]);
  });

  test('when a workspace declares a package, then its code, scripts or configs use it, and in the right field', () => {
    expect(unusedDeclarations(repo)).toEqual([]);
  });

  test('when an npm script runs a command, then a declared package provides it', () => {
    expect(unlistedBinaries(repo)).toEqual([]);
  });
});

describe('importsOf', () => {
  test('when a file loads modules every way TypeScript and Node allow, then each is found with its kind', () => {
    // Arrange
    const source = [
      "import a from 'a';",
      "import type { B } from 'b';",
      "import { type C } from 'c';",
      "import { type D, e } from 'd';",
      "import './side-effect';",
      "export { f } from 'f';",
      "export type { G } from 'g';",
      "import h = require('h');",
      "const i = require('i');",
      "const j = require.resolve('j/package.json');",
      "const k = async () => import('@k/k');",
      "type L = typeof import('l');",
      'const m = (x: string) => import(`m/${x}`);',
    ].join('\n');

    // Act
    const found = importsOf('example.ts', source);

    // Assert
    expect(found).toEqual([
      { specifier: 'a', typeOnly: false },
      { specifier: 'b', typeOnly: true },
      { specifier: 'c', typeOnly: true },
      { specifier: 'd', typeOnly: false },
      { specifier: './side-effect', typeOnly: false },
      { specifier: 'f', typeOnly: false },
      { specifier: 'g', typeOnly: true },
      { specifier: 'h', typeOnly: false },
      { specifier: 'i', typeOnly: false },
      { specifier: 'j/package.json', typeOnly: false },
      { specifier: '@k/k', typeOnly: false },
      { specifier: 'l', typeOnly: true },
      { specifier: 'm/', typeOnly: false },
    ]);
  });

  test('when specifiers name files, built-ins or packages, then only packages have a package name', () => {
    const names = ['./x', '/abs', 'node:fs', 'fs', 'a/b/c', '@s/p/sub', 'm/'].map(packageName);
    expect(names).toEqual([undefined, undefined, undefined, undefined, 'a', '@s/p', 'm']);
  });

  test('when a script chains commands, then each command is found without env assignments or exec', () => {
    expect(commandsOf('npm run build && FOO=1 exec tsx x.ts | jest; npx tsc -b')).toEqual([
      'npm',
      'tsx',
      'jest',
      'tsc',
    ]);
  });
});

describe('the checks on a broken workspace tree', () => {
  let dir: string;
  const write = (file: string, content: unknown): void => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  };

  beforeAll(() => {
    // Arrange: a kit with an optional peer behind one subpath, and a service that gets its fields wrong.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'declared-deps-'));
    write('package.json', { name: 'r', workspaces: ['kit', 'svc'], devDependencies: { 'left-over': '1' } });
    write('kit/package.json', {
      name: '@x/kit',
      exports: { './*': { '@social/source': './src/*/index.ts' } },
      dependencies: { express: '5', cors: '2' },
      peerDependencies: { mongoose: '8' },
      peerDependenciesMeta: { mongoose: { optional: true } },
    });
    write('kit/src/db/index.ts', "import { open } from './open';\nexport const db = open;\n");
    write('kit/src/db/open.ts', "import mongoose from 'mongoose';\nexport const open = mongoose.connect;\n");
    write('kit/src/web/index.ts', "import express from 'express';\nexport const web = express;\n");
    write('svc/package.json', {
      name: 'svc',
      scripts: { start: 'node dist/server.js', lint: 'eslint .' },
      dependencies: { '@x/kit': '1', supertest: '7', '@types/express': '5' },
    });
    write(
      'svc/src/server.ts',
      "import { db } from '@x/kit/db';\nimport type { Request } from 'express';\nimport chalk from 'chalk';\n",
    );
    write(
      'svc/test/server.test.ts',
      "import request from 'supertest';\nimport type { Web } from '@x/kit/web';\n",
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('when imports are undeclared, then each is named with the field it belongs in', () => {
    expect(unlistedImports(loadRepo(dir))).toEqual([
      'svc/src/server.ts imports @x/kit/db, which loads mongoose (an optional peer of @x/kit): declare it in svc dependencies',
      'svc/src/server.ts imports express: declare it in svc devDependencies',
      'svc/src/server.ts imports chalk: declare it in svc dependencies',
    ]);
  });

  test('when declarations are unused or in the wrong field, then each is named', () => {
    expect(unusedDeclarations(loadRepo(dir))).toEqual([
      'root: devDependency left-over is not used',
      'kit: cors is in dependencies but nothing imports it',
      "kit: optional peer mongoose must also be a devDependency, for the package's own tests",
      'svc: supertest is used only by tests, tools or types: move it to devDependencies',
      'svc: @types/express is types only: move it to devDependencies',
    ]);
  });

  test('when a script runs a command no package provides, then it is named', () => {
    expect(unlistedBinaries(loadRepo(dir))).toEqual([
      'svc script "lint" runs eslint, which no declared package provides',
    ]);
  });
});
