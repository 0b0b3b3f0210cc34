import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
const nlp = winkNLP(model, ['sbd','negation','sentiment']); const its = nlp.its;
for (const t of ["Locked out\nMy account is locked. This is awful", "Locked out: My account is locked. This is awful", "Locked out.\nMy account is locked. This is awful", "Awful\nMy account is locked", "Locked out\n\nMy account is locked"]) { const d = nlp.readDoc(t); console.log(JSON.stringify(t), d.sentences().length(), d.sentences().out(), d.out(its.sentiment)); }
