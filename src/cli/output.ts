/**
 * What the CLI writes: data to stdout with backpressure, errors as one line (or one JSON
 * object) on stderr, aligned tables, and a live progress line that exists only on a TTY.
 *
 * Invariants: stdout carries only the command's result (records, listings, JSON), so it can be
 * piped; everything about the run itself (summaries, progress, errors) goes to stderr. A closed
 * stdout (`| head`) ends the command quietly instead of crashing it.
 */
import {
  ConfigError,
  ConnectionError,
  IllegalStateError,
  KafkaError,
  KafkawireError,
  TimeoutError,
} from '../protocol/errors.js';
import { UsageError } from './args.js';

/** Bad input data (a line that is not JSON, a missing key separator): exit 1, like any runtime failure. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** JSON with int64 values (bigint) as strings, the way `consume --format json` prints offsets. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), indent);
}

/** One compact JSON value and a newline: what every `--json` output is made of (JSON lines). */
export function jsonLine(value: unknown): string {
  return `${toJson(value)}\n`;
}

/** `1 record`, `2 records`: the count and the word, singular for exactly one. */
export function plural(n: number | bigint, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 || n === 1n ? word : many}`;
}

/** A number rounded to `digits` decimals, without float noise (0.1 + 0.2 → 0.3, 192.54 → 192.5). */
export function round(n: number, digits = 0): number {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * Exit code of a failure: 2 for the command line, 1 for everything that happened at run time,
 * a call in the wrong state (IllegalStateError) included: those used to be ConfigErrors, exit 2.
 */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError || err instanceof ConfigError ? 2 : 1;
}

/** The error's message with its causes, on one line, without repeating what it already says. */
export function oneLine(err: unknown): string {
  let msg = err instanceof Error ? err.message : String(err);
  let cause = err instanceof Error ? err.cause : undefined;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    if (!msg.includes(cause.message)) msg += `: ${cause.message}`;
    cause = cause.cause;
  }
  return msg.replace(/\s*\n\s*/g, ' ');
}

/** The machine-readable form of an error (`--json`). */
export function errorObject(err: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const e: Record<string, unknown> = {
    kind: kindOf(err),
    name: err instanceof Error ? err.name : 'Error',
    message: oneLine(err),
    exitCode: exitCodeOf(err),
  };
  if (err instanceof KafkawireError) e.retriable = err.retriable;
  if (err instanceof KafkaError) {
    e.code = err.code;
    e.type = err.type;
    if (err.topic !== undefined) e.topic = err.topic;
    if (err.partition !== undefined) e.partition = err.partition;
    if (err.broker !== undefined) e.broker = err.broker;
  }
  if (err instanceof ConnectionError && err.broker !== undefined) e.broker = err.broker;
  if (err instanceof ConfigError) e.option = err.option;
  if (err instanceof UsageError && err.command) e.help = `kafkawire ${err.command} --help`;
  return { error: { ...e, ...extra } };
}

function kindOf(err: unknown): string {
  if (err instanceof UsageError || err instanceof ConfigError) return 'usage';
  if (err instanceof InputError) return 'input';
  if (err instanceof KafkaError) return 'broker';
  if (err instanceof ConnectionError) return 'connection';
  if (err instanceof TimeoutError) return 'timeout';
  if (err instanceof IllegalStateError) return 'state';
  if (err instanceof KafkawireError) return 'client';
  return 'internal';
}

/** What a failed command adds to its error: a note for people, fields for `--json`. */
export interface ErrorDetails {
  note: string;
  fields: Record<string, unknown>;
}

/** Writes one error to stderr: a single `kafkawire: error: ...` line, or one JSON object. */
export function printError(err: unknown, json: boolean, details?: ErrorDetails): void {
  if (json) {
    process.stderr.write(`${toJson(errorObject(err, details?.fields))}\n`);
    return;
  }
  let line = `kafkawire: error: ${oneLine(err)}`;
  if (details?.note) line += ` (${details.note})`;
  if (err instanceof UsageError) line += ` (see 'kafkawire ${err.command ? `${err.command} ` : ''}--help')`;
  process.stderr.write(`${line}\n`);
}

/**
 * stdout with backpressure: `write` resolves when the stream can take more. Once stdout is
 * closed by the reader (EPIPE), writes are dropped and `closed` turns true so loops can stop.
 */
export class Stdout {
  closed = false;
  private readonly stream: NodeJS.WriteStream;
  private waiting: (() => void)[] = [];

  constructor(stream: NodeJS.WriteStream = process.stdout) {
    this.stream = stream;
    stream.on('error', () => this.close());
    stream.on('close', () => this.close());
    stream.on('drain', () => this.wake());
  }

  async write(text: string): Promise<void> {
    if (this.closed || text === '') return;
    if (!this.stream.write(text)) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const f of w) f();
  }
}

/** Resolves once everything written to a stream so far has been handed to the OS. */
export function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}

/** Rows as aligned columns, the first row being the header. */
export function table(rows: readonly (readonly (string | number | bigint)[])[]): string {
  const cells = rows.map((r) => r.map(String));
  const widths: number[] = [];
  for (const r of cells) {
    for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i] ?? 0, r[i].length);
  }
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .map((l) => `${l}\n`)
    .join('');
}

/**
 * One status line redrawn in place on stderr, at most every 100 ms — only when stderr is a
 * terminal (and `enabled`); otherwise every call is a no-op, so piped runs stay quiet.
 */
export class Progress {
  readonly active: boolean;
  private last = 0;
  private shown = false;

  constructor(
    enabled = true,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.active = enabled && stream.isTTY === true;
  }

  /** Redraws with `render()` unless the last redraw was under 100 ms ago (or `force`). */
  update(render: () => string, force = false): void {
    if (!this.active) return;
    const now = performance.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const width = this.stream.columns || 80;
    this.stream.write(`\r${render().slice(0, width - 1)}\x1b[K`);
    this.shown = true;
  }

  /** Erases the line, leaving the terminal as it was. */
  done(): void {
    if (this.active && this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

/** `[#######-------]` of a fraction in [0, 1]. */
export function bar(fraction: number, width = 24): string {
  const full = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

/** A rate per second with sensible precision. */
export function perSecond(count: number, seconds: number): number {
  return seconds > 0 ? count / seconds : 0;
}

export function fixed(n: number, digits = 1): string {
  return n.toFixed(digits);
}

/** MB as the Java perf tools count them: 1024 × 1024 bytes. */
export const MB = 1024 * 1024;
