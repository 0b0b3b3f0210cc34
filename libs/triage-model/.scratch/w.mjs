import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
const nlp = winkNLP(model);
const its = nlp.its, as = nlp.as;
for (const t of ["I love this product, thanks so much!", "This is terrible, I am furious, nothing works", "My order hasn't arrived yet.", "Where is my package?", "I can't log in to my account and it's extremely frustrating", "Thanks for the quick help", "The app crashes every time. Worst service ever.", "Please cancel my subscription.", "I was charged twice"]) {
  const d = nlp.readDoc(t);
  console.log(d.out(its.sentiment).toFixed(3), t, d.tokens().filter(tk => tk.out(its.type)==='word' && !tk.out(its.stopWordFlag)).out(its.normal), d.tokens().out(its.lemma));
}
const t0 = performance.now(); for (let i=0;i<1000;i++) nlp.readDoc("I can't log in to my account and it's extremely frustrating, please help").out(its.sentiment); console.log((performance.now()-t0)/1000, 'ms');
