import { loadTriageModel } from './model-loader.js';
import { HIGH_VALUE_LIFETIME_AMOUNT, scorePriority, type PrioritySignals, type PriorityRules } from './priority.js';
import { sentimentLabel } from './sentiment.js';
import { mentionsBlocking } from './support-lexicon.js';
import { INTENTS, type Intent, type Priority, type TriageModel } from './types.js';

const urgency = (p: Priority) => 4 - Number(p.slice(1)); // P1 → 3 … P4 → 0
const LOW_VALUE = 50;
const HIGH_VALUE = HIGH_VALUE_LIFETIME_AMOUNT * 5;

function signals(
  intent: Intent,
  score: number,
  messagesLast24h = 1,
  lifetimeOrderAmount = LOW_VALUE,
  blocking = false,
): PrioritySignals {
  return {
    intent,
    sentiment: sentimentLabel(score),
    sentimentScore: score,
    features: { messagesLast24h, lifetimeOrderAmount },
    blocking,
  };
}

describe.each<PriorityRules>(['v1', 'v2'])('scorePriority, rules %s', (rules) => {
  const scorePriorityWith = (s: PrioritySignals) => scorePriority(s, rules);
  it.each(['ACCOUNT_ACCESS', 'TECHNICAL_ISSUE'] as const)('%s from a clearly upset customer is P1 at first contact', (intent) => {
    expect(scorePriorityWith(signals(intent, -0.6))).toBe('P1');
  });

  it.each(['ACCOUNT_ACCESS', 'TECHNICAL_ISSUE'] as const)('%s asked calmly is not P1', (intent) => {
    expect(scorePriorityWith(signals(intent, 0))).not.toBe('P1');
  });

  it('raises a customer chasing us within 24h above a first contact', () => {
    for (const intent of ['SHIPPING', 'BILLING', 'REFUND', 'ACCOUNT_ACCESS'] as const) {
      expect(urgency(scorePriorityWith(signals(intent, 0, 3)))).toBeGreaterThan(urgency(scorePriorityWith(signals(intent, 0, 1))));
    }
  });

  it('raises a cancellation from a high-value customer above one from a small customer', () => {
    expect(urgency(scorePriorityWith(signals('CANCELLATION', 0, 1, HIGH_VALUE)))).toBeGreaterThan(
      urgency(scorePriorityWith(signals('CANCELLATION', 0, 1, LOW_VALUE))),
    );
  });

  it('keeps positive feedback at P4, even from a frequent high-value customer', () => {
    expect(scorePriorityWith(signals('FEEDBACK', 0.7))).toBe('P4');
    expect(scorePriorityWith(signals('FEEDBACK', 0.7, 5, HIGH_VALUE))).toBe('P4');
  });

  it('leaves a calm general question at the bottom', () => {
    expect(scorePriorityWith(signals('OTHER', 0))).toBe('P4');
  });

  // Properties over the whole grid: no signal that should add urgency ever removes it.
  const scores = [-0.8, -0.4, -0.3, 0, 0.3, 0.8];
  const contacts = [1, 2, 3, 6];
  const values = [0, HIGH_VALUE];
  it('never gets less urgent as sentiment worsens, contacts repeat, the customer is worth more or is blocked', () => {
    for (const intent of INTENTS)
      for (const s of scores)
        for (const m of contacts)
          for (const v of values)
            for (const b of [false, true]) {
              const p = urgency(scorePriorityWith(signals(intent, s, m, v, b)));
              for (const worse of scores.filter((x) => x < s))
                expect(urgency(scorePriorityWith(signals(intent, worse, m, v, b)))).toBeGreaterThanOrEqual(p);
              for (const more of contacts.filter((x) => x > m))
                expect(urgency(scorePriorityWith(signals(intent, s, more, v, b)))).toBeGreaterThanOrEqual(p);
              expect(urgency(scorePriorityWith(signals(intent, s, m, HIGH_VALUE, b)))).toBeGreaterThanOrEqual(p);
              expect(urgency(scorePriorityWith(signals(intent, s, m, v, true)))).toBeGreaterThanOrEqual(p);
            }
  });
});

describe('scorePriority rules v1 (model 1.0.0)', () => {
  it('is the default, and ignores the blocking signal', () => {
    expect(scorePriority(signals('ACCOUNT_ACCESS', 0, 1, LOW_VALUE, true))).toBe('P3');
    expect(scorePriority(signals('OTHER', 0, 1, LOW_VALUE, true), 'v1')).toBe('P4');
  });
});

