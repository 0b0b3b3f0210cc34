// The benchmark's support messages: the burst mode's templates (order numbers, amounts) mixed with the real
// customer messages of libs/triage-model/fixtures/messages.json, as HTTP events (POST /v1/events), as Avro
// SupportMessageReceived records (enrichment's input) and as SupportMessageEnriched records (inference's input).
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './common.mjs';

const CHANNELS = ['EMAIL', 'CHAT', 'PHONE', 'SOCIAL'];
const TEMPLATES = [
  { subject: 'Charged twice', body: 'I was charged twice for order #{order}. Please refund the duplicate payment of ${amount} as soon as possible.', amount: true },
  { subject: 'Double charge AGAIN', body: 'This is the second time you double-charged my card for order #{order}. Absolutely unacceptable, fix it today or I dispute it with my bank.', amount: true },
  { subject: "Can't log in", body: "I can't log in to my account, the password reset email never arrives and now my account is locked." },
  { subject: 'Two-factor code not working', body: 'The 2FA code from the authenticator app is always rejected, so I am locked out of my account since this morning.' },
  { subject: 'Where is my package?', body: 'My order #{order} was due on Monday and the tracking has not moved for five days. Where is my package?', amount: true },
  { subject: 'Wrong delivery address', body: 'The courier says order #{order} was delivered, but not to my address. Can you check with the carrier please?' },
  { subject: 'Cancel subscription', body: 'Please cancel my subscription at the end of the billing period. The service is fine but we no longer need it.' },
  { subject: 'Cancelling our plan', body: 'We are cancelling our {seats}-seat enterprise plan because of the price increase. Please confirm and send the final invoice.', amount: true },
  { subject: 'Thank you!', body: 'Just wanted to say your support team is amazing, my issue was fixed in minutes. Love the product, thank you!' },
  { subject: 'Refund request', body: 'The item from order #{order} arrived damaged. I would like a full refund of ${amount} to my original payment method, not a replacement.', amount: true },
  { subject: 'App crashes on export', body: 'Bug report: the app crashes every time I export a report to PDF, error 500 after the spinner. Cleared cache, tried two browsers, still broken.' },
  { subject: 'Invoice question', body: 'My latest invoice shows a VAT line I did not expect. Could you explain how the tax was calculated and correct it if needed?', amount: true },
  { subject: null, body: 'Hi, do you ship to Norway and how long does delivery usually take? Thanks.' },
  { subject: 'Sync broken since update', body: 'Since the last update the mobile app no longer syncs with the desktop version. Nothing has synced for three days and my team is blocked.' },
];

let fixtures;
/** The triage model's fixture messages: real support texts, with a subject on some. */
function fixtureMessages() {
  fixtures ??= JSON.parse(readFileSync(join(ROOT, 'libs', 'triage-model', 'fixtures', 'messages.json'), 'utf8'))
    .filter((m) => typeof m.text === 'string' && m.text.trim().length > 0 && m.text.length <= 20_000) // the model's edge cases include an empty text
    .map((m) => ({ subject: m.subject ?? null, body: m.text, amount: /\$\d|refund|charged|invoice/i.test(m.text) }));
  return fixtures;
}

const money = () => `${randomInt(5, 2000)}.${String(randomInt(100)).padStart(2, '0')}`;

/** Body, subject and order amount of message i: templates and fixture messages alternate (templates only when !mixed). */
function messageText(i, mixed = true) {
  const pool = !mixed || i % 2 === 0 ? TEMPLATES : fixtureMessages();
  const t = pool[randomInt(pool.length)];
  const amount = money();
  const body = t.body
    .replace('{order}', String(40_000 + randomInt(60_000)))
    .replace('{amount}', amount)
    .replace('{seats}', String(randomInt(5, 200)));
  return { subject: t.subject, body, orderAmount: t.amount ? amount : null };
}

export const customerId = (i, customers) => `bench-c${String(i % customers).padStart(5, '0')}`;

/** An HTTP event for POST /v1/events; `mixed: false` keeps to the templates (what the burst mode has always posted). */
export function makeEvent(i, customers, { mixed = true } = {}) {
  const { subject, body, orderAmount } = messageText(i, mixed);
  const event = {
    type: 'support.message',
    source: 'spine-bench',
    eventId: randomUUID(),
    customerId: `bench-c${String(randomInt(customers)).padStart(5, '0')}`,
    channel: CHANNELS[i % CHANNELS.length],
    body,
  };
  if (subject) event.subject = subject;
  if (orderAmount) event.orderAmount = orderAmount;
  return event;
}

/** A SupportMessageReceived value (Avro logical types as the runtime hands them: Date, decimal strings). */
export function receivedMessage(i, customers, now = Date.now()) {
  const { subject, body, orderAmount } = messageText(i);
  const eventId = randomUUID();
  return {
    metadata: { eventId, occurredAt: new Date(now - randomInt(60_000)), receivedAt: new Date(now), source: 'spine-bench', correlationId: eventId },
    customerId: customerId(randomInt(customers), customers),
    channel: CHANNELS[i % CHANNELS.length],
    subject,
    body,
    orderAmount,
  };
}

/** A SupportMessageEnriched value: a received message plus plausible customer features. */
export function enrichedMessage(i, customers, now = Date.now()) {
  const message = receivedMessage(i, customers, now);
  const total = randomInt(1, 40);
  return {
    message,
    features: {
      messagesTotal: total,
      messagesLast24h: Math.min(total, randomInt(1, 6)),
      avgBodyLength: Math.round((message.body.length * (0.6 + Math.random() * 0.8)) * 10) / 10,
      previousContactAt: total > 1 ? new Date(now - randomInt(1, 30 * 86_400_000)) : null,
      lifetimeOrderAmount: `${randomInt(0, 20_000)}.${String(randomInt(100)).padStart(2, '0')}`,
    },
  };
}
