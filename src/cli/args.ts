/**
 * Command-line parsing for every sub-command: `node:util` parseArgs with the global options
 * mixed into each command's own, and value checks that name the flag at fault.
 *
 * Invariant: anything wrong on the command line itself — an unknown flag, a missing argument, a
 * value out of range — is a UsageError (exit 2) raised before any broker is contacted; what the
 * brokers or the input data refuse later is a runtime failure (exit 1).
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { parseBootstrap } from '../network/cluster.js';
import { closest } from '../network/suggest.js';
import { CLIENT_OPTION_FLAGS } from './client-options.js';
import { UsageError } from './usage-error.js';

export { UsageError };

/** Options every command accepts, before or after its name. */
export const GLOBAL_OPTIONS = {
  brokers: { type: 'string', short: 'b' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  ...CLIENT_OPTION_FLAGS,
} as const satisfies ParseArgsOptionsConfig;

/**
 * Splits argv at the first word that is not an option of `options` nor an option's value:
 * `--brokers x topics list` → before `--brokers x`, name `topics`, after `list`.
 */
export function splitAtCommand(
  args: readonly string[],
  options: ParseArgsOptionsConfig = GLOBAL_OPTIONS,
): { before: string[]; name: string | undefined; after: string[] } {
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const first = tokens.find((t) => t.kind === 'positional');
  if (!first) return { before: [...args], name: undefined, after: [] };
  return { before: args.slice(0, first.index), name: first.value, after: args.slice(first.index + 1) };
}

/** Parses a command's arguments (its options plus the global ones) strictly. */
export function parseCommand<T extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: T,
  command: string,
) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...GLOBAL_OPTIONS, ...options },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new UsageError(parseErrorMessage(err, { ...GLOBAL_OPTIONS, ...options }), command);
  }
}

/**
 * The client-option flags (client-options.ts) wherever they appear, before or after the command
 * name: every command accepts them, main.ts applies them to every client of the run.
 */
export function scanClientFlags(args: readonly string[]) {
  const { values } = parseArgs({
    args: [...args],
    options: GLOBAL_OPTIONS,
    strict: false,
    allowPositionals: true,
  });
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(CLIENT_OPTION_FLAGS) as (keyof typeof CLIENT_OPTION_FLAGS)[]) {
    const v = values[name];
    // Without strict parsing a string flag given last without a value comes back as `true`.
    if (v === true) throw new UsageError(`option --${name} needs a value`);
    if (v !== undefined) out[name] = v;
  }
  return out as import('./client-options.js').ClientOptionFlags;
}

/** Flags of other Kafka tools (kcat, Kafka's console scripts, KafkaJS's options), and ours. */
const FLAG_HINTS: Readonly<Record<string, string>> = {
  '--bootstrap-server': '--brokers (or $KAFKA_BROKERS)',
  '--bootstrap-servers': '--brokers (or $KAFKA_BROKERS)',
  '--broker-list': '--brokers (or $KAFKA_BROKERS)',
  '--from-beginning': '--from earliest',
  '--fromBeginning': '--from earliest',
  '--max-messages': '--count',
  '--group-id': '--group',
  '--groupId': '--group',
  '-o': '--from (earliest, latest, an offset or @TIMESTAMP_MS)',
  '-K': '-k (the key separator)',
};

/** A pointer for an unknown flag: the same flag in kafkawire's words, or the nearest of ours. */
function unknownFlagHint(flag: string, options: ParseArgsOptionsConfig): string {
  const hint = FLAG_HINTS[flag];
  if (hint !== undefined) return ` (kafkawire's is ${hint})`;
  if (!flag.startsWith('--')) return '';
  const near = closest(flag.slice(2), Object.keys(options));
  return near ? ` (did you mean --${near}?)` : '';
}

/** True when `--help`/`-h` appears before a `--` terminator: help wins over any other mistake. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** True when `--json` appears before `--`, for error output even when parsing itself failed. */
export function wantsJson(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--json') return true;
  }
  return false;
}

