/**
 * Support-domain lexicon for sentiment rules v2 and priority rules v2 (models 1.1.0 and later). wink's lexicon is
 * general-purpose English; in customer-support text some of its words mean something else, and the words customers
 * use to complain are often missing or weak. Everything here is on wink's scale (-1..1, a strong word ±0.6).
 *
 * Changing an entry changes the answers of every model version that uses these rules: add a new rules version
 * (e.g. "v3") instead, and keep this one as released.
 */

export interface LexiconEntry {
  /** Matched case-insensitively on word boundaries; must be global (/g). */
  pattern: RegExp;
  polarity: number;
}

/**
 * Words wink scores that in a support message name the topic or are courtesy, not the customer's mood, so they are
 * masked before wink reads a clause. The problem itself is the intent's job; sentiment is the customer's tone.
 * (v1 masked only the request words of sentiment.ts.) wink's scores in brackets.
 */
export const NEUTRAL_IN_SUPPORT_WORDS = {
  /**
   * Requests, courtesy and lukewarm words: "please" (+0.2), "help" (+0.4), "sorry to bother you" (-0.5), "best
   * regards" (+0.875), "the service is fine but we no longer need it" (+0.4).
   */
  courtesy: [
    'fine',
    'please', 'pls', 'plz', 'kindly', 'help', 'support', 'wants?', "(?:would|'d|’d)\\s+like", 'hope', 'wish',
    'appreciated?', 'interested', '(?:kind|best|warm)\\s+regards', 'thanks\\s+in\\s+advance', 'sorry', 'as\\s+well',
    'allow',
  ],
  /** Products, plans and features: "premium" (+0.625), "Plus" (+0.688), "sync" (+0.5), "dark mode" (-0.375). */
  products: [
    'premium', 'plus', 'gift', 'loyalty', 'colou?rs?', 'dress(?:es)?', 'keys?', 'tokens?', 'nuts', 'dark', 'quality',
    'sync(?:s|ed|ing)?', 'upgrade[sd]?', 'save', 'smart', 'secure', 'safe', 'share', 'fit', 'donations?',
  ],
  /** What happens to an order or account: "charged" (-0.6), "waiting" (+0.5), "still" (+0.28), "work" (+0.6). */
  process: [
    'charge[ds]?', 'pay', 'correct(?:ed)?', 'credited', 'accept(?:s|ed|ing)?', 'verified', 'enabled?', 'restored?',
    'stop(?:s|ped|ping)?', 'still', 'waiting', 'trying', 'go', 'right', 'work(?:s|ed|ing)?', 'promised', 'guarantee',
    'cancel(?:s|led|ling|lation)?', 'leave', 'ignore[ds]?', 'forgot', 'effective', 'agreement', 'certain', 'straight',
    'validates?',
  ],
  /** Problem words: "error" (-0.4), "lost" (-0.6), "damaged" (-0.6), "I have a problem" (-0.4). */
  problems: [
    'problems?', 'errors?', 'crash(?:es|ed)?', 'fail(?:s|ed|ing|ure)?', 'missing', 'damaged', 'faulty', 'defective',
    'corrupted', 'lost', 'broken?', 'broke', 'stuck', 'unable', 'delay(?:s|ed)?', 'block(?:s|ed|ing)?', 'wrong',
    'trouble', 'mistakes?', 'dispute', 'urgent', 'refused?', 'reject(?:s|ed)?', 'denied', 'suspended', 'hacked',
    'leaked', 'spam', 'warning', 'firing', 'offline', 'down', 'outage', 'drop(?:s|ped)?', 'disappeared', 'incomplete',
    'joke',
  ],
} as const;

export const NEUTRAL_IN_SUPPORT = new RegExp(
  `\\b(?:${Object.values(NEUTRAL_IN_SUPPORT_WORDS).flat().join('|')})\\b`,
  'gi',
);

/**
 * How customers complain, replacing wink's score where it has one (wink: "garbage" -0.2, "furious" -0.25,
 * "frustrating" -0.25, "joke" +0.4).
 */
export const COMPLAINTS: readonly LexiconEntry[] = [
  { pattern: /\b(?:furious|livid|outraged|disgusted|appalled|fuming)\b/gi, polarity: -0.8 },
  { pattern: /\b(?:waste\s+of\s+(?:my\s+|our\s+)?(?:time|money)|last\s+straw)\b/gi, polarity: -0.8 },
  {
    pattern:
      /\b(?:useless|garbage|rubbish|junk|pathetic|unacceptable|outrageous|ridiculous|incompetent|unprofessional|disgraceful|shameful|scam|rip[-\s]?off|nightmare)\b/gi,
    polarity: -0.6,
  },
  { pattern: /\b(?:(?:is|was|are|what)\s+a\s+(?:complete\s+|total\s+)?joke|joke\s+of\s+a)\b/gi, polarity: -0.6 },
  { pattern: /\b(?:fed\s+up|sick\s+(?:and\s+tired\s+)?of|had\s+enough|never\s+again)\b/gi, polarity: -0.6 },
  { pattern: /\b(?:let\s+(?:me|us)\s+down|gone\s+downhill)\b/gi, polarity: -0.6 },
  { pattern: /\b(?:frustrat(?:ing|ed)|infuriating|annoyed)\b/gi, polarity: -0.5 },
  // wink: "unfortunately" -0.75; in a support message it mostly introduces the problem politely.
  { pattern: /\bunfortunately\b/gi, polarity: -0.2 },
];

/**
 * Grievances: the customer has been let down already (money taken twice, still waiting, nobody answers). Negative,
 * but not strongly on their own (-0.35 > STRONGLY_NEGATIVE_AT_OR_BELOW): anger words make the difference.
 */
