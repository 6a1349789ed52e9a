/**
 * The client-process side of a run: parse RunArgs, call the client's case function, print the
 * result line, exit. Also the pieces every client shares so that they drive the broker alike:
 * the values, the meter, the window of unacknowledged records, fixed-rate pacing and the
 * timestamp that end-to-end records carry.
 *
 * Invariant: a client process always exits with one result line, even when the client throws,
 * hangs on close or never loaded: a run can fail, but never take the runner down with it.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { latencyOf } from './stats.js';
import type {
  BenchCase,
  ConsumeCase,
  E2eCase,
  LatencyCase,
  ManyCase,
  Measured,
  ProduceCase,
  RunArgs,
  RunResult,
} from './types.js';
import { RESULT_PREFIX } from './types.js';

/** What a case function gets. */
export interface Ctx<C extends BenchCase> {
  c: C;
  bootstrap: string;
  /** TLS cases: the CA to trust, as PEM and as the file it came from. */
  tls?: { ca: string; caPath: string };
  topic: string;
  groupId: string;
  meter: Meter;
}

/**
 * One client's runner. A case it has no function for reports 'not-implemented'; `version`
 * throwing (the package is not installed, its native part did not build) reports 'unavailable'.
 */
export interface Client {
  version(): Promise<string>;
  produce?(ctx: Ctx<ProduceCase>): Promise<Measured>;
  consume?(ctx: Ctx<ConsumeCase>): Promise<Measured>;
  e2e?(ctx: Ctx<E2eCase>): Promise<Measured>;
  latency?(ctx: Ctx<LatencyCase>): Promise<Measured>;
}

