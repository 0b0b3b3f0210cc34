import type { Platform } from '@spine/topology';

/** The stage registry's facts as helm/spine/files/registry.json holds them. */
export function registryFacts(platform: Platform): unknown;
/** The exact text of helm/spine/files/registry.json for this registry. */
export function registryJson(platform: Platform): string;
