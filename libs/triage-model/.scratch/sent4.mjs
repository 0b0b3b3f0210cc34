import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import fs from 'node:fs';
const nlp = winkNLP(model); const its = nlp.its;
const strip = t => t.replace(/\b(please|pls|plz|kindly|help|support|(?:would|'d|’d)\s+like|wants?)\b/gi, ' ');
const lab = s => s <= -0.25 ? 'NEG' : s >= 0.25 ? 'POS' : 'NEU';
const rows = fs.readFileSync('data/intents.jsonl','utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l));
const tally = {};
for (const r of rows) { const a = nlp.readDoc(r.text).out(its.sentiment), b = nlp.readDoc(strip(r.text)).out(its.sentiment);
  const k = r.intent; tally[k] ??= {NEG:0,NEU:0,POS:0}; tally[k][lab(b)]++;
  if (lab(a)!==lab(b)) console.log(a.toFixed(2), b.toFixed(2), r.text); }
console.table(tally);
for (const t of ["This is the third time I'm writing. Your app is broken and I am furious.", "Terrible service, I've been waiting for weeks and nobody answers.", "Your support is useless and the product is garbage.", "This is unacceptable. I want to speak to a manager now!", "I'd like a refund please", "Can you help me with my order?", "Thank you, you really helped!"]) console.log(nlp.readDoc(strip(t)).out(its.sentiment).toFixed(3), t);
