import type { AdapterCodec, InProcessFunction, TensorRow } from '@spine/model-adapters';

/**
 * What a stage tells the model router about its model, in its own types: I is the model input it builds from a
 * record, O the output it turns into a result. Everything else (which version, cache, cascade, shadows, guard) is the
 * router's.
 */
export interface ModelBinding<I, O> {
  /** In-process versions: `<model>@<version>` → the function (the registry's default version must be here). */
  readonly functions: Readonly<Record<string, InProcessFunction<I, O>>>;
  /** How a tensor backend (onnx, oip-v2) reads the input and what its output row means. */
  readonly tensor?: AdapterCodec<I, TensorRow, TensorRow, O>;
  /** How an OpenAI-compatible backend reads the input (the prompt template's object) and what its validated reply means. */
  readonly chat?: AdapterCodec<I, unknown, unknown, O>;
  /** What the model actually sees of an input, hashed for the inference cache (default the input itself). */
  cacheKey?(input: I): unknown;
  /** The model's confidence in an output, 0..1: a cascade escalates below its bound. */
  confidence?(output: O): number;
  /** Whether two outputs for the same input agree (the guard's quality signal on shadowed and fallback traffic). */
  agree?(a: O, b: O): boolean;
  /** The output as one number in 0..1 (a score, a probability), for the guard's output-shift check. */
  score?(output: O): number;
}
