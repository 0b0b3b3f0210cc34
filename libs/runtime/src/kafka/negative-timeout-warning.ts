let installed = false;

/**
 * kafkajs 2.2 schedules its request queue's throttle check `throttledUntil - Date.now()` ms ahead, a negative delay
 * when nothing is throttled. Node 24 then prints a three-line TimeoutNegativeWarning on stderr, outside the JSON
 * logs, and waits 1 ms, which is what kafkajs meant. This drops that warning when kafkajs is what set the timer;
 * every other warning, this one from anywhere else included, is printed as before. Once per process.
 */
export function quietKafkajsNegativeTimeouts(): void {
  if (installed) return;
  installed = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'TimeoutNegativeWarning' && /[\\/]kafkajs[\\/]src[\\/]network[\\/]requestQueue/.test(new Error().stack ?? '')) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
