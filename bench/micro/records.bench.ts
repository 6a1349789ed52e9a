/**
 * The record layer, kafkawire against KafkaJS 2.2.4 on the same records and the same bytes:
 *
 * - RecordBatch v2 encode: kafkawire's RecordBatchBuilder (the producer's accumulator appends to
 *   one and calls `finish()`) against the path KafkaJS's producer takes in its produce v3 request
 *   (`Record` v0 per record, then `RecordBatch` v0, each on its own Encoder);
 * - RecordBatch v2 decode: `decodeRecordBatches` against KafkaJS's fetch v4 `decodeMessages`,
 *   which calls its RecordBatch v0 decoder per batch;
 * - CRC-32C: kafkawire's dispatching `crc32c`, its JS and native halves, against KafkaJS's
 *   `recordBatch/crc32C`.
 *
 * Before any case is built the batches are checked: both sides write byte-identical batches
 * (kafkawire given KafkaJS's header values: leader epoch 0, producer epoch 0, sequence 0), each
 * side decodes the other's batch back to the input records, and every CRC agrees.
 */
import { Compression } from '../../src/protocol/codecs/index.js';
import { crc32c, crc32cJs, crc32cNative } from '../../src/protocol/crc32c.js';
import {
  type DecodedRecordBatches,
  decodeRecordBatches,
  RecordBatchBuilder,
  type RecordBatchOptions,
  type RecordInput,
  setProducerState,
} from '../../src/protocol/records/record-batch.js';
import {
  type Case,
  check,
  type Entry,
  type KjsDecoderClass,
  type KjsEncoder,
  kafkaJs,
  makeKeys,
  makeValues,
  randomBytes,
  T0,
} from './lib.js';

/** A message as KafkaJS's `producer.send()` takes it. */
interface KjsMessage {
  key: Buffer;
  value: Buffer;
  timestamp: number;
  headers?: Record<string, Buffer>;
}

/** A record as KafkaJS's fetch decoder returns it (offsets and timestamps are strings). */
interface KjsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
}

interface KjsRecordInput extends KjsMessage {
  offsetDelta: number;
  timestampDelta: number;
}

const Decoder = kafkaJs<KjsDecoderClass>('protocol/decoder');
const Long = kafkaJs<{ fromInt(v: number): unknown }>('utils/long');
const Record = kafkaJs<(r: KjsRecordInput) => KjsEncoder>('protocol/recordBatch/record/v0');
const { RecordBatch } = kafkaJs<{ RecordBatch: (options: object) => Promise<KjsEncoder> }>(
  'protocol/recordBatch/v0',
);
const decodeMessages = kafkaJs<(decoder: unknown) => Promise<KjsRecord[]>>(
  'protocol/requests/fetch/v4/decodeMessages',
);
const kjsCrc32c = kafkaJs<(buffer: Buffer) => number>('protocol/recordBatch/crc32C');

/**
 * KafkaJS's producer path from messages to one RecordBatch: the body of `partitionsEncoder` in
 * kafkajs/src/protocol/requests/produce/v3/request.js (not exported) up to the batch, without the
 * partition number and size written around it, for a producer without idempotence (producer id
 * -1, epoch 0, first sequence 0), as `sendMessages` calls it.
 */
async function kafkaJsBatch(messages: readonly KjsMessage[], compression: number): Promise<KjsEncoder> {
  const dateNow = Date.now();
  // KafkaJS sorts the timestamps as strings (no comparator); kept, it is part of its path.
  const messageTimestamps = messages
    .map((m) => m.timestamp)
    .filter((timestamp) => timestamp != null)
    .sort();
  const timestamps = messageTimestamps.length === 0 ? [dateNow] : messageTimestamps;
  const firstTimestamp = timestamps[0];
  const maxTimestamp = timestamps[timestamps.length - 1];
  const records = messages.map((message, i) =>
    Record({
      ...message,
      offsetDelta: i,
      timestampDelta: (message.timestamp || dateNow) - firstTimestamp,
    }),
  );
  return RecordBatch({
    compression,
    records,
    firstTimestamp,
    maxTimestamp,
    producerId: Long.fromInt(-1),
    producerEpoch: 0,
    firstSequence: 0,
    transactional: false,
    lastOffsetDelta: records.length - 1,
  });
}

/** KafkaJS's batch header values, so that both sides write the same bytes. */
const KAFKAJS_HEADER: RecordBatchOptions = { partitionLeaderEpoch: 0, producerEpoch: 0, baseSequence: 0 };

const RECORDS = 1000;

interface Scenario {
  name: string;
  valueSize: number;
  headers: boolean;
  compression: number;
}

