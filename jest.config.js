// @nestjs/* 12 ships ES modules: @swc/jest transforms them (and our TypeScript) to CommonJS.
// See docs/STACK-NOTES.md § "Jest with NestJS 12".
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swc] },
  // jose 6 (for jwks-rsa and the resource-server kit) is ESM-only too.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  // One database for the run: embedded PGlite, or a fresh database on DATABASE_URL's server.
  globalSetup: '<rootDir>/test/utils/global-setup.ts',
  globalTeardown: '<rootDir>/test/utils/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 30_000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // Every response of every e2e request is checked against the OpenAPI document.
      setupFilesAfterEnv: ['<rootDir>/test/utils/contract-setup.ts'],
      slowTestThreshold: 20,
    },
  ],
};
