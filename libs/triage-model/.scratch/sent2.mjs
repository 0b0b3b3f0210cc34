import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import fs from 'node:fs';
const nlp = winkNLP(model); const its = nlp.its;
const strip = t => t.replace(/\b(please|pls|plz|kindly)\b/gi, ' ');
const lab = s => s <= -0.25 ? 'NEG' : s >= 0.25 ? 'POS' : 'NEU';
const rows = fs.readFileSync('data/intents.jsonl','utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l));
const tally = {};
for (const r of rows) { const a = nlp.readDoc(r.text).out(its.sentiment), b = nlp.readDoc(strip(r.text)).out(its.sentiment);
  const k = r.intent; tally[k] ??= {NEG:0,NEU:0,POS:0}; tally[k][lab(b)]++;
  if (lab(a)!==lab(b)) console.log(a.toFixed(2), b.toFixed(2), r.text); }
console.table(tally);
for (const t of ["This is the third time I'm writing. Your app is broken and I am furious.", "I can't log in to my account and it's extremely frustrating", "Terrible service, I've been waiting for weeks and nobody answers.", "Thank you so much, the team was wonderful and fixed everything!", "Absolutely love the new version, great work.", "Hello, I have a question about my invoice.", "I was charged twice, please fix this", "Your support is useless and the product is garbage.", "This is unacceptable. I want to speak to a manager now!", "Awful experience, worst company ever.", "Great job, very happy with the fast delivery."]) console.log(nlp.readDoc(strip(t)).out(its.sentiment).toFixed(3), t);
