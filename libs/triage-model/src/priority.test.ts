import { HIGH_VALUE_LIFETIME_AMOUNT, scorePriority, type PrioritySignals } from './priority.js';
import { sentimentLabel } from './sentiment.js';
import { INTENTS, type Intent, type Priority } from './types.js';

const urgency = (p: Priority) => 4 - Number(p.slice(1)); // P1 → 3 … P4 → 0
const LOW_VALUE = 50;
const HIGH_VALUE = HIGH_VALUE_LIFETIME_AMOUNT * 5;

function signals(intent: Intent, score: number, messagesLast24h = 1, lifetimeOrderAmount = LOW_VALUE): PrioritySignals {
  return { intent, sentiment: sentimentLabel(score), sentimentScore: score, features: { messagesLast24h, lifetimeOrderAmount } };
}

describe('scorePriority', () => {
  it.each(['ACCOUNT_ACCESS', 'TECHNICAL_ISSUE'] as const)('%s from a clearly upset customer is P1 at first contact', (intent) => {
    expect(scorePriority(signals(intent, -0.6))).toBe('P1');
  });

  it.each(['ACCOUNT_ACCESS', 'TECHNICAL_ISSUE'] as const)('%s asked calmly is not P1', (intent) => {
    expect(scorePriority(signals(intent, 0))).not.toBe('P1');
  });

  it('raises a customer chasing us within 24h above a first contact', () => {
    for (const intent of ['SHIPPING', 'BILLING', 'REFUND', 'ACCOUNT_ACCESS'] as const) {
      expect(urgency(scorePriority(signals(intent, 0, 3)))).toBeGreaterThan(urgency(scorePriority(signals(intent, 0, 1))));
    }
  });

  it('raises a cancellation from a high-value customer above one from a small customer', () => {
    expect(urgency(scorePriority(signals('CANCELLATION', 0, 1, HIGH_VALUE)))).toBeGreaterThan(
      urgency(scorePriority(signals('CANCELLATION', 0, 1, LOW_VALUE))),
    );
  });

  it('keeps positive feedback at P4, even from a frequent high-value customer', () => {
    expect(scorePriority(signals('FEEDBACK', 0.7))).toBe('P4');
    expect(scorePriority(signals('FEEDBACK', 0.7, 5, HIGH_VALUE))).toBe('P4');
  });

  it('leaves a calm general question at the bottom', () => {
    expect(scorePriority(signals('OTHER', 0))).toBe('P4');
  });

  // Properties over the whole grid: no signal that should add urgency ever removes it.
  const scores = [-0.8, -0.4, -0.3, 0, 0.3, 0.8];
  const contacts = [1, 2, 3, 6];
  const values = [0, HIGH_VALUE];
  it('never gets less urgent as sentiment worsens, contacts repeat or the customer is worth more', () => {
    for (const intent of INTENTS)
      for (const s of scores)
        for (const m of contacts)
          for (const v of values) {
            const p = urgency(scorePriority(signals(intent, s, m, v)));
            for (const worse of scores.filter((x) => x < s))
              expect(urgency(scorePriority(signals(intent, worse, m, v)))).toBeGreaterThanOrEqual(p);
            for (const more of contacts.filter((x) => x > m))
              expect(urgency(scorePriority(signals(intent, s, more, v)))).toBeGreaterThanOrEqual(p);
            expect(urgency(scorePriority(signals(intent, s, m, HIGH_VALUE)))).toBeGreaterThanOrEqual(p);
          }
  });
});
