/** @type {import('jest').Config} */
module.exports = {
  // node, plus the main context's typed arrays for onnxruntime-node (see the file).
  testEnvironment: '<rootDir>/test/support/jest-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // ignoreDynamic keeps import() as a real dynamic import (as tsc does with module node16), so the
  // ESM-only SDKs (node-llama-cpp, @huggingface/transformers) load; jest needs
  // --experimental-vm-modules for that (see the test scripts in package.json).
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs', ignoreDynamic: true } }],
  },
  // The Milvus SDK loads parquetjs → thrift → uuid 14, which is ESM-only: Node 20 requires it
  // natively, jest's CommonJS runtime cannot, so tests resolve it to the same library's v11 CJS build.
  moduleNameMapper: { '^uuid$': 'uuid-cjs' },
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
