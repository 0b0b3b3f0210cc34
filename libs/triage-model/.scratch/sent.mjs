import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import fs from 'node:fs';
const nlp = winkNLP(model); const its = nlp.its;
const rows = fs.readFileSync('data/intents.jsonl','utf8').split('\n').filter(Boolean).map(l=>JSON.parse(l));
const s = rows.map(r=>[nlp.readDoc(r.text).out(its.sentiment), r.text]);
s.sort((a,b)=>a[0]-b[0]);
const hist = {}; for (const [v] of s) { const b=(Math.round(v*20)/20).toFixed(2); hist[b]=(hist[b]||0)+1; } console.log(hist);
for (const [v,t] of s.filter(([v])=>v!==0)) console.log(v.toFixed(3), t);
