/**
 * `kafkawire produce`: one record per input line, from stdin or a file.
 *
 * Invariants: lines are sent in input order (per partition that is the order in the log); at
 * most WINDOW records are unacknowledged at a time, so a large file never sits in memory; the
 * first failure — a refused record or a bad line — stops reading, lets what was sent settle, and
 * exits 1. Exit 0 means every line read was acknowledged.
 */

import { open } from 'node:fs/promises';
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ProducerConfig } from '../producer/config.js';
import { Producer, type ProducerRecord } from '../producer/producer.js';
import {
  enumFlag,
  intFlag,
  pairsFlag,
  parseCommand,
  positionals,
  required,
  separatorFlag,
  UsageError,
} from './args.js';
import { producerConfig } from './client-options.js';
import {
  brokersOf,
  CLIENT_ID,
  type Context,
  checkPartition,
  describeExisting,
  onInterrupt,
  withAdmin,
} from './context.js';
import { decode, ENCODINGS } from './encoding.js';
import { fixed, InputError, Progress, perSecond, plural, printError, round, toJson } from './output.js';
import { InFlightWindow } from './window.js';

export const produceHelp = `Usage: kafkawire produce -t TOPIC [options] [< FILE]

Sends one record per line of stdin (or --file). Prints a summary to stderr; exits 0 only if
every record was acknowledged.

Options:
  -t, --topic TOPIC          topic to write to (required; must exist)
  -f, --file FILE            read lines from FILE instead of stdin
  -k, --key-separator SEP    split each line at the first SEP into key and value
                             (\\t for a tab); a line without SEP is an error
  -H, --header KEY=VALUE     add a header to every record (repeatable)
      --encoding ENC         keys and values are utf8 (default), base64 or hex text
                             (binary-safe); a line that is not valid ENC is an error
      --null TEXT            a key or value that is exactly TEXT is sent as null (a
                             tombstone, for a value)
      --json                 each value must be JSON (blank lines are skipped); the
                             summary and errors are JSON too
  -p, --partition N          write to partition N (default: the key's hash, or sticky)
      --acks 0|1|all         acknowledgements to wait for (default all, idempotent)
      --compression TYPE     none|gzip|snappy|lz4|zstd (default none)
      --linger MS            how long a batch waits for more records (default 5)
  -b, --brokers LIST         host:port,... (default: $KAFKA_BROKERS)

A bad line (not JSON with --json, no key separator with -k) stops the run with exit 1: the lines
before it were sent and acknowledged, none after it.
`;

const OPTIONS = {
  topic: { type: 'string', short: 't' },
  file: { type: 'string', short: 'f' },
  'key-separator': { type: 'string', short: 'k' },
  header: { type: 'string', short: 'H', multiple: true },
  partition: { type: 'string', short: 'p' },
  acks: { type: 'string' },
  compression: { type: 'string' },
  linger: { type: 'string' },
  encoding: { type: 'string' },
  null: { type: 'string' },
} as const;

/** Records sent but not yet acknowledged, at most. */
const WINDOW = 10_000;

