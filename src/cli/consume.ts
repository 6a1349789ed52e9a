/**
 * `kafkawire consume`: records of one or more topics to stdout, one per line (or as a kcat-style
 * format string lays them out).
 *
 * Without a group every partition (or the one given) is assigned by hand and read from --from;
 * with a group the consumer subscribes, starts from the group's committed offsets, and commits
 * what it printed when it stops.
 *
 * Invariants: a record is committed only if it was printed — when --count cuts a poll short,
 * the partitions are sought back to the first record not printed before the commit. "The end"
 * for --exit-at-end is the log end offsets taken once at start, so a busy topic still ends.
 * Ctrl-C stops the loop, commits, closes and exits 0.
 */
import type { PartitionOffset } from '../admin/admin.js';
import { Consumer, type ConsumerBatch, type TopicPartition } from '../consumer/consumer.js';
import { partitionKey } from '../network/topic-partition.js';
import type { DecodedRecord } from '../protocol/records/layout.js';
import {
  enumFlag,
  intFlag,
  parseCommand,
  positionals,
  positionFlag,
  required,
  separatorFlag,
  UsageError,
} from './args.js';
import { consumerConfig } from './client-options.js';
import {
  brokersOf,
  CLIENT_ID,
  type Context,
  checkPartition,
  describeExisting,
  onInterrupt,
  withAdmin,
} from './context.js';
import { ENCODINGS, type Encoding, encode, encodeOrNull, template } from './encoding.js';
import { Progress, plural, printError } from './output.js';

export const consumeHelp = `Usage: kafkawire consume -t TOPIC [-t TOPIC...] [options]

Prints the records of topics to stdout, one per line.

Options:
  -t, --topic TOPIC          topic to read (required, repeatable; each must exist)
  -g, --group GROUP          read as a member of GROUP: start from its committed offsets
                             and commit what was printed when stopping
      --from POSITION        where to start: earliest (default), latest, an offset, or
                             @TIMESTAMP_MS (the first record at or after that time);
                             with --group only earliest|latest (for partitions without a
                             committed offset; use 'groups reset' to move a group)
  -p, --partition N          read only partition N (not with --group)
  -c, --count N              stop after N records
  -e, --exit-at-end          stop at the end of every partition (as of the start)
  -f, --format FORMAT        value (default), kv (key SEP value), json (one object per
                             line: topic, partition, offset (a string), timestamp, key,
                             value, headers [{key, value}]), or a kcat-style format string:
                             %t topic, %p partition, %o offset, %k key, %s value, %K/%S
                             key/value bytes, %T timestamp, %h headers (k=v,...), %%; \\n
                             \\t escapes; no newline is added (as kcat: end it with \\n)
  -k, --key-separator SEP    separator of --format kv (default \\t); implies kv
      --encoding ENC         keys, values and header values as utf8 (default), base64 or
                             hex (binary-safe)
      --null TEXT            how a null key or value is printed (default: nothing);
                             --format json prints null
  -b, --brokers LIST         host:port,... (default: $KAFKA_BROKERS)
      --json                 errors as JSON objects

Ctrl-C stops cleanly: with --group the printed records are committed; exit code 0.
`;

const OPTIONS = {
  topic: { type: 'string', short: 't', multiple: true },
  group: { type: 'string', short: 'g' },
  from: { type: 'string' },
  partition: { type: 'string', short: 'p' },
  count: { type: 'string', short: 'c' },
  'exit-at-end': { type: 'boolean', short: 'e' },
  format: { type: 'string', short: 'f' },
  'key-separator': { type: 'string', short: 'k' },
  encoding: { type: 'string' },
  null: { type: 'string' },
} as const;

type Line = (batch: ConsumerBatch, r: DecodedRecord) => string;

const tpKey = partitionKey;

