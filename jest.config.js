// @ts-check
/** @type {import('jest').Config} */
module.exports = {
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
