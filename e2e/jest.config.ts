/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';
import { preset } from '../jest.preset';

// The stack runs as real processes from built code: `npm run test:e2e` builds first.
const config: Config = {
  ...preset(__dirname),
  displayName: 'e2e',
  testMatch: ['<rootDir>/**/*.test.ts'],
  globalSetup: '<rootDir>/setup/global-setup.ts',
  globalTeardown: '<rootDir>/setup/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 1,
};
export default config;
