/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// Every workspace's suite; e2e and fault tests have their own configs (`npm run test:e2e`, `test:fault`).
const config: Config = {
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