export async function consume(args: string[], ctx: Context): Promise<number> {
  const cmd = 'consume';
  const { values, positionals: pos } = parseCommand(args, OPTIONS, cmd);
  positionals(pos, [], cmd);
  const topicList = [...new Set(values.topic ?? [])];
  if (topicList.length === 0) required(undefined, '--topic', cmd);
  if (topicList.some((t) => t === '')) throw new UsageError('--topic must not be empty', cmd);
  const group = values.group;
  if (group === '') throw new UsageError('--group must not be empty', cmd);
  const separator = separatorFlag(values['key-separator'], '--key-separator', cmd);
  const encoding = enumFlag(values.encoding, '--encoding', cmd, ENCODINGS) ?? 'utf8';
  const nullText = values.null ?? '';
  const line = formatter(values.format, separator, encoding, nullText, cmd);
  const from = positionFlag(values.from, '--from', cmd) ?? 'earliest';
  const partition = intFlag(values.partition, '--partition', cmd, 0, 2_147_483_647);
  const count = intFlag(values.count, '--count', cmd, 1);
  const exitAtEnd = values['exit-at-end'] === true;
  if (group !== undefined && typeof from === 'object') {
    throw new UsageError(
      "--from with --group takes earliest or latest; move a group's offsets with 'kafkawire groups reset'",
      cmd,
    );
  }
  if (group !== undefined && partition !== undefined) {
    throw new UsageError('--partition cannot be combined with --group (the group assigns partitions)', cmd);
  }
  if (partition !== undefined && topicList.length > 1) {
    throw new UsageError('--partition needs exactly one --topic', cmd);
  }
  const brokers = brokersOf(ctx, values.brokers);

  const stop = new AbortController();
  const removeInterrupt = onInterrupt(() => stop.abort());
  const progress = new Progress(!process.stdout.isTTY);
  let consumer: Consumer | undefined;
  let printed = 0;
  try {
    // Partitions, end offsets and start offsets come from an Admin first: a missing topic fails
    // at once, and explicit starting points are known before the first fetch.
    const setup = await withAdmin(brokers, async (admin) => {
      const tps: TopicPartition[] = [];
      const all: TopicPartition[] = [];
      for (const topic of topicList) {
        const d = await describeExisting(admin, topic);
        checkPartition(d, partition);
        for (const p of d.partitions) {
          all.push({ topic, partition: p.partition });
          if (partition === undefined || p.partition === partition)
            tps.push({ topic, partition: p.partition });
        }
      }
      const ends = exitAtEnd ? await admin.listOffsets(all, 'latest') : [];
      let starts: PartitionOffset[] = [];
      if (typeof from === 'object' && 'offset' in from)
        starts = tps.map((tp) => ({ ...tp, offset: from.offset }));
      else if (typeof from === 'object') {
        const found = await admin.listOffsets(tps, { timestamp: from.timestamp });
        const latest = await admin.listOffsets(tps, 'latest');
        // No record at or after the timestamp: start at the end, as the Java tools do.
        starts = found.map((f, i) => (f.offset >= 0n ? f : latest[i]));
      }
      return { tps, ends: new Map(ends.map((e) => [tpKey(e.topic, e.partition), e.offset])), starts };
    });

    consumer = new Consumer(
      consumerConfig({
        bootstrapServers: brokers,
        clientId: CLIENT_ID,
        ...(group !== undefined ? { groupId: group } : {}),
        autoOffsetReset: typeof from === 'string' ? from : 'none',
        enableAutoCommit: group !== undefined,
      }),
    );
    if (group !== undefined) {
      consumer.subscribe(topicList);
    } else {
      consumer.assign(setup.tps);
      for (const s of setup.starts) consumer.seek(s, s.offset);
    }
    await consumer.connect();

    const c = consumer;
    const atEnd = (): boolean => {
      const assigned = c.assignment();
      return assigned.every((tp) => {
        const position = c.position(tp);
        const end = setup.ends.get(tpKey(tp.topic, tp.partition)) ?? 0n;
        return position !== null && position >= end;
      });
    };
    const started = performance.now();
    while (!stop.signal.aborted && !ctx.stdout.closed) {
      const batches = await consumer.poll({ timeoutMs: 500, signal: stop.signal });
      let text = '';
      let cut = false;
      for (let b = 0; b < batches.length && !cut; b++) {
        const records = batches[b].records;
        for (let r = 0; r < records.length; r++) {
          text += line(batches[b], records[r]);
          if (++printed === count) {
            rewindUnprinted(consumer, batches, b, r);
            cut = true;
            break;
          }
        }
      }
      await ctx.stdout.write(text);
      progress.update(
        () =>
          `consumed ${plural(printed, 'record')}, ${Math.round(printed / ((performance.now() - started) / 1000))}/s`,
      );
      if (cut || (exitAtEnd && atEnd())) break;
    }
    progress.done();
    if (group !== undefined) await consumer.commit();
    await consumer.close();
  } catch (err) {
    progress.done();
    printError(err, ctx.json, {
      note: printed > 0 ? `${plural(printed, 'record')} printed` : '',
      fields: { printed },
    });
    await consumer?.close().catch(() => {});
    return 1;
  } finally {
    removeInterrupt();
  }
  return 0;
}

/** After printing record `r` of batch `b`, seek every partition of the poll to its first record not printed. */
function rewindUnprinted(consumer: Consumer, batches: ConsumerBatch[], b: number, r: number): void {
  const here = batches[b];
  if (r + 1 < here.records.length) consumer.seek(here, here.records[r + 1].offset);
  for (let i = b + 1; i < batches.length; i++) {
    const tp: TopicPartition = batches[i];
    consumer.seek(tp, batches[i].records[0].offset);
  }
}

/** One output line per record (a format string decides its own line ends). */
function formatter(
  format: string | undefined,
  separator: string | undefined,
  encoding: Encoding,
  nullText: string,
  cmd: string,
): Line {
  if (format?.includes('%')) {
    if (separator !== undefined)
      throw new UsageError('--key-separator does not go with a format string', cmd);
    return template(format, encoding, nullText);
  }
  const chosen =
    enumFlag(format, '--format', cmd, ['value', 'kv', 'json'] as const) ?? (separator ? 'kv' : 'value');
  const sep = separator ?? '\t';
  if (chosen === 'value') return (_b, r) => `${encode(r.value, encoding, nullText)}\n`;
  if (chosen === 'kv')
    return (_b, r) => `${encode(r.key, encoding, nullText)}${sep}${encode(r.value, encoding, nullText)}\n`;
  return (b, r) =>
    `${JSON.stringify({
      topic: b.topic,
      partition: b.partition,
      offset: r.offset.toString(),
      timestamp: r.timestamp,
      key: encodeOrNull(r.key, encoding),
      value: encodeOrNull(r.value, encoding),
      headers: r.headers.map((h) => ({ key: h.key, value: encodeOrNull(h.value, encoding) })),
    })}\n`;
}
