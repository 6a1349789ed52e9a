/**
 * What the micro-benchmarks share: KafkaJS's internals (loaded from bench/node_modules), the
 * fixtures, one benny suite per case with kafkawire's and KafkaJS's code paths side by side, and
 * the rows that run.ts turns into bench/results/micro.{md,json}.
 *
 * Invariant: a case is only ever built after its file has checked that both sides produce the
 * same result from the same input (same bytes, or the same records when one decodes the other's
 * output), so a ratio never compares different work.
 */
import { createRequire } from 'node:module';
import { add, configure, cycle, suite } from 'benny';

/** `require` rooted at bench/, where the peers are installed. */
const benchRequire = createRequire(new URL('../package.json', import.meta.url));

/**
 * A module of KafkaJS 2.2.4's source, e.g. `kafkaJs('protocol/encoder')`. KafkaJS is CommonJS and
 * untyped here (the repository's typecheck does not need bench/node_modules): callers give the
 * few types they use.
 */
export function kafkaJs<T>(path: string): T {
  return benchRequire(`kafkajs/src/${path}`) as T;
}

export function kafkaJsVersion(): string {
  return (benchRequire('kafkajs/package.json') as { version: string }).version;
}

/** KafkaJS's Encoder: the methods the benchmarks call. */
export interface KjsEncoder {
  readonly buffer: Buffer;
  writeInt32(v: number): KjsEncoder;
  writeVarInt(v: number): KjsEncoder;
  writeVarLong(v: number): KjsEncoder;
  size(): number;
}
export type KjsEncoderClass = new (initialSize?: number) => KjsEncoder;

/** KafkaJS's Long (`utils/long`, a class around a BigInt). */
export interface KjsLong {
  toString(): string;
  toNumber(): number;
  toInt(): number;
}

/** KafkaJS's Decoder: the methods the benchmarks call. */
export interface KjsDecoder {
  readVarInt(): number;
  readVarLong(): KjsLong;
}
export type KjsDecoderClass = new (buffer: Buffer) => KjsDecoder;

/** First timestamp of every fixture batch. */
export const T0 = 1_700_000_000_000;

/** 16-byte keys, `key-000000000042`. */
export function makeKeys(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.from(`key-${String(i).padStart(12, '0')}`));
}

/**
 * Values of random capital letters from a fixed seed, the ones bench/ sends to the broker: they
 * compress about as much as text does, not like a repeated pattern.
 */
export { makeValues } from '../lib/child.js';

/** Deterministic bytes (xorshift32) for checksums. */
export function randomBytes(size: number, seed = 0x2545f491): Buffer {
  let s = seed;
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    b[i] = s & 0xff;
  }
  return b;
}

export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`micro-benchmark fixture check failed: ${what}`);
}

export type Side = 'kafkawire' | 'KafkaJS';

/** One code path of a case. Its function does one operation; it may return a promise. */
export interface Entry {
  side: Side;
  /** The code path, e.g. `RecordBatchBuilder`; unique within its case. */
  path: string;
  fn: () => unknown;
  /** The kafkawire path a producer or consumer runs by default: the one in the summary table. */
  main?: boolean;
}

export type Unit = 'MB/s' | 'GB/s';

/** One benny suite: the same work done by each entry. */
export interface Case {
  group: string;
  name: string;
  /** Records (or values) handled per operation, for records/s; absent for pure byte work. */
  items?: { count: number; unit: 'records' | 'values' };
  /** Bytes per operation, for the byte rate. */
  bytes: number;
  unit: Unit;
  /** What the entries' difference in work is, when they are not all alike (e.g. a CRC check). */
  note?: string;
  entries: Entry[];
}

