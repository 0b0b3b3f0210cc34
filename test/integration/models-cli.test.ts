import { ModelControl } from '@spine/model-lifecycle';
import { modelControlTopic } from '@spine/platform';
import type { StageRouting } from '@spine/schemas';
import { provisionedFixture, type SpineFixture } from '../harness/spine-fixture.js';
import { cliOk, runCli } from '../harness/cli.js';

const ONNX = JSON.stringify({ kind: 'onnx', path: 'libs/fraud-model/models/fraud-lr-1.0.0.onnx', output: 'probabilities' });

type ListView = Array<{ stage: string; model: string; routing: StageRouting; versions: Array<{ version: string; adapter: { kind: string; path?: string }; builtIn: boolean; cacheTtlMs: number }> }>;
type HistoryRow = { at: string; action: string; version: string | null; actor: string; automatic: boolean; reason: string; stage: string | null };

/** `spine-cli models …` as a real process against the real broker and registry, under a fresh topic prefix. */
describe('operator CLI: models', () => {
  let fx: SpineFixture;

  const env = () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SPINE_TOPIC_PREFIX: fx.prefix };
    delete env.SPINE_OPERATOR;
    return env;
  };
  const run = (...args: string[]) => runCli(['models', ...args], env());
  const ok = (...args: string[]) => cliOk(['models', ...args], env());
  const json = <T>(stdout: string): T => {
    try {
      return JSON.parse(stdout) as T;
    } catch (error) {
      throw new Error(`stdout is not JSON (${(error as Error).message}): ${stdout}`);
    }
  };
  const fraud = async () => json<ListView>((await ok('list', '--stage', 'fraud-scoring', '--json')).stdout)[0]!;

  beforeAll(async () => {
    fx = await provisionedFixture('modelscli', 1);
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('registers, lists, promotes, ramps, rolls back, shadows, splits and keeps the history', async () => {
    const registered = await ok('register', '--model', 'fraud-lr', '--version', '2.0.0', '--adapter', ONNX, '--description', 'retrained', '--cache-ttl-ms', '60000', '--reason', 'retrained on November');
    expect(registered.stdout).toContain('registered fraud-lr 2.0.0: onnx libs/fraud-model/models/fraud-lr-1.0.0.onnx');

    const listed = await ok('list');
    expect(listed.stdout).toMatch(/fraud-scoring \(model fraud-lr\)/);
    expect(listed.stdout).toMatch(/2\.0\.0\s+onnx libs\/fraud-model\/models\/fraud-lr-1\.0\.0\.onnx\s+60000ms.*registered/);
    expect(listed.stdout).toMatch(/1\.0\.0\s+in-process.*built-in/);
    const before = await fraud();
    expect(before.routing).toMatchObject({ revision: 0, champion: '1.0.0' });
    expect(before.versions.find((v) => v.version === '2.0.0')).toMatchObject({ adapter: { kind: 'onnx' }, builtIn: false, cacheTtlMs: 60000 });

    const promoted = await ok('promote', '--stage', 'fraud-scoring', '--version', '2.0.0', '--reason', 'offline eval');
    expect(promoted.stdout).toMatch(/revision 1 \| champion 2\.0\.0 \| previous 1\.0\.0/);
    expect((await fraud()).routing).toMatchObject({ revision: 1, champion: '2.0.0', previousChampion: '1.0.0' });

    // Ramp the old version back in as a canary, then roll the canary back.
    const ramped = await ok('ramp', '--stage', 'fraud-scoring', '--version', '1.0.0', '--steps', '5,25,50,100', '--interval', '10m');
    expect(ramped.stdout).toMatch(/canary 1\.0\.0 at 5% \(steps 5,25,50,100, every 600000ms/);
    expect((await fraud()).routing.canary).toMatchObject({ version: '1.0.0', percent: 5, steps: [5, 25, 50, 100], stepIntervalMs: 600_000 });
    await ok('rollback', '--stage', 'fraud-scoring', '--reason', 'canary too slow');
    expect((await fraud()).routing).toMatchObject({ revision: 3, champion: '2.0.0', canary: null });

    await ok('shadow', '--stage', 'fraud-scoring', '--versions', '1.0.0');
    expect((await fraud()).routing.shadows).toEqual(['1.0.0']);
    const split = await ok('split', '--stage', 'fraud-scoring', '--arms', '1.0.0=50');
    expect(split.stdout).toMatch(/arms 1\.0\.0=50%/);
    const afterSplit = (await fraud()).routing;
    // SPLIT (unlike RAMP and PROMOTE) leaves the version's shadow in place: model-lifecycle's applyChange keeps shadows.
    expect(afterSplit).toMatchObject({ revision: 5, splits: [{ version: '1.0.0', percent: 50 }], shadows: ['1.0.0'] });

    await ok('guard', '--stage', 'fraud-scoring', '--window', '30s', '--max-p95', '1500ms', '--max-error-rate', '0.05');
    expect((await fraud()).routing.guard).toMatchObject({ windowMs: 30_000, maxLatencyP95Ms: 1_500, maxErrorRate: 0.05, minCalls: 20 });

    const history = json<HistoryRow[]>((await ok('history', '--stage', 'fraud-scoring', '--json')).stdout);
    expect(history.map((h) => h.action)).toEqual(['GUARD', 'SPLIT', 'SHADOW', 'ROLLBACK', 'RAMP', 'PROMOTE', 'REGISTER']);
    for (const h of history) expect(h.actor).toMatch(/^cli:.+@.+$/);
    expect(history.find((h) => h.action === 'PROMOTE')).toMatchObject({ version: '2.0.0', reason: 'offline eval', automatic: false });
    expect(history.find((h) => h.action === 'ROLLBACK')).toMatchObject({ version: '1.0.0', reason: 'canary too slow' });
    const times = history.map((h) => Date.parse(h.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const human = (await ok('history', '--limit', '2')).stdout.trim().split('\n');
    expect(human).toHaveLength(2);
    expect(human[0]).toMatch(/GUARD\s+fraud-scoring/);

    // Independently: a ModelControl of this test reads the same records from the control topic.
    const env = process.env.SPINE_TOPIC_PREFIX;
    process.env.SPINE_TOPIC_PREFIX = fx.prefix;
    const control = await ModelControl.fromEnv({ clientId: 'models-cli-test' });
    if (env === undefined) delete process.env.SPINE_TOPIC_PREFIX;
    else process.env.SPINE_TOPIC_PREFIX = env;
    await control.start();
    try {
      expect(control.routing('fraud-scoring')).toMatchObject({ revision: 6, champion: '2.0.0', splits: [{ version: '1.0.0', percent: 50 }] });
      expect(control.versions('fraud-lr').map((v) => v.version).sort()).toEqual(['1.0.0', '2.0.0']);
      expect(control.history('fraud-scoring').map((e) => e.change.action)).toEqual(history.map((h) => h.action));
    } finally {
      await control.stop();
    }
    const end = await fx.admin.fetchTopicOffsets(fx.topology.of(modelControlTopic).name);
    expect(end.reduce((sum, p) => sum + Number(p.high), 0)).toBe(7);
  });

  it('refuses bad input naming the field, the option or the model stages', async () => {
    const badAdapter = await run('register', '--model', 'fraud-lr', '--version', '3.0.0', '--adapter', JSON.stringify({ kind: 'onnx', output: 'probabilities', timeoutMs: -5 }));
    expect([1, 2]).toContain(badAdapter.status);
    expect(badAdapter.stderr).toMatch(/adapter configuration refused/);
    expect(badAdapter.stderr).toMatch(/path/);
    expect(badAdapter.stderr).toMatch(/timeoutMs/);

    const notJson = await run('register', '--model', 'fraud-lr', '--version', '3.0.0', '--adapter', '{kind:onnx}');
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toMatch(/--adapter is not JSON/);

    const unknownStage = await run('promote', '--stage', 'nope', '--version', '2.0.0');
    expect(unknownStage.status).toBe(2);
    expect(unknownStage.stderr).toMatch(/"nope" serves no model; model stages: .*fraud-scoring/);

    const badInterval = await run('ramp', '--stage', 'fraud-scoring', '--version', '2.0.0', '--steps', '5,100', '--interval', 'soon');
    expect(badInterval.status).toBe(2);
    expect(badInterval.stderr).toMatch(/--interval must be a duration.*e\.g\. --interval 10m/);

    const missing = await run('split', '--stage', 'fraud-scoring');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--arms is required: --arms 2\.0\.0=50/);

    const unregistered = await run('promote', '--stage', 'fraud-scoring', '--version', '9.9.9');
    expect(unregistered.status).toBe(1);
    expect(unregistered.stderr).toMatch(/version "9\.9\.9" is not registered/);
  });
});