/** The version of a package installed in bench/node_modules (some do not export package.json). */
export function packageVersion(name: string): string {
  const file = new URL(`../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * The measured loop of a transactional case: `c.records` records in transactions of
 * `c.transactionRecords`. `one(first, n)` sends records `first` … `first + n - 1` in one
 * transaction and commits it; it aborts and throws when the transaction failed. Only committed
 * records count.
 */
export async function inTransactions(
  c: ProduceCase,
  meter: Meter,
  one: (first: number, n: number) => Promise<void>,
): Promise<{ committed: number; failed: number }> {
  const per = c.transactionRecords as number;
  let committed = 0;
  let failed = 0;
  meter.start();
  for (let i = 0; i < c.records; i += per) {
    const n = Math.min(per, c.records - i);
    try {
      await one(i, n);
      committed += n;
    } catch {
      failed += n;
    }
  }
  meter.stop();
  return { committed, failed };
}

/** Wall clock and CPU of the measured section only (connect and close stay outside). */
export class Meter {
  private t0 = 0;
  private cpu0: NodeJS.CpuUsage = { user: 0, system: 0 };
  private t1 = 0;
  private cpu1: NodeJS.CpuUsage | undefined;
  private firstAt = -1;
  private cpuFirst: NodeJS.CpuUsage | undefined;
  private rss0 = 0;

  start(): void {
    this.rss0 = process.memoryUsage().rss;
    this.cpu0 = process.cpuUsage();
    this.t0 = performance.now();
  }

  /** A consumer got records: the first call marks the time to first record (later ones are no-ops). */
  first(): void {
    if (this.firstAt < 0) {
      this.firstAt = performance.now();
      this.cpuFirst = process.cpuUsage(this.cpu0);
    }
  }

  /** Ends the section; later calls keep the first end. */
  stop(): void {
    if (this.cpu1) return;
    this.t1 = performance.now();
    this.cpu1 = process.cpuUsage(this.cpu0);
  }

  result(count: number, extra: Partial<Measured> = {}): Measured {
    this.stop();
    return {
      count,
      elapsedMs: this.t1 - this.t0,
      cpuUserMs: this.cpu1!.user / 1000,
      cpuSystemMs: this.cpu1!.system / 1000,
      ...(this.firstAt >= 0 ? { firstRecordMs: this.firstAt - this.t0 } : {}),
      ...(this.cpuFirst ? { cpuToFirstMs: (this.cpuFirst.user + this.cpuFirst.system) / 1000 } : {}),
      rssAtStartKb: Math.round(this.rss0 / 1024),
      ...extra,
    };
  }
}

/**
 * `count` distinct values of `size` random uppercase letters, as Java's ProducerPerformance
 * fills its records, from a fixed seed so every client sends the same bytes. 1024 of them: a
 * 16 KiB batch never holds the same value twice, so lz4 finds no repeats that real data lacks.
 */
export function makeValues(size: number, count = 1024): Buffer[] {
  // Large values: at most 16 MiB of distinct ones, repeated to fill the slots (1,024 distinct
  // values of 100 KiB would put 100 MiB in every client's RSS before it sends a record).
  const distinct = Math.min(count, Math.max(1, Math.ceil((16 * 1024 * 1024) / size)));
  if (distinct < count) {
    const some = makeValues(size, distinct);
    return Array.from({ length: count }, (_, i) => some[i % distinct]!);
  }
  let s = 0x9e3779b9;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  return Array.from({ length: count }, () => {
    const b = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) b[i] = 65 + (next() % 26);
    return b;
  });
}

/**
 * Unacknowledged records the per-record clients keep in flight: 10,000 or 16 MiB of values,
 * whichever is fewer. That is far more than 5 requests of 16 KiB batches per partition need,
 * and more hurts: a larger window measured slower on kafkawire (more promises alive for the GC).
 */
export function windowFor(c: { valueSize: number; throttleBytesPerSec?: number }): number {
  if (c.throttleBytesPerSec !== undefined) return Math.ceil(THROTTLED_WINDOW_BYTES / c.valueSize);
  return Math.max(1000, Math.min(10_000, Math.floor((16 * 1024 * 1024) / c.valueSize)));
}

/**
 * The throttled cases' window: 64 MiB of values, twice the 32 MiB `bufferMemory` default (Java's
 * `buffer.memory`), so a client with such a buffer fills it and its own limit is what holds.
 */
export const THROTTLED_WINDOW_BYTES = 64 * 1024 * 1024;

/** Records per send() for the clients that batch in the application: one `batchSize` worth. */
export function recordsPerCall(c: { batchSize: number; valueSize: number }): number {
  return Math.max(1, Math.floor(c.batchSize / c.valueSize));
}

/** The topics of a run: `topic` itself, or `topic-0` … `topic-(n-1)` for a many-topics case. */
export function caseTopics(topic: string, c: { topics?: number }): string[] {
  return c.topics ? Array.from({ length: c.topics }, (_, i) => `${topic}-${i}`) : [topic];
}

/**
 * The topic of record `i` of a produce run: each run of `recordsPerCall` records goes to the
 * next topic in turn (so the clients that send a batch's worth per call send one topic's).
 */
export function topicOfRecord(topics: readonly string[], perCall: number, i: number): string {
  return topics.length === 1 ? topics[0]! : topics[Math.floor(i / perCall) % topics.length]!;
}

/**
 * Counts acknowledgements of records sent without awaiting each: `acquire()` waits only when
 * `max` are outstanding, until half of them are back; `settled()` resolves when all are.
 */
export class Window {
  outstanding = 0;
  acked = 0;
  failed = 0;
  firstError: unknown;
  private waiter: (() => void) | undefined;
  private idle: (() => void) | undefined;

  constructor(private readonly max: number) {}

  get full(): boolean {
    return this.outstanding >= this.max;
  }

  acquire(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  add(n = 1): void {
    this.outstanding += n;
  }

  /** For `.then(window.ack, window.nack)` on one record's promise: ignores its argument. */
  ack = (): void => {
    this.acked++;
    this.release(1);
  };

  nack = (err: unknown): void => {
    this.failN(err, 1);
  };

  ackN(n: number): void {
    this.acked += n;
    this.release(n);
  }

  failN(err: unknown, n: number): void {
    this.failed += n;
    this.firstError ??= err;
    this.release(n);
  }

  /** What a reader needs when records failed: how many, and the first error. */
  failureNotes(): string[] {
    if (this.failed === 0) return [];
    const e = this.firstError;
    return [`${this.failed} records failed, first: ${e instanceof Error ? e.message : String(e)}`];
  }

  private release(n: number): void {
    this.outstanding -= n;
    if (this.waiter && this.outstanding <= this.max >> 1) {
      const w = this.waiter;
      this.waiter = undefined;
      w();
    }
    if (this.idle && this.outstanding === 0) {
      const w = this.idle;
      this.idle = undefined;
      w();
    }
  }

  settled(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle = resolve;
    });
  }
}

/**
 * Calls `sendDue(from, to)` for the records due so far at `rate` per second, on a ~1 ms timer,
 * until `total` are handed over. Records due in the same tick go together, as an application
 * producing at that rate would hand them over.
 */
export async function paced(
  total: number,
  rate: number,
  sendDue: (from: number, to: number) => void,
): Promise<void> {
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    if (due > sent) {
      sendDue(sent, due);
      sent = due;
    }
    if (sent < total) await sleep(1);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * End-to-end records carry their send time: bytes 0-7 a float64 of performance.timeOrigin +
 * performance.now() (ms, sub-ms precision, one clock for producer and consumer in this
 * process), byte 8 is 1 for measured records and 0 for the warm-up probes.
 */
export function stamp(value: Buffer, measured: boolean): Buffer {
  const b = Buffer.from(value);
  b.writeDoubleLE(performance.timeOrigin + performance.now(), 0);
  b[8] = measured ? 1 : 0;
  return b;
}

/** Latency of a stamped record now, or -1 for a warm-up probe. */
export function latencyOfStamp(value: Buffer | Uint8Array): number {
  const b = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (b[8] !== 1) return -1;
  return performance.timeOrigin + performance.now() - b.readDoubleLE(0);
}

/**
 * Collects end-to-end latencies until `expected` measured records arrived; the warm-up probes
 * (sent until the consumer has its partitions) are not counted.
 */
export class E2eCollector {
  readonly samples: number[] = [];
  probes = 0;
  private done: (() => void) | undefined;
  readonly finished: Promise<void>;

  constructor(readonly expected: number) {
    this.finished = new Promise((resolve) => {
      this.done = resolve;
    });
  }

  receive(value: Buffer | Uint8Array | null | undefined): void {
    if (!value) return;
    const ms = latencyOfStamp(value);
    if (ms < 0) {
      this.probes++;
      return;
    }
    this.samples.push(ms);
    if (this.samples.length === this.expected) this.done?.();
  }

  /** Resolves when a probe came back, sending one every 100 ms (the consumer is assigned). */
  async warmUp(sendProbe: () => void, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.probes === 0) {
      if (Date.now() > until) throw new Error(`consumer received nothing within ${timeoutMs} ms`);
      sendProbe();
      await sleep(100);
    }
  }
}

/**
 * The latency case: one record at a time at `rate` per second, each `await`ed before the next
 * is due; the latency of a record is from its send() call to its acknowledgement.
 */
export async function awaitedSends(
  c: LatencyCase,
  meter: Meter,
  sendOne: (i: number) => Promise<unknown>,
): Promise<Measured> {
  const samples: number[] = [];
  let errors = 0;
  let firstError: unknown;
  meter.start();
  const start = performance.now();
  for (let i = 0; i < c.records; i++) {
    const wait = start + (i * 1000) / c.rate - performance.now();
    if (wait > 0) await sleep(wait);
    const t0 = performance.now();
    try {
      await sendOne(i);
      samples.push(performance.now() - t0);
    } catch (err) {
      errors++;
      firstError ??= err;
    }
  }
  meter.stop();
  const notes =
    errors > 0
      ? [`first error: ${firstError instanceof Error ? firstError.message : String(firstError)}`]
      : [];
  return meter.result(samples.length, { latency: latencyOf(samples), errors, notes });
}

/** Rejects after `ms`: a run that stops making progress fails instead of hanging. */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Closes a client without letting a slow or failing close decide the run. */
export async function quietly(close: () => unknown, ms = 10_000): Promise<void> {
  try {
    await within(ms, 'close', Promise.resolve(close()));
  } catch {
    // The measurement is already taken; the process exits right after.
  }
}

function emit(result: RunResult): void {
  // Exit in the write callback, so a piped stdout is flushed first.
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(result)}\n`, () => process.exit(0));
}

