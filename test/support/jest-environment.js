const { rm } = require('node:fs/promises');
const { TestEnvironment } = require('jest-environment-node');

/**
 * The node environment every test file runs in, with two additions.
 *
 * Shared typed arrays: jest runs each test file in its own vm context, with its own Float32Array &
 * co. onnxruntime-node (under transformers.js) creates output arrays natively in the main context,
 * and onnxruntime-common then rejects them with `instanceof`: "A float32 tensor's data must be type
 * of function Float32Array()". Sharing the main context's typed-array constructors (as a plain node
 * process has them) makes both sides agree.
 *
 * Temp dirs: test/support/temp-dirs.ts registers every directory it makes here, and they are
 * removed in teardown, after the file's last afterAll/afterEach hook. jest-circus runs the hooks
 * of one block in the order they were declared, so a fixture that removed its directory in a hook
 * of its own could run before the hook that closes the store or stops the process using it.
 */
const SHARED = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class TaishangTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
    this.tempDirs = [];
    this.global.__taishangTempDirs = this.tempDirs;
  }

  async teardown() {
    await Promise.all(this.tempDirs.map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })));
    await super.teardown();
  }
}

module.exports = TaishangTestEnvironment;
