/**
 * `kafkawire bench produce|consume`: throughput of this client against a real cluster, with a
 * live progress bar on a terminal and a summary on stdout.
 *
 * Produce latency is per send, from `send()` to its acknowledgement — the number the Java
 * producer-perf-test reports — so it includes linger and waiting behind the WINDOW records in
 * flight. Consume reads from the earliest offsets and reports throughput only. MB is 2^20 bytes,
 * as in the Java perf tools.
 */
import { Consumer } from '../consumer/consumer.js';
import { Producer } from '../producer/producer.js';
import { KafkawireError } from '../protocol/errors.js';
import {
  enumFlag,
  intFlag,
  parseCommand,
  positionals,
  required,
  splitAtCommand,
  UsageError,
} from './args.js';
import { consumerConfig, producerConfig } from './client-options.js';
import { brokersOf, CLIENT_ID, type Context, describeExisting, onInterrupt, withAdmin } from './context.js';
import { bar, fixed, jsonLine, MB, Progress, perSecond, plural, printError, round } from './output.js';
import { InFlightWindow } from './window.js';

export const benchHelp = `Usage: kafkawire bench produce|consume -t TOPIC [options]

  produce    sends N records of SIZE bytes as fast as the producer takes them; reports
             records/s, MB/s and per-send latency percentiles (p50, p99, p999)
  consume    reads N records from the earliest offsets (default: everything up to the
             current end); reports records/s and MB/s

Options:
  -t, --topic TOPIC          topic (required; must exist)
  -n, --count N              records (produce default 100000)
  -s, --size BYTES           value size for produce (default 100)
      --acks 0|1|all         produce acknowledgements (default all)
      --compression TYPE     none|gzip|snappy|lz4|zstd (default none)
      --linger MS            producer linger.ms (default 5)
  -b, --brokers LIST         host:port,... (default: $KAFKA_BROKERS)
      --json                 the summary (and errors) as JSON

A progress bar is drawn on stderr when it is a terminal. MB = 1024 x 1024 bytes.
`;

const OPTIONS = {
  topic: { type: 'string', short: 't' },
  count: { type: 'string', short: 'n' },
  size: { type: 'string', short: 's' },
  acks: { type: 'string' },
  compression: { type: 'string' },
  linger: { type: 'string' },
} as const;

const WINDOW = 10_000;

export async function bench(args: string[], ctx: Context): Promise<number> {
  const { before, name: mode, after } = splitAtCommand(args);
  if (mode !== 'produce' && mode !== 'consume') {
    throw new UsageError(
      mode === undefined ? 'missing mode: produce or consume' : `unknown mode '${mode}'`,
      'bench',
    );
  }
  const cmd = `bench ${mode}`;
  const { values, positionals: pos } = parseCommand([...before, ...after], OPTIONS, 'bench');
  positionals(pos, [], cmd);
  const topic = required(values.topic, '--topic', cmd);
  const count = intFlag(values.count, '--count', cmd, 1);
  const size = intFlag(values.size, '--size', cmd, 0, 100 * MB) ?? 100;
  const acks = enumFlag(values.acks, '--acks', cmd, ['0', '1', 'all', '-1'] as const) ?? 'all';
  const compression =
    enumFlag(values.compression, '--compression', cmd, ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) ??
    'none';
  const linger = intFlag(values.linger, '--linger', cmd, 0, 2_147_483_647) ?? 5;
  if (
    mode === 'consume' &&
    (values.size !== undefined || values.acks !== undefined || values.compression !== undefined)
  ) {
    throw new UsageError('--size, --acks and --compression apply to bench produce', cmd);
  }
  const brokers = brokersOf(ctx, values.brokers);
  const setup = { brokers, topic, count, size, acks, compression, linger };
  return mode === 'produce' ? benchProduce(ctx, setup) : benchConsume(ctx, setup);
}

interface Setup {
  brokers: string;
  topic: string;
  count: number | undefined;
  size: number;
  acks: '0' | '1' | 'all' | '-1';
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  linger: number;
}

