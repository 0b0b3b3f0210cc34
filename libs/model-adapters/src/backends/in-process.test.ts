import { Registry } from 'prom-client';
import { generateTransactions, loadFraudModel, replayFeatures, toPaymentTransactionReceived, type FraudInput, type FraudOutput } from '@spine/fraud-model';
import { loadTriageModel, type TriageInput, type TriageOutput } from '@spine/triage-model';
import { createModelAdapter } from '../create-adapter.js';

const opts = () => ({ signal: new AbortController().signal });

describe('in-process adapter', () => {
  it("wraps the triage model's classify", async () => {
    const triage = await loadTriageModel();
    const adapter = await createModelAdapter<TriageInput, TriageOutput>(
      { kind: 'in-process', name: triage.name, version: triage.version, function: 'triage' },
      { registry: new Registry(), functions: { triage: (input: TriageInput) => triage.classify(input) } },
    );
    const input: TriageInput = { text: 'I was charged twice for my order, please refund me!', features: { messagesTotal: 3, messagesLast24h: 2, avgBodyLength: 80, lifetimeOrderAmount: 120 } };
    const [output] = await adapter.predict([input], opts());
    expect(output).toEqual(triage.classify(input));
    expect(adapter.describe()).toEqual({ name: triage.name, version: triage.version, kind: 'in-process', target: 'function triage' });
  });

  it("wraps the fraud model's score, a batch in order", async () => {
    const fraud = loadFraudModel('1.0.0');
    const inputs: FraudInput[] = replayFeatures(generateTransactions({ seed: 3, customers: 5 })).map((r) => ({ transaction: toPaymentTransactionReceived(r.tx), features: r.features }));
    const adapter = await createModelAdapter<FraudInput, FraudOutput>(
      { kind: 'in-process', name: 'fraud-lr', version: '1.0.0', function: 'fraud' },
      { registry: new Registry(), functions: { fraud: (input: FraudInput) => fraud.score(input) } },
    );
    expect(await adapter.predict(inputs, opts())).toEqual(inputs.map((i) => fraud.score(i)));
  });

  it('passes an async function’s rejection on, classified as the runtime would', async () => {
    const adapter = await createModelAdapter(
      { kind: 'in-process', name: 'm', version: '1', function: 'broken' },
      { registry: new Registry(), functions: { broken: async () => Promise.reject(new TypeError('no such field')) } },
    );
    await expect(adapter.predict([{}], opts())).rejects.toThrow(TypeError);
  });

  it('refuses a function name nobody registered, listing the registered ones', async () => {
    await expect(createModelAdapter({ kind: 'in-process', name: 'm', version: '1', function: 'nope' }, { registry: new Registry(), functions: { a: () => 1, b: () => 2 } })).rejects.toThrow(
      'function: no function "nope" was registered; pass it in the context\'s functions (registered: a, b)',
    );
  });
});
