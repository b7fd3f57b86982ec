/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// Every workspace's suite; e2e and fault tests have their own configs (`npm run test:e2e`, `test:fault`).
const config: Config = {
  // Jest reads testTimeout from the top-level config only: set in a project's config it is silently ignored,
  // and every test ran under the 5 s default (a broker fault test under CI load ran out of it).
  testTimeout: 20_000,
  // A failed broker test can leave a publish loop or a connection behind; the run must end with its verdict
  // instead of holding CI until its deadline. Passing runs exit cleanly without it.
  forceExit: true,
  projects: [
    '<rootDir>/packages/common',
    '<rootDir>/packages/testkit',
    '<rootDir>/identity-service',
    '<rootDir>/post-service',
    '<rootDir>/media-service',
    '<rootDir>/search-service',
    '<rootDir>/api-gateway',
    '<rootDir>/scripts',
  ],
};
export default config;
