// Jest environment for tests that run onnxruntime-node. Jest runs each test file in a vm context with its own
// typed-array constructors, while the native addon creates its output tensors' Float64Array/Float32Array/... in the
// host context; onnxruntime-common then refuses them ("A float64 tensor's data must be type of Float64Array"). This
// environment gives the test context the host's constructors (as jest-environment-node already does for
// Uint8Array and ArrayBuffer). Only Jest needs this; a Node process has one realm.
// Use: /** @jest-environment <rootDir>/test/models/host-typed-arrays.environment.mjs */
import { TestEnvironment } from 'jest-environment-node';

const TYPED_ARRAYS = [
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Uint16Array',
  'Uint32Array',
  'Uint8ClampedArray',
  'BigInt64Array',
  'BigUint64Array',
];

export default class HostTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}