const SCENARIOS: Scenario[] = [
  { name: '1,000 × 100 B', valueSize: 100, headers: false, compression: Compression.none },
  { name: '1,000 × 100 B, 2 headers each', valueSize: 100, headers: true, compression: Compression.none },
  { name: '1,000 × 1 KiB', valueSize: 1024, headers: false, compression: Compression.none },
  { name: '1,000 × 100 B, gzip', valueSize: 100, headers: false, compression: Compression.gzip },
];

const CONTENT_TYPE = Buffer.from('application/json');

interface Fixture {
  kw: RecordInput[];
  kjs: KjsMessage[];
}

function fixture(s: Scenario): Fixture {
  const keys = makeKeys(RECORDS);
  const values = makeValues(s.valueSize, RECORDS);
  const kw: RecordInput[] = [];
  const kjs: KjsMessage[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const timestamp = T0 + i;
    if (s.headers) {
      const traceId = Buffer.from(i.toString(16).padStart(16, '0'));
      kw.push({
        timestamp,
        key: keys[i],
        value: values[i],
        headers: [
          { key: 'trace-id', value: traceId },
          { key: 'content-type', value: CONTENT_TYPE },
        ],
      });
      kjs.push({
        timestamp,
        key: keys[i],
        value: values[i],
        headers: { 'trace-id': traceId, 'content-type': CONTENT_TYPE },
      });
    } else {
      kw.push({ timestamp, key: keys[i], value: values[i], headers: null });
      kjs.push({ timestamp, key: keys[i], value: values[i] });
    }
  }
  return { kw, kjs };
}

function checkKafkawireDecode(
  what: string,
  decoded: DecodedRecordBatches,
  input: readonly RecordInput[],
): void {
  check(decoded.batches.length === 1 && !decoded.truncated, `${what}: one whole batch`);
  const records = decoded.batches[0].records;
  check(records.length === input.length, `${what}: ${records.length} records`);
  for (let i = 0; i < input.length; i++) {
    const r = records[i];
    const x = input[i];
    check(r.offset === BigInt(i) && r.timestamp === x.timestamp, `${what}: offset/timestamp of record ${i}`);
    check(r.key!.equals(x.key!) && r.value!.equals(x.value!), `${what}: key/value of record ${i}`);
    const headers = x.headers ?? [];
    check(r.headers.length === headers.length, `${what}: header count of record ${i}`);
    for (let h = 0; h < headers.length; h++) {
      check(r.headers[h].key === headers[h].key, `${what}: header key of record ${i}`);
      check(r.headers[h].value!.equals(headers[h].value!), `${what}: header value of record ${i}`);
    }
  }
}

function checkKafkaJsDecode(what: string, records: readonly KjsRecord[], input: readonly KjsMessage[]): void {
  check(records.length === input.length, `${what}: ${records.length} records`);
  for (let i = 0; i < input.length; i++) {
    const r = records[i];
    const x = input[i];
    check(r.offset === String(i) && r.timestamp === String(x.timestamp), `${what}: offset/timestamp of ${i}`);
    check(r.key!.equals(x.key) && r.value!.equals(x.value), `${what}: key/value of record ${i}`);
    const expected = Object.entries(x.headers ?? {});
    const actual = Object.entries(r.headers);
    check(actual.length === expected.length, `${what}: header count of record ${i}`);
    for (let h = 0; h < expected.length; h++) {
      const [k, v] = actual[h];
      check(
        k === expected[h][0] && Buffer.isBuffer(v) && v.equals(expected[h][1]),
        `${what}: header of ${i}`,
      );
    }
  }
}

/** The `records` field of a fetch v4 partition, as KafkaJS's decodeMessages reads it: int32 size, then the bytes. */
function fetchRecordsField(batch: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + batch.length);
  out.writeInt32BE(batch.length, 0);
  batch.copy(out, 4);
  return out;
}

