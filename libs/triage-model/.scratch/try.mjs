import { loadTriageModel, listModelVersions } from '../dist/index.js';
console.log(await listModelVersions());
const m = await loadTriageModel();
const f = { messagesTotal: 1, messagesLast24h: 1, avgBodyLength: 80, lifetimeOrderAmount: 100 };
for (const [subject, text] of [[null, "I can't log in to my account and it's extremely frustrating"], ['Locked out', 'My account is locked and the reset email never arrives. This is awful, I have a deadline today!'], [null, 'Thank you so much, the support team was wonderful!'], ['Refund request', 'I sent the shoes back two weeks ago.'], [null, ''], [null, 'asdf qwerty'], [null, 'Where is my parcel?'], [null, 'I want to cancel my subscription'], [null, 'The app crashes constantly, this is a disaster, worst software ever']]) console.log(JSON.stringify(m.classify({ subject, text, features: f })), '|', subject, text);
