/**
 * `kafkawire worker MODULE`: a group consumer running a user's handler module in the foreground,
 * for a supervisor (systemd, supervisord, Kubernetes) to keep running; ECS JSON logs, optional
 * dead-letter topic, health and metrics over HTTP.
 *
 * Invariants: at least once — a record's offset is committed only after its handler resolved, or
 * after it was acknowledged on the dead-letter topic (the consumer's run() commits only handled
 * records, auto-commit and close included); a failed record without --dlq stops the worker with
 * that record uncommitted, so the next start redelivers it. The first SIGTERM/SIGINT stops
 * fetching, lets the running handler finish within --drain-timeout, commits, leaves the group and
 * exits 0; a second signal exits 130 at once. Exit 1: a handler failure without --dlq, a drain
 * that timed out, or a runtime failure (all logged as one error line first).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Consumer, type TopicPartition } from '../consumer/consumer.js';
import type { EachMessagePayload } from '../consumer/delivery.js';
import type { Logger, LogLevel } from '../network/logger.js';
import { prometheusMetrics } from '../network/metrics-export.js';
import { partitionKey } from '../network/topic-partition.js';
import { Producer } from '../producer/producer.js';
import { HandlerError } from '../protocol/errors.js';
import { enumFlag, intFlag, parseCommand, positionals, required, UsageError } from './args.js';
import { consumerConfig, producerConfig } from './client-options.js';
import { brokersOf, type Context } from './context.js';
import { WorkerHttp, type WorkerState } from './worker-http.js';
import { EcsLogger, type LineSink } from './worker-log.js';
import { WorkerMetrics } from './worker-metrics.js';

export const workerHelp = `Usage: kafkawire worker MODULE -g GROUP -t TOPIC [-t TOPIC...] [options]

Runs a handler module as a member of a consumer group, in the foreground, for a
supervisor (systemd, supervisord, Kubernetes) to keep running. At least once: a
record is committed only after its handler resolved (or, with --dlq, after it was
written to the dead-letter topic).

MODULE (a path to an ES module or CommonJS file) exports:
  handle(payload, context)   called for each record, one at a time, in order per
                             partition (a default export function works too);
                             payload is { topic, partition, message, highWatermark },
                             message { offset, timestamp, key, value, headers }
  setup(context)             optional, awaited before consuming starts
  teardown()                 optional, awaited after the consumer closed
context is { log, signal }: log has debug/info/warn/error(fields, message) writing
the worker's JSON lines; signal is aborted when the worker starts to stop.

Options:
  -g, --group GROUP          consumer group (required)
  -t, --topic TOPIC          topic to consume (required, repeatable)
      --dlq TOPIC            dead-letter topic: a record whose handler still fails
                             after --retries goes there (its key, value and headers,
                             plus kafkawire.dlq.* headers naming where it came from
                             and the error) and the worker goes on; without it a
                             failure stops the worker (exit 1), the record
                             uncommitted, redelivered at the next start
      --concurrency N        records handled at once (default 1: one at a time, in
                             order per partition); above 1, the worker pool: each
                             key's records in order, keys side by side, commits only
                             of what finished without a gap
      --retries N            handler attempts again after a failure, 200 ms
                             doubling up to 10 s between them (default 0)
      --drain-timeout MS     on SIGTERM/SIGINT, how long the running handler may
                             take before the worker exits anyway (default 30000)
      --from POSITION        where a partition without a committed offset starts:
                             earliest (default) or latest
      --http-port PORT       serve /healthz, /readyz and /metrics (Prometheus) on
                             PORT (0: any free port, logged)
      --http-host HOST       address to listen on (default 0.0.0.0)
      --log-file PATH        append the JSON log lines to PATH (default: stdout)
      --log-level LEVEL      debug, info (default), warn or error
  -b, --brokers LIST         host:port,... (default: $KAFKA_BROKERS)

Logs: one Elastic Common Schema JSON object per line (@timestamp, log.level,
message, error.type/message/stack_trace, kafka.topic/partition/offset/key, ...).
/healthz is 200 while the worker is a member of its group and a broker answers,
503 otherwise; /readyz is 200 once setup ran and partitions were assigned.

Exit codes: 0 stopped by SIGTERM/SIGINT after draining; 1 a handler failure
without --dlq, a drain timeout or a runtime failure; 2 usage error (bad flag,
MODULE not found or exporting no handler); 130 a second signal.
`;

const OPTIONS = {
  group: { type: 'string', short: 'g' },
  topic: { type: 'string', short: 't', multiple: true },
  dlq: { type: 'string' },
  retries: { type: 'string' },
  'drain-timeout': { type: 'string' },
  from: { type: 'string' },
  'http-port': { type: 'string' },
  'http-host': { type: 'string' },
  'log-file': { type: 'string' },
  'log-level': { type: 'string' },
  concurrency: { type: 'string' },
} as const;

/** What a handler module gives the worker. */
interface HandlerModule {
  handle: (payload: EachMessagePayload, context: HandlerContext) => unknown;
  setup?: (context: HandlerContext) => unknown;
  teardown?: () => unknown;
}

