import type { TriageArtifact } from './artifact.js';
import { IntentClassifier } from './intent.js';
import { nlp } from './nlp.js';
import { scorePriority } from './priority.js';
import { analyzeSentiment } from './sentiment.js';
import { mentionsBlocking } from './support-lexicon.js';
import type { TriageInput, TriageModel, TriageOutput } from './types.js';

/**
 * A ready model from a validated artifact. Construction imports the learnings; classify() is synchronous and pure.
 * The artifact selects the behaviour: calibration (absent: wink's odds), sentiment and priority rules (absent: v1), so
 * an older artifact answers exactly as it did when it was released.
 */
export function createTriageModel(artifact: TriageArtifact): TriageModel {
  const classifier = IntentClassifier.fromExport(
    JSON.stringify(artifact.classifier),
    artifact.confidenceThreshold,
    artifact.calibration,
  );
  const sentimentRules = artifact.sentimentRules ?? 'v1';
  const priorityRules = artifact.priorityRules ?? 'v1';
  const model = { name: artifact.name, version: artifact.version };
  nlp(); // load wink's language model now (~0.1 s), not while the first message waits

  return {
    name: artifact.name,
    version: artifact.version,
    classify(input: TriageInput): TriageOutput {
      const text = withSubject(input.subject, input.text);
      const { sentiment, score } = analyzeSentiment(text, sentimentRules);
      const { intent, confidence } = classifier.predict(text);
      const blocking = priorityRules === 'v2' && mentionsBlocking(text);
      const signals = { intent, sentiment, sentimentScore: score, features: input.features, blocking };
      const priority = scorePriority(signals, priorityRules);
      return { sentiment, sentimentScore: score, intent, intentConfidence: confidence, priority, model: { ...model } };
    },
  };
}

/**
 * Subjects often name the intent outright ("Refund request"), so they are classified with the body. A single newline
 * keeps a subject without end punctuation in the body's first sentence: wink averages sentiment over sentences, and a
 * neutral subject standing as a sentence of its own would dilute the body's sentiment.
 */
function withSubject(subject: string | null | undefined, body: string): string {
  const s = subject?.trim();
  return s ? `${s}\n${body}` : body;
}
