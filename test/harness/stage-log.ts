/**
 * The recent log lines of the stages a test runs in-process. Quiet by default (SPINE_TEST_STAGE_LOG=1 prints
 * them as they come); a wait that gives up quotes the tail, so a failure in CI says what the stage was doing.
 */
const lines: string[] = [];
const KEEP = 40;

export function stageLog(level: string, message: string, extra?: unknown): void {
  const line = `${new Date().toISOString()} ${level} ${message} ${extra === undefined ? '' : JSON.stringify(extra)}`;
  lines.push(line.length > 600 ? `${line.slice(0, 600)}…` : line);
  if (lines.length > KEEP) lines.splice(0, lines.length - KEEP);
  if (process.env.SPINE_TEST_STAGE_LOG) console.error(line);
}

/** The tail of the stage log, for an error message (empty when no stage logged anything). */
export function recentStageLog(count = 12): string {
  if (!lines.length) return '';
  return `\nlast stage log lines:\n  ${lines.slice(-count).join('\n  ')}`;
}
