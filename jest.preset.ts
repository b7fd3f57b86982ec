import path from 'node:path';
import type { Config } from 'jest';

/**
 * One jest setup for every workspace: swc transpiles (fast, no type check; `npm run typecheck` does that), and
 * workspace packages resolve to their TypeScript sources through the @social/source export condition.
 */
export function preset(dir: string): Config {
  return {
    displayName: path.basename(dir),
    rootDir: dir,
    testEnvironment: 'node',
    testEnvironmentOptions: { customExportConditions: ['@social/source', 'node', 'node-addons'] },
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    },
    cacheDirectory: path.join(__dirname, '.jest-cache'),
    // The MongoDB backend is named once per run, not once per test file.
    globalSetup: path.join(__dirname, 'jest.global-setup.ts'),
    testTimeout: 20_000,
  };
}
