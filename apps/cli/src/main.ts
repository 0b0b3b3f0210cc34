#!/usr/bin/env node
import { parseArgs, UsageError } from './args.js';
import { provisionCommand } from './commands/provision.js';
import { redriveCommand } from './commands/redrive.js';
import { lagCommand } from './commands/lag.js';
import { registryCommand } from './commands/registry.js';
import { replayCommand } from './commands/replay.js';
import { webhooksCommand } from './commands/webhooks.js';
import { tailCommand } from './commands/tail.js';
import { dlqCommand } from './commands/dlq.js';
import { resetCommand } from './commands/reset.js';
import { keysCommand } from './commands/keys.js';
import { eraseCommand } from './commands/erase.js';
import { auditCommand } from './commands/audit.js';
import { modelsCommand } from './commands/models.js';

const usage = `spine-cli <command> [options]
  provision                              create/alter topics, register schemas, set compatibility
  replay  --stage <s> --from <iso|offset|earliest> [--to <iso|offset>] [--json]
                                         rewind a stopped stage's group; with --to, re-publish just [from, to)
  reset   --stage <s> --to earliest|latest [--json]   move a stopped stage's group to its inputs' start or end
  tail <topic> [--limit N] [--from earliest|latest|<offset>|<iso>] [--key K] [--follow] [--json]
                                         a topic's records decoded to JSON (default: the last 10)
  dlq list <stage> [--json]              dead letters: count, not re-driven, oldest/newest, error classes
  dlq show <stage> [--offset O] [--limit N] [--json]   dead letters with cause and decoded original
  redrive --stage <s> [--limit N]        send dead letters back to their source topic
  lag [--stage <s>] [--json]             consumer lag per stage and partition
  registry [--services]                  the stage registry (stages, groups, topics, services) as JSON
  webhooks create|list|delete|dead-letters|redrive   webhook subscriptions (spine-cli webhooks for options)
  keys create --name <n> --scopes events:write,results:read[,admin] | list | revoke <id>   API keys (hashed in PostgreSQL)
  erase --customer <id> [--json]         GDPR erasure from every store with personal data (audited)
  audit [--limit N] [--action A] [--json]   the audit log of administrative actions, newest first
  models list [--stage S] [--json]       model versions and per-stage routing (champion, arms, canary, shadows, guard)
  models register --model M --version V --adapter '<json>'|--adapter-file F [--description D] [--cache-ttl-ms N]
                  [--cost-per-call X] [--cost-per-1k-tokens X]
  models promote|rollback --stage S [--version V] | split --stage S --arms 2.0.0=50|none
         ramp --stage S --version V --steps 5,25,50,100 --interval 10m | shadow --stage S --versions V1,V2|none
         cascade --stage S --version V --below 0.7|--off | guard --stage S [--window 60s] [--max-error-rate 0.1] ...
                                         change a stage's routing live ([--reason R]; actor cli:<user>@<host> or SPINE_OPERATOR)
  models history [--stage S] [--limit N] [--json]   model changes, newest first
Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, SPINE_TOPIC_PREFIX; DATABASE_URL, SPINE_DB_SCHEMA for keys/erase/audit (see README).`;

const commands: Record<string, (options: Record<string, string | true>) => Promise<void>> = {
  provision: () => provisionCommand(),
  replay: replayCommand,
  redrive: redriveCommand,
  lag: lagCommand,
  registry: registryCommand,
  webhooks: (o) => webhooksCommand(positional.slice(1), o),
  tail: (o) => tailCommand(positional.slice(1), o),
  dlq: (o) => dlqCommand(positional.slice(1), o),
  reset: resetCommand,
  keys: (o) => keysCommand(positional.slice(1), o),
  erase: eraseCommand,
  audit: auditCommand,
  models: (o) => modelsCommand(positional.slice(1), o),
};

const { positional, options } = parseArgs(process.argv.slice(2));
const command = commands[positional[0] ?? ''];
if (!command) {
  console.error(usage);
  process.exit(positional[0] ? 2 : 0);
}
command(options).then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`spine-cli ${positional[0]}: ${error.message}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
