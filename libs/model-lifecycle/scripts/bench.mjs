#!/usr/bin/env node
// The model router's cost per record: the fraud model called directly vs through ModelServing.serve() (route by key
// hash, version lookup, adapter, ModelInfo, metrics, health window), as champion only, with a 50/50 A/B split, and
// with a shadow version, on the same real payments. Needs the stack (the router reads a real control topic):
//   npx tsc -b libs/model-lifecycle libs/fraud-detection && set -a && source /var/tmp/spine-root/stack.env && set +a &&
//   node libs/model-lifecycle/scripts/bench.mjs [--records 20000] [--json]
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { fraudModelBinding } from '@spine/fraud-detection';
import { generateTransactions, loadFraudModel, replayFeatures, toPaymentTransactionReceived } from '@spine/fraud-model';
import { ModelControl, ModelServing } from '@spine/model-lifecycle';
import { payments } from '@spine/platform';
import { provision, resolveTopic } from '@spine/topology';
import { kafkaFromEnv } from '@spine/runtime';
import { loadSchemaCatalog } from '@spine/schemas';
import { RegistryClient } from '@spine/serde';
import { modelControlTopic } from '@spine/platform';

const args = process.argv.slice(2);
const records = Number(args[args.indexOf('--records') + 1] ?? 20_000) || 20_000;
const json = args.includes('--json');
const log = (m) => (json ? undefined : console.error(m));

const prefix = `bench-router-${randomUUID().slice(0, 8)}.`;
process.env.SPINE_TOPIC_PREFIX = prefix;
const kafka = kafkaFromEnv('bench-router');
const admin = kafka.admin();
await admin.connect();
const control = resolveTopic(modelControlTopic, { prefix, partitions: 1, replicationFactor: 1 });
await provision([control], { admin, registry: RegistryClient.fromEnv(), catalog: await loadSchemaCatalog() });
log(`provisioned ${control.name}`);

const model = loadFraudModel('1.0.0');
const rows = replayFeatures(generateTransactions({ seed: 7, customers: 200 })).slice(0, records);
const inputs = rows.map((r) => ({ transaction: toPaymentTransactionReceived(r.tx), features: r.features }));
log(`${inputs.length} payments`);

const ops = await ModelControl.fromEnv({ clientId: 'bench-ops' });
await ops.start();
const stage = payments.stages.fraudScoring;
const serving = new ModelServing(stage, fraudModelBinding([model], model), { control: ops, registry: new Registry() });
const signal = new AbortController().signal;

async function timed(label, fn) {
  for (let i = 0; i < Math.min(2_000, inputs.length); i++) await fn(inputs[i]); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const input of inputs) await fn(input);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const us = (ms * 1000) / inputs.length;
  const cpuUs = (cpu.user + cpu.system) / inputs.length;
  log(`${label.padEnd(32)} ${us.toFixed(2)} µs/record, CPU ${cpuUs.toFixed(2)} µs/record`);
  return { label, usPerRecord: us, cpuUsPerRecord: cpuUs };
}

const results = [];
results.push(await timed('direct model.score()', async (input) => model.score(input)));
results.push(await timed('serve(): champion', (input) => serving.serve(input.transaction.cardId, input, signal)));
await ops.register(stage.model.name, '1.0.0-b', { kind: 'in-process', function: `${stage.model.name}@1.0.0` }, { actor: 'bench' });
await ops.split(stage.name, [{ version: '1.0.0-b', percent: 50 }], { actor: 'bench' });
results.push(await timed('serve(): A/B 50/50', (input) => serving.serve(input.transaction.cardId, input, signal)));
await ops.split(stage.name, [], { actor: 'bench' });
await ops.shadow(stage.name, ['1.0.0-b'], { actor: 'bench' });
results.push(await timed('serve(): champion + 1 shadow', (input) => serving.serve(input.transaction.cardId, input, signal)));

const direct = results[0].usPerRecord;
for (const r of results.slice(1)) r.overheadUsPerRecord = r.usPerRecord - direct;
if (json) console.log(JSON.stringify({ records: inputs.length, results }, null, 2));
else for (const r of results.slice(1)) console.error(`${r.label}: +${r.overheadUsPerRecord.toFixed(2)} µs per record over the direct call`);

await serving.close();
await ops.stop();
await admin.deleteTopics({ topics: [control.name] }).catch(() => undefined);
await admin.disconnect();
process.exit(0);
