import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
const nlp = winkNLP(model); const its = nlp.its;
for (const t of ["Your app is broken and I am furious.", "This is the third time I'm writing.", "Terrible service, I've been waiting for weeks and nobody answers.", "Your support is useless and the product is garbage.", "This is unacceptable.", "I want to speak to a manager now!", "I can't log in to my account and it's extremely frustrating"]) {
  const d = nlp.readDoc(t);
  console.log(d.out(its.sentiment).toFixed(3), t, d.sentences().out(its.sentiment), d.tokens().out().map((w,i)=>w+':'+d.tokens().itemAt(i).out(its.negationFlag)).join(' '));
  try { console.log('  tok sent', d.tokens().out(its.sentiment)); } catch(e) { console.log(e.message) }
}
