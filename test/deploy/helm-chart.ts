import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const root = join(import.meta.dirname, '..', '..');
export const chartDir = join(root, 'helm', 'spine');

/** A rendered Kubernetes object, loosely typed: the checks read what they need and report what is missing. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

/** Whether the helm binary can be had: already built into the cache, or buildable with go. */
export function helmObtainable(): { ok: true } | { ok: false; reason: string } {
  const cached = join(process.env.SPINE_CACHE_DIR ?? join(homedir(), '.cache', 'spine'), `helm-${process.env.SPINE_HELM_VERSION ?? '4.3.1'}`, '.built');
  if (existsSync(cached)) return { ok: true };
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0) return { ok: true };
  return { ok: false, reason: 'go is not on PATH, so scripts/helm.sh cannot build helm from the Go module proxy; install Go >= 1.26 to run the chart tests' };
}

/** The helm binary from scripts/helm.sh (built once, cached; its progress goes to this process's stderr). */
export function helmBinary(): string {
  return execFileSync('bash', [join(root, 'scripts', 'helm.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: 20 * 60_000 }).trim();
}

export interface RenderOptions {
  chart?: string;
  valuesFiles?: string[];
  set?: Record<string, string | number | boolean>;
  /** Extra API versions the pretend cluster serves (e.g. keda.sh/v1alpha1). */
  apiVersions?: string[];
  release?: string;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runHelm(helm: string, args: string[]): HelmResult {
  const result = spawnSync(helm, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `helm template`; throws with helm's message when it fails. Returns the raw text and every parsed object. */
export function renderChart(helm: string, options: RenderOptions = {}): { text: string; objects: K8sObject[] } {
  const args = ['template', options.release ?? 'spine', options.chart ?? chartDir];
  for (const file of options.valuesFiles ?? []) args.push('-f', file);
  for (const [key, value] of Object.entries(options.set ?? {})) args.push(typeof value === 'string' ? '--set-string' : '--set', `${key}=${value}`);
  for (const api of options.apiVersions ?? []) args.push('--api-versions', api);
  const result = runHelm(helm, args);
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} failed (exit ${result.status}):\n${result.stderr}`);
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(result.stdout)) {
    if (doc.errors.length) throw new Error(`helm template rendered invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as K8sObject | null;
    if (value) objects.push(value);
  }
  return { text: result.stdout, objects };
}

export const component = (o: K8sObject) => o.metadata.labels?.['app.kubernetes.io/component'];
export const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