export const GRIEVANCES: readonly LexiconEntry[] = [
  {
    pattern:
      /\b(?:charged\s+(?:me\s+)?(?:twice|two\s+times|double|again|2x)|double[-\s]?charg(?:ed|es?|ing)|overcharg(?:ed|es?|ing)|duplicate\s+(?:charges?|payments?|transactions?))\b/gi,
    polarity: -0.35,
  },
  {
    pattern:
      /\b(?:still\s+(?:waiting|not|no|nothing|haven't|hasn't|have\s+not|has\s+not|can't|cannot|broken|doesn't|isn't)|(?:been|keep)\s+waiting|never\s+(?:arrived|received|came|showed\s+up|got|heard\s+back|answered|replied|responded))\b/gi,
    polarity: -0.35,
  },
  {
    pattern:
      /\b(?:(?:nobody|no\s+one|no-one)\s+(?:\w+\s+)?(?:answers|answered|replies|replied|responds|responded|helps|helped|gets\s+back|got\s+back|calls?\s+back|called\s+back|cares)|no\s+(?:response|reply|answer)s?)\b/gi,
    polarity: -0.35,
  },
  {
    pattern:
      /\b(?:(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time|again\s+and\s+again|over\s+and\s+over|keeps?\s+(?:crashing|failing|happening|breaking))\b/gi,
    polarity: -0.35,
  },
];

/** A negator in the two words before a lexicon phrase cancels it ("not a joke", "isn't useless"). */
export const NEGATED_BEFORE = /(?:\b(?:not|no|never|nothing|cannot|without|hardly)|n't|n’t)\s+(?:\S+\s+)?$/i;

/** Intensifiers multiply a clause's score by INTENSIFIER_FACTOR (wink scores "very bad" like "bad"). */
export const INTENSIFIERS =
  /\b(?:extremely|absolutely|totally|completely|utterly|incredibly|really|very|truly|seriously|so|super|deeply|highly|beyond)\b/i;
export const INTENSIFIER_FACTOR = 1.5;

/** Shouting ("!!" or a word of five or more capitals, e.g. "TWICE", "AGAIN") multiplies by SHOUTING_FACTOR. */
export const SHOUTING = /!!|\b[A-Z]{5,}\b/;
export const SHOUTING_FACTOR = 1.25;

/**
 * A last clause that is only a thank-you ("..., thanks." / "Thank you!") closes a message politely; it is not
 * praise of anything, so it does not count (unless it is the whole message).
 */
export const SIGN_OFF =
  /^(?:(?:many|big)\s+)?(?:thanks|thank\s+you|thx|ty|cheers|regards|best|sincerely)(?:\s+(?:so|very)\s+much|\s+a\s+lot|\s+again)?[\s!.]*$/i;

/** A clause before one of these ("it's not bad, but I'm not happy") is a concession: it counts CONCESSION_WEIGHT. */
export const CONTRAST = /^\s*,?\s*(?:but|however|yet)\s*$/i;
export const CONCESSION_WEIGHT = 0.5;

/**
 * Clause boundaries: sentence ends, line breaks, semicolons, colons, commas, spaced dashes and the conjunctions that
 * join clauses. wink's negation runs to the end of the sentence ("I can't log in and it's frustrating" makes
 * "frustrating" positive); scoring each clause on its own stops it at the clause.
 */
export const CLAUSE_BOUNDARY =
  /[.!?]+(?=\s|$)|\s*,?\s+(?:and|but|or|because|although|though|however|yet|while|whereas)\s+|[\n\r;:,]+|\s+[-–—]+\s+|\s*[–—]\s*/i;

/**
 * The customer says they are blocked: locked out of their account, unable to work, or a service down. Priority rules
 * v2 raise such a message by one level and to at least P2, whatever the intent.
 */
export const BLOCKING: readonly RegExp[] = [
  /\b(?:can't|cannot|can\s+not|unable\s+to|couldn't|could\s+not|not\s+able\s+to)\s+(?:log\s*(?:in|on)(?:to)?|login|sign\s*(?:in|on)|signin|access|get\s+(?:in|into|back\s+into)|open\s+my\s+account|use\s+(?:my|our|the)\s+account|work)\b/i,
  /\blocked\s+out\b/i,
  /\baccount\s+(?:is\s+|has\s+been\s+|was\s+|got\s+|now\s+)*(?:locked|blocked|suspended|disabled|frozen)\b/i,
  /\b(?:locked|blocked|suspended|disabled|froze)\s+(?:my|our)\s+account\b/i,
  /\b(?:log\s*in|login|sign\s*in|password|credentials)\s+(?:\w+\s+)?(?:no\s+longer\s+works?|doesn't\s+work|does\s+not\s+work|isn't\s+working|is\s+not\s+working|stopped\s+working|fails?|failed|rejected)\b/i,
  /\b(?:reset|verification|login)\s+(?:\w+\s+)?(?:email|link|code|sms)\s+(?:never|doesn't|does\s+not|didn't|did\s+not|won't)\s+(?:arrives?|come|comes|work|works)\b/i,
  /\b(?:blocks|blocking)\s+(?:us|me|our|my|the\s+team|everyone|everybody|work)\b/i,
  /\b(?:we|i|team|everyone)\s+(?:is|are|am|'re|'m)\s+(?:completely\s+|totally\s+)?blocked\b/i,
  /\b(?:site|website|app|service|platform|system|server|api|checkout|shop|store)\s+(?:is|are|went|has\s+been|(?:seems|appears)\s+to\s+be)\s+(?:completely\s+|totally\s+)?down\b/i,
  /\boutage\b/i,
];

export function mentionsBlocking(text: string): boolean {
  const ascii = text.replace(/[’‘]/g, "'");
  return BLOCKING.some((pattern) => pattern.test(ascii));
}
