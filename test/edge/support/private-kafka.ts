import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../harness/service-process.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** Kafka's version as scripts/stack pins it (the jars the local stack downloaded into the cache). */
function kafkaLibs(): string {
  const version = /readonly KAFKA_VERSION=(\S+)/.exec(readFileSync(join(root, 'scripts', 'stack', 'common.sh'), 'utf8'))?.[1];
  const cache = process.env.SPINE_CACHE_DIR ?? join(homedir(), '.cache', 'spine');
  const libs = join(cache, `kafka-${version}`, 'libs');
  if (spawnSync('bash', ['-c', `compgen -G '${libs}/kafka_2.13-*.jar'`]).status !== 0) {
    throw new Error(`Kafka jars not found in ${libs}: run \`bash scripts/stack.sh up\` once (it downloads them), or set SPINE_CACHE_DIR`);
  }
  return join(libs, '*');
}

/**
 * A single-node KRaft broker of the test's own (same jars as the local stack, free ports, a temp data dir,
 * small heap), so a test can kill it, freeze it (SIGSTOP) and restart it without touching the shared stack.
 * Always destroy() it (afterAll); a process exit handler kills it too if the test process dies first.
 */
export class PrivateKafka {
  readonly dir = mkdtempSync(join(tmpdir(), 'spine-private-kafka-'));
  readonly logFile = join(this.dir, 'kafka.log');
  private child: ChildProcess | undefined;
  private readonly java = process.env.SPINE_KAFKA_JAVA ?? 'java';
  private readonly classpath = kafkaLibs();
  private readonly killOnExit = () => this.child?.kill('SIGKILL');

  private constructor(
    readonly port: number,
    readonly controllerPort: number,
  ) {
    process.once('exit', this.killOnExit);
  }

  static async create(): Promise<PrivateKafka> {
    const kafka = new PrivateKafka(await freePort(), await freePort());
    kafka.format();
    return kafka;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private format(): void {
    mkdirSync(join(this.dir, 'data'));
    writeFileSync(
      join(this.dir, 'server.properties'),
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${this.controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${this.port}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        `log.dirs=${join(this.dir, 'data')}`,
        'num.partitions=1',
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=3',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=false',
        'group.min.session.timeout.ms=6000',
      ].join('\n'),
    );
    const clusterId = randomBytes(16).toString('base64url');
    const result = spawnSync(this.java, [...this.jvmOptions(), '-cp', this.classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', join(this.dir, 'server.properties')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    if (result.status !== 0) throw new Error(`private Kafka: storage format failed: ${result.stderr?.toString() || result.stdout?.toString()}`);
  }

  private jvmOptions(): string[] {
    return ['-Xms96m', '-Xmx384m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${join(root, 'scripts', 'stack', 'log4j2.yaml')}`];
  }

  /** Starts (or restarts, same data and ports) the broker and waits until it says it started. */
  async start(timeoutMs = 120_000): Promise<void> {
    if (this.child) throw new Error('private Kafka is already running');
    const before = this.startedCount();
    const log = openSync(this.logFile, 'a');
    this.child = spawn(this.java, [...this.jvmOptions(), '-cp', this.classpath, 'kafka.Kafka', join(this.dir, 'server.properties')], { stdio: ['ignore', log, log] });
    closeSync(log);
    const child = this.child;
    let exited = false;
    child.once('exit', () => (exited = true));
    const deadline = Date.now() + timeoutMs;
    while (this.startedCount() <= before) {
      if (exited) throw new Error(`private Kafka exited during start; see ${this.logFile}`);
      if (Date.now() > deadline) throw new Error(`private Kafka not started within ${timeoutMs} ms; see ${this.logFile}`);
      await sleep(200);
    }
  }

  /** SIGKILL: the broker is gone (connections refused) until start() again. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP: the broker keeps its sockets (connects succeed) but never answers. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    await this.kill().catch(() => undefined);
    process.off('exit', this.killOnExit);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private startedCount(): number {
    try {
      return readFileSync(this.logFile, 'utf8').split('Kafka Server started').length - 1;
    } catch {
      return 0;
    }
  }
}
