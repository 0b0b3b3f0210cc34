#!/usr/bin/env node
import { parseArgs, UsageError } from './args.js';
import { provisionCommand } from './commands/provision.js';
import { redriveCommand } from './commands/redrive.js';
import { lagCommand } from './commands/lag.js';
import { registryCommand } from './commands/registry.js';
import { replayCommand } from './commands/replay.js';

const usage = `spine-cli <command> [options]
  provision                              create/alter topics, register schemas, set compatibility
  replay  --stage <s> --from <iso|earliest>   move a stopped stage's group back in time
  redrive --stage <s> [--limit N]        send dead letters back to their source topic
  lag [--stage <s>] [--json]             consumer lag per stage and partition
  registry [--services]                  the stage registry (stages, groups, topics, services) as JSON
Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, SPINE_TOPIC_PREFIX (see README).`;

const commands: Record<string, (options: Record<string, string | true>) => Promise<void>> = {
  provision: () => provisionCommand(),
  replay: replayCommand,
  redrive: redriveCommand,
  lag: lagCommand,
  registry: registryCommand,
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
