// One jest config for unit specs (beside the code) and e2e specs (under test/).
// Test files are compiled with swc: fast, and it keeps decorator metadata for Nest DI.
const { readFileSync } = require('node:fs');
const swcrc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.(ts|js)$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  // Bull Board's fastify adapter pulls in an ESM-only package; jest's CommonJS runtime needs it compiled.
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: {
    '^@relay/testing$': '<rootDir>/test/support',
    // Deep imports that keep a command's imports small (no Nest for `template render`).
    '^@relay/(models|channels|delivery|runtime)/(.+)$': '<rootDir>/libs/$1/src/$2',
    '^@relay/(models|config|templates|delivery|channels|runtime|observability)$': '<rootDir>/libs/$1/src',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  testTimeout: 30000,
};
