// The local platform of `./spine up` as the tools see it: the same state dir, ports and API key as
// scripts/services.sh, so a tool talks to the services that script started.
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { spinePlatform } from '@spine/platform';

export const HOST = '127.0.0.1';

/** A service's local URL: its registry port, or SPINE_<SERVICE>_PORT as scripts/services.sh applies it. */
export function serviceUrl(name) {
  const override = process.env[`SPINE_${name.toUpperCase().replaceAll('-', '_')}_PORT`];
  return `http://${HOST}:${override || spinePlatform.service(name).port}`;
}

export const INGESTION_URL = serviceUrl('ingestion');
export const SINK_URL = serviceUrl('sink');
export const STATE_DIR = process.env.SPINE_STATE_DIR || `/var/tmp/spine-${userInfo().username}`;
export const API_KEY_FILE = join(STATE_DIR, 'api-key');

/**
 * The same key the services get: first of SPINE_API_KEYS, else the state dir's api-key file.
 * Problems are thrown as ErrorClass, so each tool reports them as its own errors.
 */
export function readApiKey(ErrorClass) {
  const fromEnv = (process.env.SPINE_API_KEYS ?? '').split(',')[0].trim();
  if (fromEnv) return fromEnv;
  try {
    const key = readFileSync(API_KEY_FILE, 'utf8').trim();
    if (key) return key;
  } catch (err) {
    if (err.code !== 'ENOENT') throw new ErrorClass(`cannot read the API key file ${API_KEY_FILE}: ${err.message}`);
  }
  throw new ErrorClass(`no API key: SPINE_API_KEYS is not set and ${API_KEY_FILE} does not exist; run ./spine up first (it creates the key)`);
}

/** Where the key came from, for a message when a service rejects it. */
export function apiKeySource() {
  return process.env.SPINE_API_KEYS ? 'SPINE_API_KEYS' : API_KEY_FILE;
}
