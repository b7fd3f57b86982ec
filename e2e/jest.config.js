// @ts-check
// The stack runs as real processes from built code: `npm run test:e2e` builds first.
/** @type {import('jest').Config} */
module.exports = {
  ...require('../jest.preset.js').preset(__dirname),
  displayName: 'e2e',
  testMatch: ['<rootDir>/**/*.test.ts'],
  globalSetup: '<rootDir>/setup/global-setup.ts',
  globalTeardown: '<rootDir>/setup/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 1,
};
