// One Jest config for unit tests (libs/*/src/**/*.test.ts) and integration tests (test/**/*.test.ts).
// TypeScript is transpiled by SWC (fast, keeps decorator metadata for NestJS); type checking is `tsc -b`'s job.
// Spine is ESM (NestJS 12 is ESM-only), so Jest runs with --experimental-vm-modules (see scripts/jest.mjs).
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper: {
    '^@spine/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/libs/*/src/**/*.test.ts', '<rootDir>/apps/*/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  testTimeout: 120_000,
  maxWorkers: 2,
  // kafkajs leaves retry timers behind after disconnect in some error paths; every suite closes its
  // clients and processes in afterAll, so a lingering timer must not keep CI waiting.
  forceExit: true,
};
