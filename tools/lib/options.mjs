// Command-line handling shared by the tools, so they accept --help and word their complaints alike.
import { parseArgs } from 'node:util';

/** Parses the command line strictly (unknown options throw ERR_PARSE_ARGS_*); --help / -h prints usage and exits. */
export function parseToolArgs(options, usage) {
  const { values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h', default: false } }, strict: true });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}

/**
 * Returns int(name, min, max): the parseArgs value of --name as an integer in [min, max].
 * A bad value is thrown as ErrorClass, so each tool reports it as its own usage error.
 */
export function integerOptionReader(values, ErrorClass) {
  return (name, min, max) => {
    const raw = values[name];
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new ErrorClass(`--${name} must be an integer in [${min}, ${max}], got ${raw}`);
    return n;
  };
}
