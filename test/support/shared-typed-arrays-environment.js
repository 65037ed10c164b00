const { TestEnvironment } = require('jest-environment-node');

/**
 * jest runs each test file in its own vm context, with its own Float32Array & co. onnxruntime-node
 * (under transformers.js) creates output arrays natively in the main context, and
 * onnxruntime-common then rejects them with `instanceof`: "A float32 tensor's data must be type of
 * function Float32Array()". Sharing the main context's typed-array constructors (as a plain node
 * process has them) makes both sides agree.
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

class SharedTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArraysEnvironment;