/** What the module's functions receive. */
export interface HandlerContext {
  log: Logger;
  signal: AbortSignal;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export async function worker(args: string[], ctx: Context): Promise<number> {
  const cmd = 'worker';
  const { values, positionals: pos } = parseCommand(args, OPTIONS, cmd);
  const [modulePath] = positionals(pos, ['MODULE'], cmd);
  const group = required(values.group, '--group', cmd);
  if (group === '') throw new UsageError('--group must not be empty', cmd);
  const topics = [...new Set(values.topic ?? [])];
  if (topics.length === 0) required(undefined, '--topic', cmd);
  if (topics.some((t) => t === '')) throw new UsageError('--topic must not be empty', cmd);
  const dlq = values.dlq;
  if (dlq === '') throw new UsageError('--dlq must not be empty', cmd);
  if (dlq !== undefined && topics.includes(dlq))
    throw new UsageError('--dlq must not be one of the consumed topics', cmd);
  const retries = intFlag(values.retries, '--retries', cmd, 0, 1000) ?? 0;
  const concurrency = intFlag(values.concurrency, '--concurrency', cmd, 1, 10_000) ?? 1;
  const drainTimeoutMs = intFlag(values['drain-timeout'], '--drain-timeout', cmd, 0) ?? 30_000;
  const from = enumFlag(values.from, '--from', cmd, ['earliest', 'latest'] as const) ?? 'earliest';
  const httpPort = intFlag(values['http-port'], '--http-port', cmd, 0, 65_535);
  const httpHost = values['http-host'] ?? '0.0.0.0';
  const level: LogLevel = enumFlag(values['log-level'], '--log-level', cmd, LEVELS) ?? 'info';
  const brokers = brokersOf(ctx, values.brokers);
  const mod = await loadHandler(modulePath, cmd);

  const file = values['log-file'] ? await openLogFile(values['log-file']) : null;
  const sink: LineSink = file ?? { write: (line: string) => process.stdout.write(line) };
  const log = new EcsLogger(sink, level);
  try {
    return await new Worker({
      group,
      topics,
      dlq,
      retries,
      drainTimeoutMs,
      concurrency,
      from,
      brokers,
      log,
      level,
      mod,
    }).run(httpPort, httpHost);
  } finally {
    if (file) await new Promise<void>((resolve) => file.end(resolve));
  }
}

interface WorkerOptions {
  group: string;
  topics: string[];
  dlq: string | undefined;
  retries: number;
  drainTimeoutMs: number;
  /** Handlers at once: above 1, run()'s worker pool with ordering 'key'. */
  concurrency: number;
  from: 'earliest' | 'latest';
  brokers: string;
  log: EcsLogger;
  level: LogLevel;
  mod: HandlerModule;
}

class Worker {
  private readonly state: WorkerState = {
    member: false,
    brokersReachable: true,
    started: false,
    stopping: false,
  };
  private readonly metrics = new WorkerMetrics();
  private readonly stop = new AbortController();
  private readonly consumer: Consumer;
  private readonly producer: Producer | null;
  private readonly context: HandlerContext;

  constructor(private readonly o: WorkerOptions) {
    const log = o.log;
    this.context = { log, signal: this.stop.signal };
    this.consumer = new Consumer(
      consumerConfig({
        bootstrapServers: o.brokers,
        clientId: 'kafkawire-worker',
        groupId: o.group,
        autoOffsetReset: o.from,
        logger: log,
        logLevel: o.level,
      }),
    );
    this.producer = o.dlq
      ? new Producer(
          producerConfig({
            bootstrapServers: o.brokers,
            clientId: 'kafkawire-worker-dlq',
            logger: log,
            logLevel: o.level,
          }),
        )
      : null;
    this.consumer.on('brokersUnreachable', () => this.setReachable(false));
    this.consumer.on('brokersReachable', () => this.setReachable(true));
  }

