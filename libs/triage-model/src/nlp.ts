import winkNLP, { type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

let instance: WinkMethods | undefined;

/**
 * One wink-nlp instance per process: loading the language model takes tens of milliseconds, reading a doc microseconds.
 * The pipe stops at sentiment (which needs sentence boundaries and negation); POS and entity tagging would only cost time.
 */
export function nlp(): WinkMethods {
  instance ??= winkNLP(model, ['sbd', 'negation', 'sentiment']);
  return instance;
}