async function batchCases(s: Scenario): Promise<Case[]> {
  const { kw, kjs } = fixture(s);
  const options: RecordBatchOptions = { ...KAFKAJS_HEADER, compression: s.compression };
  // One builder reused across operations, as the accumulator reuses its builders.
  const builder = new RecordBatchBuilder(options);
  const fill = (): RecordBatchBuilder => {
    const b = builder.reset(options);
    for (let i = 0; i < kw.length; i++) {
      const r = kw[i];
      b.append(r.timestamp, r.key, r.value, r.headers);
    }
    return b;
  };
  const uncompressedSize = fill().sizeInBytes;

  const kwBatch = fill().finish();
  const kwBatchAsync = await fill().finishAsync();
  const kjsBatch = (await kafkaJsBatch(kjs, s.compression)).buffer;
  check(kwBatch.equals(kjsBatch), `${s.name}: kafkawire's and KafkaJS's batches are not byte-identical`);
  check(kwBatchAsync.equals(kwBatch), `${s.name}: finishAsync() differs from finish()`);
  checkKafkawireDecode(`${s.name}: kafkawire decoding KafkaJS's batch`, decodeRecordBatches(kjsBatch), kw);
  const kjsDecoded = await decodeMessages(new Decoder(fetchRecordsField(kwBatch)));
  checkKafkaJsDecode(`${s.name}: KafkaJS decoding kafkawire's batch`, kjsDecoded, kjs);

  const encode: Entry[] = [
    {
      side: 'kafkawire',
      path: 'RecordBatchBuilder append + finish()',
      fn: () => fill().finish(),
      main: true,
    },
  ];
  // The idempotent producer's path (every batch gets its producer state at drain): before, the
  // CRC was computed by finish() and again by setProducerState; now finish(false) leaves it to
  // setProducerState, once.
  const state = { producerId: 1001n, producerEpoch: 0, baseSequence: 0 };
  encode.push(
    {
      side: 'kafkawire',
      path: 'idempotent: append + finish() + setProducerState (two CRCs, before)',
      fn: () => setProducerState(fill().finish(), state),
    },
    {
      side: 'kafkawire',
      path: 'idempotent: append + finish(false) + setProducerState (one CRC)',
      fn: () => setProducerState(fill().finish(false), state),
    },
  );
  if (s.compression !== Compression.none) {
    encode.push({
      side: 'kafkawire',
      path: 'RecordBatchBuilder append + finishAsync() (codec on the thread pool)',
      fn: () => fill().finishAsync(),
    });
  }
  encode.push({
    side: 'KafkaJS',
    path: 'Record v0 + RecordBatch v0 (produce v3)',
    fn: () => kafkaJsBatch(kjs, s.compression),
  });

  const batch = kwBatch;
  const fetchField = fetchRecordsField(batch);
  const decode: Entry[] = [
    {
      side: 'kafkawire',
      path: 'decodeRecordBatches (CRC checked)',
      fn: () => decodeRecordBatches(batch),
      main: true,
    },
    {
      side: 'kafkawire',
      path: 'decodeRecordBatches, verifyCrc: false',
      fn: () => decodeRecordBatches(batch, { verifyCrc: false }),
    },
    {
      side: 'KafkaJS',
      path: 'fetch v4 decodeMessages → RecordBatch v0 decoder',
      fn: () => decodeMessages(new Decoder(fetchField)),
    },
  ];

  const items = { count: RECORDS, unit: 'records' as const };
  const sizes = `${uncompressedSize} B batch${s.compression === Compression.none ? '' : `, ${batch.length} B compressed`}`;
  return [
    {
      group: 'RecordBatch encode',
      name: `${s.name} (${sizes})`,
      items,
      bytes: uncompressedSize,
      unit: 'MB/s',
      entries: encode,
    },
    {
      group: 'RecordBatch decode',
      name: `${s.name} (${sizes})`,
      items,
      bytes: uncompressedSize,
      unit: 'MB/s',
      note: 'KafkaJS does not verify CRCs: the verifyCrc: false row is the equal-work comparison',
      entries: decode,
    },
  ];
}

const CRC_SIZES = [
  { name: '1 KiB', size: 1024 },
  { name: '16 KiB (a default batch.size batch)', size: 16 * 1024 },
  { name: '1 MiB', size: 1024 * 1024 },
];

function crcCases(): Case[] {
  return CRC_SIZES.map(({ name, size }) => {
    const data = randomBytes(size);
    const expected = kjsCrc32c(data);
    check(crc32c(data) === expected && crc32cJs(data) === expected, `CRC-32C of ${name}: JS paths disagree`);
    if (crc32cNative) check(crc32cNative(data) === expected, `CRC-32C of ${name}: native disagrees`);
    const entries: Entry[] = [
      { side: 'kafkawire', path: 'crc32c (native from 256 B, else JS)', fn: () => crc32c(data), main: true },
      { side: 'kafkawire', path: 'crc32cJs (slice-by-16)', fn: () => crc32cJs(data) },
    ];
    const native = crc32cNative;
    if (native)
      entries.push({ side: 'kafkawire', path: 'crc32cNative (@node-rs/crc32)', fn: () => native(data) });
    entries.push({
      side: 'KafkaJS',
      path: 'recordBatch/crc32C (byte-at-a-time table)',
      fn: () => kjsCrc32c(data),
    });
    return { group: 'CRC-32C', name, bytes: size, unit: 'GB/s', entries };
  });
}

export async function cases(): Promise<Case[]> {
  const encodeDecode: Case[] = [];
  for (const s of SCENARIOS) encodeDecode.push(...(await batchCases(s)));
  // Encode cases first, then decode, then CRC: one group at a time in the report.
  return [
    ...encodeDecode.filter((c) => c.group === 'RecordBatch encode'),
    ...encodeDecode.filter((c) => c.group === 'RecordBatch decode'),
    ...crcCases(),
  ];
}
