/**
 * How TypeScript becomes the JavaScript that runs, in one place: jest transforms the tests and the
 * sources they import with it (jest.config.js), and scripts/build-dist.js builds dist/ with it, so
 * the service a test starts as a process runs the same output as the code the in-process tests
 * load. ES2022 as tsconfig's target; CommonJS as its module node16 emits for this package;
 * ignoreDynamic keeps import() a real dynamic import (as tsc does with module node16), so the
 * ESM-only SDKs (node-llama-cpp, @huggingface/transformers) load.
 */
module.exports = {
  jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
  module: { type: 'commonjs', ignoreDynamic: true },
};
