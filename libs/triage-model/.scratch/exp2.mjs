import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import nbc from 'wink-naive-bayes-text-classifier';
import fs from 'node:fs';
const nlp = winkNLP(model); const its = nlp.its;
const rows = fs.readFileSync('data/intents.jsonl','utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l));
const train = rows.filter((_,i)=>i%5!==4), hold = rows.filter((_,i)=>i%5===4);
const field = process.argv[2] ?? 'lemma';
const prep = t => nlp.readDoc(t).tokens().filter(x=>x.out(its.type)==='word' && !x.out(its.stopWordFlag)).out(its[field]);
const cfg = JSON.parse(process.argv[3] ?? '{"considerOnlyPresence":true,"smoothingFactor":0.5}');
const c = nbc(); c.defineConfig(cfg); c.definePrepTasks([x=>x]);
for (const r of train) c.learn(prep(r.text), r.intent); c.consolidate();
const res = hold.map(r => { const o=c.computeOdds(prep(r.text)); return {r, lab:o[0][0], p: o[0][0]==='unknown'?0:1/(1+2**-o[0][1]), toks: prep(r.text)}; });
for (const th of [0, 0.3, 0.4, 0.45, 0.5]) {
  const acc = res.filter(x => (x.p < th ? 'OTHER' : x.lab) === x.r.intent).length / res.length;
  console.log('th', th, 'acc', acc.toFixed(3));
}
for (const x of res) if (x.lab !== x.r.intent) console.log(x.r.intent.padEnd(16), '->', x.lab.padEnd(16), x.p.toFixed(2), x.r.text, JSON.stringify(x.toks));