function message(err: unknown): string {
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}

async function execute(client: Client, args: RunArgs): Promise<RunResult> {
  let version: string;
  try {
    version = await client.version();
  } catch (err) {
    return { status: 'unavailable', reason: message(err).split('\n')[0] };
  }
  if (args.mode === 'probe') return { status: 'ok', version };
  const c = args.case!;
  const fn = (
    c.kind === 'many'
      ? client.produce && client.consume
        ? (ctx: Ctx<ManyCase>) => many(client, ctx)
        : undefined
      : client[c.kind]
  ) as ((ctx: Ctx<BenchCase>) => Promise<Measured>) | undefined;
  if (!fn) return { status: 'not-implemented', reason: `no ${c.kind} runner yet` };
  const ctx: Ctx<BenchCase> = {
    c,
    bootstrap: args.bootstrap,
    tls: args.tls ? { ca: readFileSync(args.tls.caPath, 'utf8'), caPath: args.tls.caPath } : undefined,
    topic: args.topic!,
    groupId: args.groupId ?? `bench-${process.pid}`,
    meter: new Meter(),
  };
  try {
    const measured = await fn.call(client, ctx);
    const maxRssKb = process.resourceUsage().maxRSS;
    const errors = measured.errors ?? 0;
    if (measured.count === c.records && errors === 0) return { status: 'ok', measured, maxRssKb };
    const verb = c.kind === 'consume' || c.kind === 'e2e' ? 'received' : 'acknowledged';
    return {
      status: 'invalid',
      measured,
      maxRssKb,
      reason: `${measured.count} of ${c.records} records ${verb}${errors > 0 ? `, ${errors} errors` : ''}`,
    };
  } catch (err) {
    return { status: 'failed', reason: message(err), maxRssKb: process.resourceUsage().maxRSS };
  }
}

