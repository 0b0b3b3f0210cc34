#!/usr/bin/env node
// Prints the synthetic data's make-up as Markdown (the data tables of the README): patterns, mix, and how many genuine
// payments share each fraud signal.
//   npx tsc -b libs/fraud-model && node libs/fraud-model/scripts/describe-data.mjs [--seed 42]
import { parseArgs } from 'node:util';

const root = new URL('../', import.meta.url);
const { values } = parseArgs({ options: { seed: { type: 'string', default: '42' } } });
const { buildDataset } = await import(new URL('dist/training.js', root).href);

const { rows, cards } = buildDataset({ seed: Number(values.seed) });
const pct = (x) => `${(100 * x).toFixed(1)} %`;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const amount = (r) => Number(r.tx.amount);

// The country a card mostly shops in (card present, genuine): its "home" as the data shows it.
const countsByCard = new Map();
for (const r of rows) {
  if (r.tx.isFraud || r.tx.channel !== 'CARD_PRESENT') continue;
  const counts = countsByCard.get(r.tx.cardId) ?? new Map();
  counts.set(r.tx.country, (counts.get(r.tx.country) ?? 0) + 1);
  countsByCard.set(r.tx.cardId, counts);
}
const homeOf = new Map([...countsByCard].map(([card, counts]) => [card, [...counts].sort((a, b) => b[1] - a[1])[0][0]]));

const customers = new Map();
for (const r of rows) customers.set(r.tx.customerId, (customers.get(r.tx.customerId) ?? new Set()).add(r.tx.cardId));
const frauds = rows.filter((r) => r.tx.isFraud);
console.log(
  `${rows.length} payments of ${cards} cards (${customers.size} customers, ` +
    `${[...customers.values()].filter((s) => s.size > 1).length} with two cards); ${frauds.length} frauds (${pct(frauds.length / rows.length)}) ` +
    `on ${new Set(frauds.map((r) => r.tx.cardId)).size} cards; online ${pct(rows.filter((r) => r.tx.channel === 'ONLINE').length / rows.length)}; ` +
    `median amount ${median(rows.map(amount))}\n`,
);

console.log('| pattern | payments | cards | median amount | online | new merchant for the card |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const pattern of ['CARD_TESTING', 'ACCOUNT_TAKEOVER', 'SKIMMING', null]) {
  const rs = rows.filter((r) => r.tx.fraudPattern === pattern);
  console.log(
    `| ${pattern ?? 'genuine'} | ${rs.length} | ${new Set(rs.map((r) => r.tx.cardId)).size} | ${median(rs.map(amount))} | ` +
      `${pct(rs.filter((r) => r.tx.channel === 'ONLINE').length / rs.length)} | ${pct(rs.filter((r) => r.features.newMerchantForCard).length / rs.length)} |`,
  );
}

console.log('\n| payments that … | genuine | fraud | fraud share |');
console.log('| --- | --- | --- | --- |');
const signal = (label, predicate) => {
  const rs = rows.filter(predicate);
  const f = rs.filter((r) => r.tx.isFraud).length;
  console.log(`| ${label} | ${rs.length - f} | ${f} | ${pct(f / rs.length)} |`);
};
signal("are card present abroad (not the card's usual shop country)", (r) => r.tx.channel === 'CARD_PRESENT' && r.tx.country !== homeOf.get(r.tx.cardId));
signal('are online, under 3.00, digital goods or other', (r) => r.tx.channel === 'ONLINE' && amount(r) < 3 && ['DIGITAL_GOODS', 'OTHER'].includes(r.tx.merchantCategory));
signal('have 3+ payments on the card in 1 h', (r) => r.features.cardTxLast1h >= 3);
signal('… and are at a new merchant', (r) => r.features.cardTxLast1h >= 3 && r.features.newMerchantForCard);
signal("are 5× the card's 30-day average or more", (r) => r.features.amountToCardAvg >= 5);
signal('are over 500.00 in electronics, travel or gambling', (r) => amount(r) > 500 && ['ELECTRONICS', 'TRAVEL', 'GAMBLING'].includes(r.tx.merchantCategory));
signal('are in a new country for the card', (r) => r.features.newCountryForCard);
signal('make 2+ countries on the card in 24 h', (r) => r.features.cardDistinctCountries24h >= 2);
signal('are at a new merchant for the card', (r) => r.features.newMerchantForCard);

const categories = new Map();
for (const r of rows) categories.set(r.tx.merchantCategory, (categories.get(r.tx.merchantCategory) ?? 0) + 1);
console.log(`\ncategories: ${[...categories].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${pct(n / rows.length)}`).join(', ')}`);
const currencies = new Map();
for (const r of rows) currencies.set(r.tx.currency, (currencies.get(r.tx.currency) ?? 0) + 1);
console.log(`currencies: ${[...currencies].map(([c, n]) => `${c} ${n}`).join(', ')}`);