  async run(httpPort: number | undefined, httpHost: string): Promise<number> {
    const { log } = this.o;
    const http = new WorkerHttp(
      this.state,
      () =>
        this.metrics.registry.render() +
        prometheusMetrics(this.consumer, ...(this.producer ? [this.producer] : [])),
    );
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        log.error({ signal }, 'Second signal; exiting at once, the running record uncommitted');
        process.exit(130);
      }
      log.info({ signal, drainTimeoutMs: this.o.drainTimeoutMs }, 'Stopping: finishing the running handler');
      this.stop.abort();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    let code = 0;
    try {
      if (httpPort !== undefined) {
        const port = await http.listen(httpPort, httpHost);
        log.info({ port, host: httpHost }, 'HTTP server listening');
      }
      await this.o.mod.setup?.(this.context);
      code = await this.consume();
    } catch (err) {
      log.error({ err }, 'Worker failed');
      code = 1;
    } finally {
      this.state.stopping = true;
      this.stop.abort();
      code = (await this.shutdown()) ? code : 1;
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await http.close();
      this.metrics.close();
    }
    log.info({ exitCode: code }, 'Worker stopped');
    return code;
  }

  /** Runs the handler over the group's records until a signal or a failure; the exit code. */
  private async consume(): Promise<number> {
    const { log, group, topics, drainTimeoutMs } = this.o;
    this.consumer.subscribe(topics, {
      onPartitionsAssigned: (added) => {
        this.state.member = true;
        this.state.started = true;
        this.metrics.registry.add('kafkawire_worker_rebalances_total', {});
        this.assignedChanged();
        log.info(
          { group, assigned: describe(added), assignedPartitions: added.length },
          'Partitions assigned',
        );
      },
      onPartitionsRevoked: (revoked) => {
        this.metrics.dropLag(revoked);
        this.assignedChanged(revoked);
        log.info({ group, revoked: describe(revoked) }, 'Partitions revoked');
      },
      onPartitionsLost: (lost) => {
        this.state.member = false;
        this.metrics.registry.set('kafkawire_worker_group_member', {}, 0);
        this.metrics.dropLag(lost);
        log.warn({ group, lost: describe(lost) }, 'Partitions lost; rejoining the group');
      },
    });
    log.info({ group, topics, dlq: this.o.dlq }, 'Worker started');
    const pool =
      this.o.concurrency > 1
        ? { concurrency: this.o.concurrency, ordering: 'key' as const, revokeTimeoutMs: drainTimeoutMs }
        : {};
    const running = this.consumer.run({
      ...pool,
      signal: this.stop.signal,
      eachMessage: (p) => this.handleOne(p),
    });
    // run() returns once the running handler does; a handler stuck past the drain timeout is left.
    const drained = new Promise<'timeout'>((resolve) => {
      this.stop.signal.addEventListener(
        'abort',
        () => setTimeout(() => resolve('timeout'), drainTimeoutMs).unref(),
        { once: true },
      );
    });
    try {
      if ((await Promise.race([running, drained])) === 'timeout') {
        log.error(
          { drainTimeoutMs },
          'Drain timeout passed with a handler still running; its record stays uncommitted',
        );
        running.catch(() => {});
        return 1;
      }
      return 0;
    } catch (err) {
      if (!(err instanceof HandlerError)) throw err;
      log.error(
        { ...recordFields(err.topic, err.partition, err.offset), err: err.cause },
        'Handler failed; stopping with the record uncommitted (it is redelivered at the next start)',
      );
      return 1;
    }
  }

