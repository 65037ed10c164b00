/**
 * Three tiers, one jest project each (README "Tests"); scripts/test-tiers.sh runs each after its
 * own setup, cheapest first, and scripts/check-tiers.sh fails when a test file is in no tier or two.
 * - unit: domain, doors and adapters over the memory store and fake providers; needs nothing but
 *   `npm ci` (no weights, no network beyond loopback, no LanceDB directory).
 * - integration: real LanceDB directories, real model weights (./models), the service as a
 *   process, real HTTP/gRPC over loopback.
 * - external: what needs a tool from outside npm: Milvus (PyPI), Chromium (apt), grpcurl, Docker
 *   Compose and the Go client (Go). The vector-store contract suite runs on Milvus, so it is here.
 */
const base = {
  rootDir: __dirname,
  // Inside the clone (git-ignored), not jest's default /tmp/jest_*: a fresh clone then starts cold,
  // as on a fresh machine, and nothing outside the clone speeds up or changes a run.
  cacheDirectory: '<rootDir>/.jest-cache',
  // node, plus the main context's typed arrays and the temp-dir cleanup (see the file).
  testEnvironment: '<rootDir>/test/support/jest-environment.js',
  // The same swc settings dist/ is built with (scripts/swc-options.js). Its dynamic import() stays
  // real, for the ESM-only SDKs; jest needs --experimental-vm-modules for that (scripts/test-tiers.sh).
  transform: { '^.+\\.ts$': ['@swc/jest', require('./scripts/swc-options')] },
  // The Milvus SDK loads parquetjs → thrift → uuid 14, which is ESM-only: Node 20 requires it
  // natively, jest's CommonJS runtime cannot, so tests resolve it to the same library's v11 CJS build.
  moduleNameMapper: { '^uuid$': 'uuid-cjs' },
};

// The tiers that start the service as a process start dist/main.js: built here first when the
// sources changed since the last build (scripts/ensure-dist.js; the tiers' script runs it before jest).
const startsProcesses = { globalSetup: '<rootDir>/scripts/ensure-dist.js' };

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...base,
      ...startsProcesses,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/contract/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/contract/vector-store/'],
    },
    { ...base, ...startsProcesses, displayName: 'external', testMatch: ['<rootDir>/test/external/**/*.test.ts', '<rootDir>/test/contract/vector-store/**/*.test.ts'] },
  ],
  // Longest files first, also in a fresh clone whose jest cache is empty (see the file).
  testSequencer: '<rootDir>/test/support/longest-first-sequencer.js',
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
