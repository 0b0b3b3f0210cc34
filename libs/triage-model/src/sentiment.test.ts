import { analyzeSentiment } from './sentiment.js';

// Fresh messages, none from the intent dataset. The expectations are what a support agent would say, not what the
// code happens to return.
describe('analyzeSentiment', () => {
  it.each([
    'Awful experience, worst company ever.',
    'This is unacceptable.',
    'The app crashes constantly, this is a disaster, worst software ever.',
    'I am disappointed, the blender broke after one day and nobody answers my emails.',
  ])('finds clear complaints NEGATIVE: %s', (text) => {
    const { sentiment, score } = analyzeSentiment(text);
    expect(sentiment).toBe('NEGATIVE');
    expect(score).toBeLessThan(0);
  });

  it.each([
    'Thank you so much, the team was wonderful and fixed everything!',
    'Great job, very happy with the fast delivery.',
    'Absolutely love the new version, great work.',
  ])('finds clear praise POSITIVE: %s', (text) => {
    const { sentiment, score } = analyzeSentiment(text);
    expect(sentiment).toBe('POSITIVE');
    expect(score).toBeGreaterThan(0);
  });

  it.each([
    'Hello, I have a question about my invoice.',
    'What are your opening hours on Saturday?',
    'Please cancel my subscription.',
    "I'd like a refund please.",
    'Can you help me with my order?',
  ])('finds plain requests NEUTRAL: %s', (text) => {
    expect(analyzeSentiment(text).sentiment).toBe('NEUTRAL');
  });

  it('does not let courtesy words soften a complaint', () => {
    expect(analyzeSentiment('I was charged twice, please help me fix this.').sentiment).toBe('NEGATIVE');
  });

  it('scores within -1..1', () => {
    for (const text of ['', '!!!', 'worst worst worst awful terrible', 'best best amazing wonderful great']) {
      const { score } = analyzeSentiment(text);
      expect(score).toBeGreaterThanOrEqual(-1);
      expect(score).toBeLessThanOrEqual(1);
    }
  });

  // Known limitation of wink's lexicon model: "can't" negates every word up to the end of the clause, so the
  // negative "frustrating" counts as positive. Kept as a failing test so a better model shows up as a fix.
  it.failing('finds a negated complaint NEGATIVE (wink negation scope: known miss)', () => {
    expect(analyzeSentiment("I can't log in to my account and it's extremely frustrating").sentiment).toBe('NEGATIVE');
  });
});