  private async handleOne(p: EachMessagePayload): Promise<void> {
    const { log, retries, dlq } = this.o;
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.o.mod.handle(p, this.context);
        this.metrics.handled(p.topic, (performance.now() - started) / 1000);
        this.recordDone(p);
        return;
      } catch (err) {
        this.metrics.failed(p.topic);
        if (attempt < retries && !this.stop.signal.aborted) {
          const backoffMs = Math.min(10_000, 200 * 2 ** attempt);
          log.warn(
            {
              ...recordFields(p.topic, p.partition, p.message.offset, p.message.key),
              err,
              attempt: attempt + 1,
              backoffMs,
            },
            'Handler failed; retrying',
          );
          await sleep(backoffMs, this.stop.signal);
          continue;
        }
        if (!this.producer || !dlq) throw err;
        await this.deadLetter(p, err);
        log.error(
          {
            ...recordFields(p.topic, p.partition, p.message.offset, p.message.key),
            err,
            dlq,
            attempts: attempt + 1,
          },
          'Handler failed; record sent to the dead-letter topic',
        );
        return;
      }
    }
  }

  /** Writes the record to the dead-letter topic and waits for the acknowledgement. */
  private async deadLetter(p: EachMessagePayload, err: unknown): Promise<void> {
    const e = err instanceof Error ? err : new Error(String(err));
    const headers: { key: string; value: Buffer | string | null }[] = p.message.headers.map((h) => ({
      key: h.key,
      value: h.value,
    }));
    headers.push(
      { key: 'kafkawire.dlq.topic', value: p.topic },
      { key: 'kafkawire.dlq.partition', value: String(p.partition) },
      { key: 'kafkawire.dlq.offset', value: p.message.offset.toString() },
      { key: 'kafkawire.dlq.error.type', value: e.name },
      { key: 'kafkawire.dlq.error.message', value: e.message },
    );
    await this.producer?.send({
      topic: this.o.dlq as string,
      key: p.message.key,
      value: p.message.value,
      headers,
      timestamp: p.message.timestamp,
    });
    this.metrics.deadLettered(p.topic);
    this.recordDone(p);
  }

  private recordDone(p: EachMessagePayload): void {
    const lag = p.highWatermark - p.message.offset - 1n;
    this.metrics.lag(p.topic, p.partition, lag < 0n ? 0n : lag);
  }

  private assignedChanged(revoked: readonly TopicPartition[] = []): void {
    const gone = new Set(revoked.map((tp) => partitionKey(tp.topic, tp.partition)));
    const held = this.consumer.assignment().filter((tp) => !gone.has(partitionKey(tp.topic, tp.partition)));
    this.metrics.registry.set('kafkawire_worker_assigned_partitions', {}, held.length);
    this.metrics.registry.set('kafkawire_worker_group_member', {}, this.state.member ? 1 : 0);
  }

  private setReachable(reachable: boolean): void {
    this.state.brokersReachable = reachable;
    this.metrics.registry.set('kafkawire_worker_brokers_reachable', {}, reachable ? 1 : 0);
  }

  /** Closes the consumer (final commit, leave) and the producer, then teardown(); false on failure. */
  private async shutdown(): Promise<boolean> {
    const { log, group } = this.o;
    let ok = true;
    try {
      await this.consumer.close();
      log.info({ group }, 'Committed and left the group');
    } catch (err) {
      log.error({ err, group }, 'Closing the consumer failed');
      ok = false;
    }
    this.state.member = false;
    try {
      await this.producer?.close();
    } catch (err) {
      log.error({ err }, 'Closing the dead-letter producer failed');
      ok = false;
    }
    try {
      await this.o.mod.teardown?.();
    } catch (err) {
      log.error({ err }, 'teardown() failed');
      ok = false;
    }
    return ok;
  }
}

/** Imports MODULE and finds its handler; a usage error (exit 2) when there is none. */
async function loadHandler(modulePath: string, cmd: string): Promise<HandlerModule> {
  const url = pathToFileURL(path.resolve(modulePath)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(path.resolve(modulePath)))
      throw new UsageError(`MODULE '${modulePath}' not found`, cmd);
    throw err;
  }
  // A CommonJS module's exports arrive as `default` (its named exports too, when Node finds them).
  const cjs = (mod.default !== null && typeof mod.default === 'object' ? mod.default : {}) as Record<
    string,
    unknown
  >;
  const pickFn = (name: string) => {
    const fn = mod[name] ?? cjs[name];
    return typeof fn === 'function' ? (fn as (...a: unknown[]) => unknown) : undefined;
  };
  const handle =
    pickFn('handle') ??
    (typeof mod.default === 'function' ? (mod.default as HandlerModule['handle']) : undefined);
  if (!handle)
    throw new UsageError(`MODULE '${modulePath}' exports no handle function (nor a default function)`, cmd);
  return { handle, setup: pickFn('setup'), teardown: pickFn('teardown') };
}

async function openLogFile(file: string): Promise<WriteStream> {
  const stream = createWriteStream(file, { flags: 'a' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  // A write failing later (disk full) must not crash the worker: the line is lost, not the data.
  stream.on('error', () => {});
  return stream;
}

function recordFields(
  topic: string,
  partition: number,
  offset: bigint,
  key?: Buffer | null,
): Record<string, unknown> {
  return { topic, partition, offset, ...(key ? { key: key.toString('utf8') } : {}) };
}

function describe(tps: readonly TopicPartition[]): string[] {
  return tps.map((tp) => `${tp.topic}-${tp.partition}`);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
