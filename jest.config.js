/** @type {import('jest').Config} */
module.exports = {
  // node, plus the main context's typed arrays for onnxruntime-node (see the file).
  testEnvironment: '<rootDir>/test/support/shared-typed-arrays-environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // ignoreDynamic keeps import() as a real dynamic import (as tsc does with module node16), so the
  // ESM-only SDKs (node-llama-cpp, @huggingface/transformers) load; jest needs
  // --experimental-vm-modules for that (see the test scripts in package.json).
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs', ignoreDynamic: true } }],
  },
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
