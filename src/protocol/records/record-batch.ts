/**
 * RecordBatch v2 (magic 2): the one place the producer and consumer import records from.
 *
 * The layout and shared types live in layout.ts, the producer's hot path in
 * record-batch-builder.ts, the consumer's in record-batch-decoder.ts; this module only gathers
 * them. Design notes: the builder writes into one reused Writer and tracks its exact wire size;
 * the decoder returns views, never copies. Offsets are bigint (exact int64), per-record deltas
 * and timestamps plain numbers.
 */
export {
  ControlRecordType,
  type DecodedRecord,
  LOG_OVERHEAD,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  RECORD_BATCH_OVERHEAD,
  type RecordBatch,
  type RecordHeader,
  type RecordHeaderInput,
  type RecordInput,
  TimestampType,
} from './layout.js';
export {
  type ProducerState,
  RecordBatchBuilder,
  type RecordBatchOptions,
  setProducerState,
} from './record-batch-builder.js';
export {
  type DecodedRecordBatches,
  type DecodeRecordBatchesOptions,
  type DeferredBatch,
  decodeDeferred,
  decodeRecordBatches,
  type LegacyEntry,
} from './record-batch-decoder.js';