/** parseArgs messages, first sentence, lower-cased, on one line; a did-you-mean for unknown flags. */
function parseErrorMessage(err: unknown, options: ParseArgsOptionsConfig): string {
  const e = err as { code?: string; message?: string };
  let msg = String(e.message ?? err).replace(/\s*\n\s*/g, ' ');
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    msg = msg.replace(/\. To specify a positional.*$/, '');
    const flag = /'(-[^'=]+)/.exec(msg)?.[1];
    if (flag !== undefined) msg += unknownFlagHint(flag, options);
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') msg = msg.replace(/\. This command.*$/, '');
  return msg.charAt(0).toLowerCase() + msg.slice(1).replace(/\.$/, '');
}

/** The broker list from --brokers or KAFKA_BROKERS, checked for host:port syntax. */
export function resolveBrokers(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const value = flag ?? env.KAFKA_BROKERS;
  if (value === undefined || value.trim() === '') {
    throw new UsageError('no brokers given: pass --brokers host:port[,host:port...] or set KAFKA_BROKERS');
  }
  try {
    parseBootstrap(value);
  } catch (err) {
    throw new UsageError(`--brokers: ${(err as Error).message}`);
  }
  return value;
}

/** The value of a required string flag. */
export function required(value: string | undefined, flag: string, command: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing required option ${flag}`, command);
  return value;
}

/** A whole decimal number within [min, max]; undefined stays undefined. */
export function intFlag(
  value: string | undefined,
  flag: string,
  command: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
    throw new UsageError(`${flag} expects ${range}, got '${value}'`, command);
  }
  return n;
}

/** One of a fixed set of words. */
export function enumFlag<T extends string>(
  value: string | undefined,
  flag: string,
  command: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag} expects one of ${allowed.join('|')}, got '${value}'`, command);
  }
  return value as T;
}

/** `k=v` pairs (repeatable flag) in order; the value may be empty and may contain '='. */
export function pairsFlag(
  values: readonly string[] | undefined,
  flag: string,
  command: string,
): { key: string; value: string }[] {
  return (values ?? []).map((kv) => {
    const at = kv.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} expects key=value, got '${kv}'`, command);
    return { key: kv.slice(0, at), value: kv.slice(at + 1) };
  });
}

/** Where to start reading or where to move a group: earliest, latest, an offset or `@` a timestamp. */
export type Position = 'earliest' | 'latest' | { offset: bigint } | { timestamp: number };

export function positionFlag(value: string | undefined, flag: string, command: string): Position | undefined {
  if (value === undefined) return undefined;
  if (value === 'earliest' || value === 'beginning') return 'earliest';
  if (value === 'latest' || value === 'end') return 'latest';
  if (/^\d+$/.test(value) && BigInt(value) <= 0x7fffffffffffffffn) return { offset: BigInt(value) };
  if (/^@\d+$/.test(value) && Number.isSafeInteger(Number(value.slice(1)))) {
    return { timestamp: Number(value.slice(1)) };
  }
  throw new UsageError(
    `${flag} expects earliest, latest, an offset or @TIMESTAMP_MS, got '${value}'`,
    command,
  );
}

/** Positional arguments: exactly the named ones. */
export function positionals(got: readonly string[], names: readonly string[], command: string): string[] {
  if (got.length < names.length) throw new UsageError(`missing argument ${names[got.length]}`, command);
  if (got.length > names.length) throw new UsageError(`unexpected argument '${got[names.length]}'`, command);
  return [...got];
}

/** A separator as typed: `\t`, `\n` and `\\` stand for tab, newline and backslash (kcat's escapes). */
export function separatorFlag(value: string | undefined, flag: string, command: string): string | undefined {
  if (value === undefined) return undefined;
  const sep = value.replace(/\\([tn\\])/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : '\\'));
  if (sep === '') throw new UsageError(`${flag} must not be empty`, command);
  return sep;
}
