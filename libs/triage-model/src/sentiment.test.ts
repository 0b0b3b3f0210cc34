import { analyzeSentiment, STRONGLY_NEGATIVE_AT_OR_BELOW, type SentimentRules } from './sentiment.js';

// Fresh messages, none from the intent dataset. The expectations are what a support agent would say, not what the
// code happens to return. Rules v1 are model 1.0.0's, v2 model 1.1.0's: both must get these right.
describe.each<SentimentRules>(['v1', 'v2'])('analyzeSentiment, rules %s', (rules) => {
  it.each([
    'Awful experience, worst company ever.',
    'This is unacceptable.',
    'The app crashes constantly, this is a disaster, worst software ever.',
    'I am disappointed, the blender broke after one day and nobody answers my emails.',
  ])('finds clear complaints NEGATIVE: %s', (text) => {
    const { sentiment, score } = analyzeSentiment(text, rules);
    expect(sentiment).toBe('NEGATIVE');
    expect(score).toBeLessThan(0);
  });

  it.each([
    'Thank you so much, the team was wonderful and fixed everything!',
    'Great job, very happy with the fast delivery.',
    'Absolutely love the new version, great work.',
  ])('finds clear praise POSITIVE: %s', (text) => {
    const { sentiment, score } = analyzeSentiment(text, rules);
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
    expect(analyzeSentiment(text, rules).sentiment).toBe('NEUTRAL');
  });

  it('does not let courtesy words soften a complaint', () => {
    expect(analyzeSentiment('I was charged twice, please help me fix this.', rules).sentiment).toBe('NEGATIVE');
  });

  it('scores within -1..1', () => {
    const extremes = ['', '!!!', 'worst worst worst awful terrible', 'best best amazing wonderful great'];
    extremes.push('ABSOLUTELY FURIOUS!!! This is extremely unacceptable, a total joke and a waste of money!!!');
    extremes.push('EXTREMELY HAPPY!!! Absolutely wonderful, truly amazing, really excellent!!!');
    for (const text of extremes) {
      const { score } = analyzeSentiment(text, rules);
      expect(score).toBeGreaterThanOrEqual(-1);
      expect(score).toBeLessThanOrEqual(1);
    }
  });
});

describe('analyzeSentiment rules v1 (model 1.0.0)', () => {
  it('is the default', () => {
    const text = "I can't log in to my account and it's extremely frustrating";
    expect(analyzeSentiment(text)).toEqual(analyzeSentiment(text, 'v1'));
  });

  // Known limitation of wink's lexicon model: "can't" negates every word up to the end of the clause, so the
  // negative "frustrating" counts as positive. Kept as a failing test: rules v2 fix it, v1 must stay as released.
  it.failing('finds a negated complaint NEGATIVE (wink negation scope: known miss)', () => {
    expect(analyzeSentiment("I can't log in to my account and it's extremely frustrating").sentiment).toBe('NEGATIVE');
  });
});

describe('analyzeSentiment rules v2 (model 1.1.0): the support-domain correction layer', () => {
  const v2 = (text: string) => analyzeSentiment(text, 'v2');

  // The cases the 1.0.0 demo got wrong.
  it('ends negation at the clause: "can\'t log in and it\'s extremely frustrating" is clearly NEGATIVE', () => {
    const { sentiment, score } = v2("I can't log in to my account and it's extremely frustrating");
    expect(sentiment).toBe('NEGATIVE');
    expect(score).toBeLessThanOrEqual(STRONGLY_NEGATIVE_AT_OR_BELOW);
  });

  it.each([
    'Your support is useless and the product is garbage',
    'This is unacceptable. I was charged twice',
    'Charged TWICE for the same order\nThis is unacceptable. I was charged twice for order #48213 — two identical payments of $129.90 left my card yesterday. I want the duplicate charge reversed today, not in 10 business days. Furious.',
    "I'm locked out of my account and nobody helps, this is ridiculous!!!",
  ])('finds clear complaints strongly NEGATIVE: %s', (text) => {
    const { sentiment, score } = v2(text);
    expect(sentiment).toBe('NEGATIVE');
    expect(score).toBeLessThanOrEqual(STRONGLY_NEGATIVE_AT_OR_BELOW);
  });

  it('does not let neutral sentences dilute an angry one', () => {
    const text = 'I ordered a lamp on Monday. The order number is 5512. It came in a blue box. This is unacceptable.';
    expect(analyzeSentiment(text, 'v1').score).toBeGreaterThan(STRONGLY_NEGATIVE_AT_OR_BELOW);
    expect(v2(text).score).toBeLessThanOrEqual(STRONGLY_NEGATIVE_AT_OR_BELOW);
  });

  it('makes an intensified or shouted complaint more negative than a plain one', () => {
    expect(v2('It is extremely frustrating').score).toBeLessThan(v2('It is frustrating').score);
    expect(v2('This is UNACCEPTABLE!!').score).toBeLessThan(v2('This is unacceptable.').score);
  });

  it('lets a negator cancel a complaint phrase', () => {
    expect(v2('Your product is not garbage').sentiment).toBe('NEUTRAL');
    expect(v2('This is not a joke').sentiment).toBe('NEUTRAL');
  });

  it('weighs what comes after "but" over the clause it concedes', () => {
    expect(v2("It's not bad at all, but I'm not happy.").sentiment).toBe('NEGATIVE');
    expect(v2('The product is not great but your support was excellent.').sentiment).toBe('POSITIVE');
  });

  it.each([
    ['a problem statement', 'I have a problem with my invoice.'],
    ['an error report', 'Error 500 when I export a report.'],
    ['billing vocabulary ("charged" means accused to wink)', 'I was charged 20 euros for my plan this month, as usual.'],
    ['a plan name', 'What is the difference between Premium and Plus?'],
    ['"still" and "waiting"', 'I am waiting for the courier, the tracking still says Monday.'],
    ['a polite closing thank-you', 'Do you ship to Norway? Thanks.'],
    ['a cancellation with "effective"', 'Please cancel my subscription effective immediately.'],
  ])('reads support vocabulary as the topic, not the mood: %s', (_, text) => {
    expect(v2(text)).toEqual({ sentiment: 'NEUTRAL', score: 0 });
  });

  it('still counts thanks that are the message, and grievances as mildly negative', () => {
    expect(v2('Thank you!').sentiment).toBe('POSITIVE');
    const grievance = v2('I returned the jacket two weeks ago and still haven’t received my refund.');
    expect(grievance.sentiment).toBe('NEGATIVE');
    expect(grievance.score).toBeGreaterThan(STRONGLY_NEGATIVE_AT_OR_BELOW);
  });
});