/** One entry's result, as micro.json keeps it: the median of the rounds. */
export interface Row {
  group: string;
  case: string;
  side: Side;
  path: string;
  main: boolean;
  opsPerSec: number;
  /** ops/s of each round, in order. */
  rounds: number[];
  /** benny's relative margin of error, percent: the median over the rounds. */
  rme: number;
  itemsPerSec?: number;
  itemUnit?: 'records' | 'values';
  /** Bytes per second / 1e6 (MB/s) or / 1e9 (GB/s). */
  rate: number;
  unit: Unit;
  /**
   * This entry's ops/s over KafkaJS's in the same case: the median of the per-round ratios (each
   * pairs runs seconds apart, so a slow patch of a shared machine hits both). Absent for KafkaJS
   * and for kafkawire-only cases.
   */
  vsKafkaJs?: number;
  note?: string;
}

export interface BennyOptions {
  /** Seconds each entry is sampled for at most (benchmark.js `maxTime`). */
  maxTime: number;
  minSamples: number;
}

/** One entry in one round. */
export interface Measured {
  ops: number;
  rme: number;
}

/** Runs one case as one benny suite; returns a measurement per entry, in `c.entries` order. */
export async function runCase(c: Case, options: BennyOptions): Promise<Measured[]> {
  const summary = await suite(
    `${c.group}: ${c.name}`,
    configure({ cases: { maxTime: options.maxTime, minSamples: options.minSamples } }),
    ...c.entries.map((e) => add(label(e), e.fn)),
    cycle(),
  );
  const byName = new Map(summary.results.map((r) => [r.name, r]));
  // benny rounds `ops` to integers; the mean time per operation is exact.
  const measured = c.entries.map((e): Measured => {
    const r = byName.get(label(e))!;
    return { ops: 1 / r.details.mean, rme: r.margin };
  });
  for (const row of caseRows(c, [measured])) console.log(`  ${formatRow(row)}`);
  return measured;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A row per entry of `c` from its rounds (`rounds[r][i]`: entry i in round r). */
export function caseRows(c: Case, rounds: readonly Measured[][]): Row[] {
  const kjs = c.entries.findIndex((e) => e.side === 'KafkaJS');
  return c.entries.map((e, i): Row => {
    const ops = median(rounds.map((r) => r[i].ops));
    const row: Row = {
      group: c.group,
      case: c.name,
      side: e.side,
      path: e.path,
      main: e.main ?? false,
      opsPerSec: ops,
      rounds: rounds.map((r) => r[i].ops),
      rme: median(rounds.map((r) => r[i].rme)),
      rate: (ops * c.bytes) / (c.unit === 'MB/s' ? 1e6 : 1e9),
      unit: c.unit,
    };
    if (c.items) {
      row.itemsPerSec = ops * c.items.count;
      row.itemUnit = c.items.unit;
    }
    if (e.side === 'kafkawire' && kjs >= 0) row.vsKafkaJs = median(rounds.map((r) => r[i].ops / r[kjs].ops));
    if (c.note) row.note = c.note;
    return row;
  });
}

function label(e: Entry): string {
  return `${e.side} ${e.path}`;
}

/** 1234567 → `1.23 M`, 45600 → `45.6 k`. */
export function si(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toPrecision(3)} G`;
  if (n >= 1e6) return `${(n / 1e6).toPrecision(3)} M`;
  if (n >= 1e3) return `${(n / 1e3).toPrecision(3)} k`;
  return n.toPrecision(3);
}

export function formatRate(row: Row): string {
  return `${row.rate.toFixed(row.unit === 'GB/s' || row.rate < 10 ? 2 : 0)} ${row.unit}`;
}

export function formatRatio(r: number | undefined): string {
  return r === undefined ? '' : `${r.toFixed(r < 10 ? 2 : 1)}×`;
}

function formatRow(row: Row): string {
  const items = row.itemsPerSec === undefined ? '' : `  ${si(row.itemsPerSec)}${row.itemUnit}/s`;
  const ratio = row.vsKafkaJs === undefined ? '' : `  ${formatRatio(row.vsKafkaJs)} KafkaJS`;
  return `${`${row.side} ${row.path}`.padEnd(48)}${items}  ${formatRate(row)}${ratio}`;
}
