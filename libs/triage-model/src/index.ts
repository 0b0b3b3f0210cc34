import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
const nlp = winkNLP(model);
export const s: number = nlp.readDoc('hi').out(nlp.its.sentiment);
