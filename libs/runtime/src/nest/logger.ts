/** One JSON line per log entry: greppable locally, parseable by any log pipeline. */
export function jsonLog(service: string) {
  return (level: 'info' | 'warn' | 'error', message: string, extra: Record<string, unknown> = {}) => {
    const line = JSON.stringify({ time: new Date().toISOString(), level, service, message, ...extra });
    (level === 'error' ? process.stderr : process.stdout).write(`${line}\n`);
  };
}
