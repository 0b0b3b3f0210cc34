import { execFile } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** Runs a module snippet as its own Node process (warnings print once per process) and returns its stderr. */
function stderrOf(source: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', source], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8', timeout: 60_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stderr),
    );
  });
}

const talkToKafka = (make: string) => `
  ${make}
  const admin = kafka.admin();
  await admin.connect();
  await admin.listTopics();
  await admin.disconnect();
`;

// kafkajs 2.2 sets its request queue's timer with a negative delay; Node 24 prints a warning outside the JSON logs.
describe('Kafka clients made by kafkaFromEnv', () => {
  it('keep kafkajs\'s negative-timer warning off stderr, which a bare kafkajs client prints', async () => {
    const bare = await stderrOf(talkToKafka(`
      import kafkajs from 'kafkajs';
      const kafka = new kafkajs.Kafka({ clientId: 'bare', brokers: process.env.KAFKA_BROKERS.split(','), logLevel: kafkajs.logLevel.NOTHING });`));
    expect(bare).toContain('TimeoutNegativeWarning');
    const spine = await stderrOf(talkToKafka(`
      import { kafkaFromEnv } from '@spine/runtime';
      const kafka = kafkaFromEnv('quiet');`));
    expect(spine).not.toContain('TimeoutNegativeWarning');
  });

  it('still print the same warning when it is not kafkajs\'s', async () => {
    const stderr = await stderrOf(`
      import { kafkaFromEnv } from '@spine/runtime';
      kafkaFromEnv('quiet');
      setTimeout(() => undefined, -5);`);
    expect(stderr).toContain('TimeoutNegativeWarning: -5 is a negative number');
  });
});
