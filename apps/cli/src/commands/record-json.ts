export { headersOf, partFields, RecordDecoder, timestampOf, type Part } from '@spine/operations';

/**
 * kafkajs logs warnings through console.log; a command whose stdout is data (`--json`, records) sends them
 * to stderr with the progress lines instead, and drops one known, harmless Node warning.
 */
export function keepStdoutForData(): void {
  console.log = (...args: unknown[]) => console.error(...args);
  // kafkajs 2.2.4 schedules a timer with a negative delay on every connect; Node 24 warns about it each time.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'TimeoutNegativeWarning') console.error(`${warning.name}: ${warning.message}`);
  });
}