describe('scorePriority rules v2 (model 1.1.0)', () => {
  const v2 = (s: PrioritySignals) => scorePriority(s, 'v2');

  it('puts a blocked customer at P2 or higher whatever the intent, P1 when clearly upset', () => {
    for (const intent of INTENTS) expect(urgency(v2(signals(intent, 0, 1, LOW_VALUE, true)))).toBeGreaterThanOrEqual(urgency('P2'));
    expect(v2(signals('ACCOUNT_ACCESS', 0, 1, LOW_VALUE, true))).toBe('P2');
    expect(v2(signals('ACCOUNT_ACCESS', -0.6, 1, LOW_VALUE, true))).toBe('P1');
    expect(v2(signals('FEEDBACK', 0.7, 1, LOW_VALUE, true))).toBe('P2');
  });

  it('answers as v1 when nobody is blocked', () => {
    for (const intent of INTENTS)
      for (const s of [-0.8, -0.3, 0, 0.3, 0.8])
        for (const m of [1, 2, 3])
          expect(v2(signals(intent, s, m))).toBe(scorePriority(signals(intent, s, m), 'v1'));
  });
});

describe('mentionsBlocking', () => {
  it.each([
    "I can't log in to my account",
    'I cannot sign in since this morning',
    'I’m locked out of my account after too many attempts',
    'It says my account is locked',
    'My account has been suspended without warning',
    "Login doesn't work any more",
    'The password reset email never arrives',
    'This blocks our month-end close',
    'Nothing has synced for three days and my team is blocked',
    'Your server seems to be down',
    'Is there an outage? Checkout fails for all our customers',
    "We can't work like this",
  ])('finds a blocked customer: %s', (text) => {
    expect(mentionsBlocking(text)).toBe(true);
  });

  it.each([
    'How do I change my password?',
    "I can't find the invoice for March",
    'Please block this sender from my inbox',
    'Can I log in with Google instead of a password?',
    'The app crashes when I export a report to PDF',
  ])('does not find one in: %s', (text) => {
    expect(mentionsBlocking(text)).toBe(false);
  });
});

// The whole model, as the inference service uses it: the cases the 1.0.0 demo got wrong.
describe('priority of model 1.1.0 end to end', () => {
  let v110: TriageModel;
  let v100: TriageModel;
  const first = { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 120, lifetimeOrderAmount: 129.9 };
  beforeAll(async () => {
    v110 = await loadTriageModel({ version: '1.1.0' });
    v100 = await loadTriageModel({ version: '1.0.0' });
  });

  it.each([
    [undefined, "I can't log in to my account"],
    [undefined, "I'm locked out of my account since this morning."],
    [
      "Can't log in",
      "I can't log in to my account. The password reset email never arrives and now it says my account is locked after too many attempts. I need to download my invoices today.",
    ],
    ['Two-factor code not working', 'The 2FA code from the authenticator app is always rejected, so I am locked out of my account since this morning.'],
  ])('an account lockout is P2 or higher (first contact, calm): %s %s', (subject, text) => {
    const out = v110.classify({ subject, text, features: first });
    expect(out.intent).toBe('ACCOUNT_ACCESS');
    expect(urgency(out.priority)).toBeGreaterThanOrEqual(urgency('P2'));
  });

  it.each([
    [undefined, 'This is unacceptable. I was charged twice'],
    [
      'Charged TWICE for the same order',
      'This is unacceptable. I was charged twice for order #48213 — two identical payments of $129.90 left my card yesterday. I want the duplicate charge reversed today, not in 10 business days. Furious.',
    ],
    [
      'Double charge AGAIN',
      'This is the second time you double-charged my card for order #51234. Absolutely unacceptable, fix it today or I dispute it with my bank.',
    ],
  ])('a furious double charge is P2 or higher: %s %s', (subject, text) => {
    const out = v110.classify({ subject, text, features: first });
    expect(['BILLING', 'REFUND']).toContain(out.intent);
    expect(urgency(out.priority)).toBeGreaterThanOrEqual(urgency('P2'));
  });

  it('1.0.0 got the calm lockout and the furious demo double charge at P3', () => {
    expect(v100.classify({ text: "I can't log in to my account", features: first }).priority).toBe('P3');
    const demo = {
      subject: 'Charged TWICE for the same order',
      text: 'This is unacceptable. I was charged twice for order #48213 — two identical payments of $129.90 left my card yesterday. I want the duplicate charge reversed today, not in 10 business days. Furious.',
    };
    expect(v100.classify({ ...demo, features: first }).priority).toBe('P3');
  });

  it('keeps calm, unblocked questions low', () => {
    expect(v110.classify({ text: 'How do I change the email address on my account?', features: first }).priority).toBe('P3');
    expect(v110.classify({ text: 'What are your opening hours on Saturday?', features: first }).priority).toBe('P4');
  });
});