/** Live progress while `done()` counts up to `total`; returns the stop function. */
function showProgress(
  total: number,
  started: number,
  done: () => { records: number; bytes: number },
): () => void {
  const progress = new Progress();
  if (!progress.active) return () => {};
  const render = () => {
    const d = done();
    const s = (performance.now() - started) / 1000;
    return `${bar(d.records / total)} ${fixed((100 * d.records) / total, 0).padStart(3)}%  ${d.records}/${total}  ${fixed(perSecond(d.records, s), 0)} records/s  ${fixed(perSecond(d.bytes, s) / MB, 2)} MB/s`;
  };
  const timer = setInterval(() => progress.update(render, true), 100);
  return () => {
    clearInterval(timer);
    progress.done();
  };
}

async function benchProduce(ctx: Context, o: Setup): Promise<number> {
  const n = o.count ?? 100_000;
  const value = payload(o.size);
  const latencies = new Float64Array(n);
  const window = new InFlightWindow();
  let acked = 0;
  let failure: unknown = null;
  let interrupted = false;

  const removeInterrupt = onInterrupt(() => {
    interrupted = true;
  });
  let producer: Producer | undefined;
  let started = performance.now();
  let stopProgress = () => {};
  try {
    await withAdmin(o.brokers, (admin) => describeExisting(admin, o.topic));
    producer = new Producer(
      producerConfig({
        bootstrapServers: o.brokers,
        clientId: CLIENT_ID,
        acks: o.acks === 'all' || o.acks === '-1' ? 'all' : o.acks === '1' ? 1 : 0,
        enableIdempotence: o.acks === 'all' || o.acks === '-1',
        compressionType: o.compression,
        lingerMs: o.linger,
      }),
    );
    await producer.connect();
    started = performance.now();
    stopProgress = showProgress(n, started, () => ({ records: acked, bytes: acked * o.size }));
    while (window.sent < n && failure === null && !interrupted) {
      const i = window.sent++;
      const t0 = performance.now();
      producer.send({ topic: o.topic, value }).then(
        () => {
          latencies[i] = performance.now() - t0;
          acked++;
          window.settled();
        },
        (err: unknown) => {
          failure ??= err;
          window.settled();
        },
      );
      if (window.outstanding >= WINDOW) await window.below(WINDOW / 2);
    }
    await window.below(0);
  } catch (err) {
    failure ??= err;
  } finally {
    stopProgress();
    removeInterrupt();
  }
  const seconds = (performance.now() - started) / 1000;
  await producer?.close().catch(() => {});
  if (failure) {
    printError(failure, ctx.json, {
      note: window.sent > 0 ? `${acked} of ${plural(window.sent, 'record')} sent acknowledged` : '',
      fields: { sent: window.sent, acknowledged: acked },
    });
    return 1;
  }
  const sorted = latencies.subarray(0, acked).sort();
  const latency = {
    avg: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : 0,
  };
  const result = {
    mode: 'produce',
    topic: o.topic,
    records: acked,
    recordSize: o.size,
    acks: o.acks === '-1' ? 'all' : o.acks,
    compression: o.compression,
    lingerMs: o.linger,
    seconds: round(seconds, 3),
    recordsPerSecond: round(perSecond(acked, seconds)),
    mbPerSecond: round(perSecond(acked * o.size, seconds) / MB, 2),
    latencyMs: {
      avg: round(latency.avg, 2),
      p50: round(latency.p50, 2),
      p99: round(latency.p99, 2),
      p999: round(latency.p999, 2),
      max: round(latency.max, 2),
    },
    interrupted,
  };
  if (ctx.json) await ctx.stdout.write(jsonLine(result));
  else {
    const l = latency;
    await ctx.stdout.write(
      `bench produce: ${plural(acked, 'record')} of ${plural(o.size, 'byte')} to ${o.topic} (acks ${result.acks}, compression ${o.compression}, linger ${o.linger} ms)${interrupted ? ', interrupted' : ''}\n` +
        `  ${plural(acked, 'record')} in ${fixed(seconds, 2)} s: ${fixed(result.recordsPerSecond, 0)} records/s, ${fixed(result.mbPerSecond, 2)} MB/s\n` +
        `  latency ms: avg ${fixed(l.avg, 2)}, p50 ${fixed(l.p50, 2)}, p99 ${fixed(l.p99, 2)}, p999 ${fixed(l.p999, 2)}, max ${fixed(l.max, 2)}\n`,
    );
  }
  return interrupted ? 130 : 0;
}

