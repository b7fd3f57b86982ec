/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';
import { preset } from '../jest.preset';

// Fault tests stop and start Redis, MongoDB and services and close every broker connection: they run alone,
// one file at a time, after the other suites (`npm run test:fault` builds first; the stack runs from dist/).
const config: Config = {
  ...preset(__dirname),
  displayName: 'fault',
  testMatch: ['<rootDir>/**/*.test.ts'],
  globalTeardown: '<rootDir>/support/global-teardown.ts',
  testTimeout: 90_000,
  maxWorkers: 1,
};
export default config;