export async function produce(args: string[], ctx: Context): Promise<number> {
  const cmd = 'produce';
  const { values, positionals: pos } = parseCommand(args, OPTIONS, cmd);
  positionals(pos, [], cmd);
  const topic = required(values.topic, '--topic', cmd);
  const acks = enumFlag(values.acks, '--acks', cmd, ['0', '1', 'all', '-1'] as const) ?? 'all';
  const compressionType =
    enumFlag(values.compression, '--compression', cmd, ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) ??
    'none';
  const lingerMs = intFlag(values.linger, '--linger', cmd, 0, 2_147_483_647);
  const partition = intFlag(values.partition, '--partition', cmd, 0, 2_147_483_647);
  const separator = separatorFlag(values['key-separator'], '--key-separator', cmd);
  const headers = pairsFlag(values.header, '--header', cmd);
  const encoding = enumFlag(values.encoding, '--encoding', cmd, ENCODINGS) ?? 'utf8';
  if (ctx.json && encoding !== 'utf8')
    throw new UsageError('--json values are JSON text: --encoding must be utf8', cmd);
  const nullText = values.null;
  const brokers = brokersOf(ctx, values.brokers);

  const input = await openInput(values.file);
  let started = performance.now();
  const window = new InFlightWindow();
  let acked = 0;
  let bytes = 0;
  let producer: Producer | undefined;
  let failure: unknown = null;
  let interrupted = false;
  let lines: Interface | undefined;
  const stopReading = () => {
    lines?.close();
    input.destroy();
  };
  const removeInterrupt = onInterrupt(() => {
    interrupted = true;
    stopReading();
  });
  const progress = new Progress(!process.stdin.isTTY || values.file !== undefined);
  try {
    const d = await withAdmin(brokers, (admin) => describeExisting(admin, topic));
    checkPartition(d, partition);
    const config: ProducerConfig = {
      bootstrapServers: brokers,
      clientId: CLIENT_ID,
      acks: acks === 'all' || acks === '-1' ? 'all' : acks === '1' ? 1 : 0,
      enableIdempotence: acks === 'all' || acks === '-1',
      compressionType,
    };
    if (lingerMs !== undefined) config.lingerMs = lingerMs;
    producer = new Producer(producerConfig(config));
    await producer.connect();
    started = performance.now();

    // Created only now: readline's iterator loses the lines emitted before it exists.
    lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    if (interrupted) lines.close();
    let lineNo = 0;
    for await (const line of lines) {
      lineNo++;
      if (failure || interrupted) break;
      if (ctx.json && line.trim() === '') continue;
      let keyText: string | null = null;
      let valueText = line;
      if (separator !== undefined) {
        const at = line.indexOf(separator);
        if (at < 0) {
          failure = new InputError(`line ${lineNo} has no key separator ${JSON.stringify(separator)}`);
          break;
        }
        keyText = line.slice(0, at);
        valueText = line.slice(at + separator.length);
      }
      if (ctx.json && valueText !== nullText) {
        try {
          JSON.parse(valueText);
        } catch (err) {
          failure = new InputError(`line ${lineNo} is not JSON: ${(err as Error).message}`);
          break;
        }
      }
      let key: Buffer | string | null;
      let value: Buffer | string | null;
      try {
        key = keyText === null ? null : decode(keyText, encoding, nullText, `line ${lineNo}: the key`);
        value = decode(valueText, encoding, nullText, `line ${lineNo}: the value`);
      } catch (err) {
        failure = err;
        break;
      }
      const record: ProducerRecord = { topic, key, value };
      if (headers.length > 0) record.headers = headers;
      if (partition !== undefined) record.partition = partition;
      window.sent++;
      bytes += (value === null ? 0 : Buffer.byteLength(value)) + (key === null ? 0 : Buffer.byteLength(key));
      producer.send(record).then(
        () => {
          acked++;
          window.settled();
        },
        (err: unknown) => {
          failure ??= err;
          window.settled();
          stopReading();
        },
      );
      progress.update(
        () =>
          `produced ${acked}/${window.sent} records, ${fixed(perSecond(acked, (performance.now() - started) / 1000), 0)}/s`,
      );
      if (window.outstanding >= WINDOW) await window.below(WINDOW / 2);
    }
    await window.below(0);
    await producer.close();
  } catch (err) {
    failure ??= err;
  } finally {
    removeInterrupt();
    progress.done();
    stopReading();
    await producer?.close().catch(() => {});
  }

  const seconds = (performance.now() - started) / 1000;
  if (failure) {
    printError(failure, ctx.json, {
      note:
        window.sent > 0
          ? `${acked} of ${plural(window.sent, 'record')} sent ${window.sent === 1 ? 'was' : 'were'} acknowledged`
          : '',
      fields: { sent: window.sent, acknowledged: acked },
    });
    return 1;
  }
  const summary = {
    topic,
    records: acked,
    bytes,
    seconds: round(seconds, 3),
    recordsPerSecond: round(perSecond(acked, seconds)),
  };
  if (ctx.json) {
    process.stderr.write(`${toJson({ produced: { ...summary, interrupted } })}\n`);
  } else {
    process.stderr.write(
      `kafkawire: ${interrupted ? 'interrupted after producing' : 'produced'} ${plural(acked, 'record')} (${plural(bytes, 'byte')}) to ${topic} in ${fixed(seconds, 2)} s, ${fixed(summary.recordsPerSecond, 0)} records/s\n`,
    );
  }
  return interrupted ? 130 : 0;
}

async function openInput(file: string | undefined): Promise<Readable> {
  if (file === undefined || file === '-') return process.stdin;
  try {
    const handle = await open(file, 'r');
    return handle.createReadStream();
  } catch (err) {
    throw new InputError(`cannot read the input file: ${(err as Error).message}`);
  }
}
