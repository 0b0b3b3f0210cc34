import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import nbc from 'wink-naive-bayes-text-classifier';
import fs from 'node:fs';
const nlp = winkNLP(model); const its = nlp.its;
const rows = fs.readFileSync('data/intents.jsonl','utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l));
for (const field of ['normal','stem','lemma']) for (const sf of [0.25,0.5,1]) {
const prep = t => nlp.readDoc(t).tokens().filter(x=>x.out(its.type)==='word' && !x.out(its.stopWordFlag)).out(its[field]).map(s=>s.toLowerCase());
const toks = rows.map(r=>prep(r.text));
let tot=0, tot45=0;
for (let k=0;k<5;k++){
const c = nbc(); c.defineConfig({considerOnlyPresence:true,smoothingFactor:sf}); c.definePrepTasks([x=>x]);
rows.forEach((r,i)=>{ if(i%5!==k) c.learn(toks[i], r.intent)}); c.consolidate();
rows.forEach((r,i)=>{ if(i%5===k){ const o=c.computeOdds(toks[i]); const p=o[0][0]==='unknown'?0:1/(1+2**-o[0][1]); if(o[0][0]===r.intent) tot++; if((p<0.45?'OTHER':o[0][0])===r.intent) tot45++; }});
}
console.log(field, sf, 'cv acc', (tot/rows.length).toFixed(3), 'with 0.45→OTHER', (tot45/rows.length).toFixed(3));
}
