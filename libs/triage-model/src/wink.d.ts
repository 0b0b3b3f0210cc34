// wink-naive-bayes-text-classifier ships no types; this covers the part of its API the library uses.
declare module 'wink-naive-bayes-text-classifier' {
  namespace naiveBayesTextClassifier {
    interface Config {
      considerOnlyPresence?: boolean;
      smoothingFactor?: number;
    }
    interface Classifier {
      defineConfig(config: Config): boolean;
      definePrepTasks(tasks: Array<(input: never) => unknown>): number;
      learn(input: string | readonly string[], label: string): boolean;
      consolidate(): boolean;
      /** [label, log2 odds] pairs, best first; [['unknown', 0]] when no token is in the vocabulary. */
      computeOdds(input: string | readonly string[]): Array<[string, number]>;
      predict(input: string | readonly string[]): string;
      exportJSON(): string;
      importJSON(json: string): boolean;
      stats(): { labelWiseSamples: Record<string, number>; labelWiseWords: Record<string, number>; vocabulary: number };
    }
  }
  function naiveBayesTextClassifier(): naiveBayesTextClassifier.Classifier;
  export = naiveBayesTextClassifier;
}
