import type { ItsFunction } from 'wink-nlp';
import { nlp } from './nlp.js';

/**
 * Identifies the preparation below. Artifacts record it, and the loader refuses an artifact trained with another prep:
 * a classifier only works on tokens prepared the way its vocabulary was.
 */
export const PREP_ID = 'wink-eng-lite-web-model:words-no-stopwords-stem:v1';

/**
 * Text → tokens for the intent classifier: words only (no punctuation, numbers, emails, URLs), stop words removed,
 * Porter-stemmed lower-case forms so "charged", "charges" and "charge" count as one feature on a small dataset.
 */
export function prepareTokens(text: string): string[] {
  const { its } = nlp();
  // wink-nlp 2.4.0's types declare its.stem with a parameter list out() does not accept; at run time it is a token its.
  const stem = its.stem as unknown as ItsFunction<string>;
  return nlp()
    .readDoc(text)
    .tokens()
    .filter((token) => token.out(its.type) === 'word' && !token.out(its.stopWordFlag))
    .out(stem);
}
