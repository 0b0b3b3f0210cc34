import type { ModelAdapter } from './adapter.js';

export interface AdapterCodec<A, I, O, B> {
  /** The backend's input for one domain input (e.g. a payment → its feature vector). */
  encode(input: A): I;
  /** The domain output for one backend output (e.g. probabilities → score and decision). */
  decode(output: O, input: A): B;
}

/** The same adapter over domain types: inputs encoded before, outputs decoded after (both per item, pure). */
export function mapAdapter<A, I, O, B>(adapter: ModelAdapter<I, O>, codec: AdapterCodec<A, I, O, B>): ModelAdapter<A, B> {
  return {
    async predict(inputs, options) {
      const outputs = await adapter.predict(inputs.map((input) => codec.encode(input)), options);
      return outputs.map((output, i) => codec.decode(output, inputs[i]!));
    },
    describe: () => adapter.describe(),
    ready: (options) => adapter.ready(options),
    metadata: (options) => adapter.metadata(options),
    close: () => adapter.close(),
  };
}
