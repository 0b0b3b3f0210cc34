import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import nbc from 'wink-naive-bayes-text-classifier';
import fs from 'node:fs';
const nlp = winkNLP(model); const its = nlp.its;
const rows = fs.readFileSync('data/intents.jsonl','utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l));
const train = rows.filter((_,i)=>i%5!==4), hold = rows.filter((_,i)=>i%5===4);
const preps = {
  normal: t => nlp.readDoc(t).tokens().filter(x=>x.out(its.type)==='word' && !x.out(its.stopWordFlag)).out(its.normal),
  stem: t => nlp.readDoc(t).tokens().filter(x=>x.out(its.type)==='word' && !x.out(its.stopWordFlag)).out(its.stem),
  lemma: t => nlp.readDoc(t).tokens().filter(x=>x.out(its.type)==='word' && !x.out(its.stopWordFlag)).out(its.lemma),
  lemmaStopAfter: t => nlp.readDoc(t).tokens().filter(x=>x.out(its.type)==='word' && !x.out(its.stopWordFlag)).out(its.lemma),
};
for (const [name,prep] of Object.entries(preps)) for (const cfg of [{considerOnlyPresence:true,smoothingFactor:0.5},{considerOnlyPresence:true,smoothingFactor:1},{considerOnlyPresence:false,smoothingFactor:0.5}]) {
  const c = nbc(); c.defineConfig(cfg); c.definePrepTasks([x=>Array.isArray(x)?x:prep(x)]);
  for (const r of train) c.learn(r.text, r.intent); c.consolidate();
  let ok=0; const conf=[];
  for (const r of hold) { const o=c.computeOdds(prep(r.text)); if (o[0][0]===r.intent) ok++; conf.push([o[0][1], o[0][0]===r.intent]); }
  const p = conf.map(([o,k])=>[1/(1+2**-o),k]);
  const lowWrong = p.filter(([q,k])=>!k).map(([q])=>q.toFixed(2)).join(' ');
  console.log(name, JSON.stringify(cfg), 'acc', (ok/hold.length).toFixed(3), 'wrong probs:', lowWrong, 'right<0.6:', p.filter(([q,k])=>k&&q<0.6).length);
}