/**
 * The many-clients case with the client's own produce and consume drivers, all at once in this
 * process: each producer sends its share (after the one record each driver sends first), each
 * consumer, in a group of its own, reads every record of the topic. Counts what was acknowledged
 * plus what each consumer read beyond the producers' first records; the time is that of the whole.
 */
async function many(client: Client, ctx: Ctx<ManyCase>): Promise<Measured> {
  const { c } = ctx;
  // cases.ts makes `records` a multiple of producers × (1 + consumers).
  const per = Math.floor(c.records / (c.producers * (1 + c.consumers)));
  const sub = { valueSize: c.valueSize, partitions: c.partitions, title: c.title };
  const produceCase: ProduceCase = {
    ...sub,
    kind: 'produce',
    id: `${c.id}-produce`,
    records: per,
    acks: 1,
    compression: 'none',
    lingerMs: 5,
    batchSize: 16 * 1024,
    idempotence: false,
  };
  // Each producer's driver sends one record first (metadata, connections): consumers read those too.
  const consumeCase: ConsumeCase = {
    ...sub,
    kind: 'consume',
    id: `${c.id}-consume`,
    records: per * c.producers + c.producers,
    compression: 'none',
  };
  ctx.meter.start();
  const runs = [
    ...Array.from({ length: c.producers }, () =>
      (client.produce as NonNullable<Client['produce']>)({ ...ctx, c: produceCase, meter: new Meter() }),
    ),
    ...Array.from({ length: c.consumers }, (_, i) =>
      (client.consume as NonNullable<Client['consume']>)({
        ...ctx,
        c: consumeCase,
        groupId: `${ctx.groupId}-${i}`,
        meter: new Meter(),
      }),
    ),
  ];
  const results = await Promise.all(runs);
  ctx.meter.stop();
  const acked = results.slice(0, c.producers).reduce((n, r) => n + r.count, 0);
  const read = results.slice(c.producers).reduce((n, r) => n + r.count - c.producers, 0);
  const errors = results.reduce((n, r) => n + (r.errors ?? 0), 0);
  return ctx.meter.result(acked + read, {
    errors,
    notes: [
      `${c.producers} producers and ${c.consumers} consumers (a group each) in one process: records/s counts every record produced and every record consumed`,
    ],
  });
}

/** The main of a client file. */
export async function runClient(client: Client): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as RunArgs;
  // The runner kills a client that outlives its run; if the runner itself dies, go too.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 1000).unref();
  emit(await execute(client, args));
}