async function benchConsume(ctx: Context, o: Setup): Promise<number> {
  const stop = new AbortController();
  const removeInterrupt = onInterrupt(() => stop.abort());
  let consumer: Consumer | undefined;
  let records = 0;
  let bytes = 0;
  let started = performance.now();
  let stopProgress = () => {};
  let target = 0;
  try {
    const { starts } = await withAdmin(o.brokers, async (admin) => {
      const d = await describeExisting(admin, o.topic);
      const tps = d.partitions.map((p) => ({ topic: o.topic, partition: p.partition }));
      const [earliest, latest] = await Promise.all([
        admin.listOffsets(tps, 'earliest'),
        admin.listOffsets(tps, 'latest'),
      ]);
      target = Number(latest.reduce((sum, l, i) => sum + (l.offset - earliest[i].offset), 0n));
      return { starts: earliest };
    });
    if (target === 0) {
      throw new KafkawireError(`topic ${o.topic} has no records: run 'kafkawire bench produce' first`, false);
    }
    if (o.count !== undefined && o.count > target) {
      process.stderr.write(`kafkawire: ${o.topic} holds ${plural(target, 'record')}, reading those\n`);
    }
    if (o.count !== undefined) target = Math.min(target, o.count);
    consumer = new Consumer(
      consumerConfig({
        bootstrapServers: o.brokers,
        clientId: CLIENT_ID,
        autoOffsetReset: 'earliest',
      }),
    );
    consumer.assign(starts);
    for (const s of starts) consumer.seek(s, s.offset);
    await consumer.connect();
    started = performance.now();
    stopProgress = showProgress(target, started, () => ({ records, bytes }));
    while (records < target && !stop.signal.aborted) {
      for (const b of await consumer.poll({ timeoutMs: 1000, signal: stop.signal })) {
        for (const r of b.records) {
          if (records === target) break;
          bytes += (r.value?.length ?? 0) + (r.key?.length ?? 0);
          records++;
        }
      }
    }
  } catch (err) {
    stopProgress();
    removeInterrupt();
    printError(err, ctx.json, {
      note: records > 0 ? `${plural(records, 'record')} read` : '',
      fields: { records },
    });
    await consumer?.close().catch(() => {});
    return 1;
  }
  const seconds = (performance.now() - started) / 1000;
  stopProgress();
  removeInterrupt();
  await consumer.close().catch(() => {});
  const interrupted = stop.signal.aborted;
  const result = {
    mode: 'consume',
    topic: o.topic,
    records,
    bytes,
    seconds: round(seconds, 3),
    recordsPerSecond: round(perSecond(records, seconds)),
    mbPerSecond: round(perSecond(bytes, seconds) / MB, 2),
    interrupted,
  };
  if (ctx.json) await ctx.stdout.write(jsonLine(result));
  else {
    await ctx.stdout.write(
      `bench consume: ${plural(records, 'record')} (${plural(bytes, 'byte')}) from ${o.topic}${interrupted ? ', interrupted' : ''}\n` +
        `  ${plural(records, 'record')} in ${fixed(seconds, 2)} s: ${fixed(result.recordsPerSecond, 0)} records/s, ${fixed(result.mbPerSecond, 2)} MB/s\n`,
    );
  }
  return interrupted ? 130 : 0;
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

/** Printable bytes that compress somewhat, like text: random lower-case letters. */
function payload(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = 97 + Math.floor(Math.random() * 26);
  return b;
}
