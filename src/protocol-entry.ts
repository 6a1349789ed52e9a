/**
 * `kafkawire/protocol`: the building blocks under the client, for protocol conformance work,
 * tools and tests that speak to a broker request by request.
 *
 * - {@link Connection}: one socket to one broker; negotiates API versions on connect
 *   (ApiVersions, KIP-511), frames requests, matches responses by correlation id.
 * - One descriptor per Kafka API (`Metadata`, `Produce`, `Fetch`, ...) with its key, version
 *   range and request/response codecs, hand-written from Kafka's JSON message schemas.
 * - {@link Reader} and {@link Writer}: Kafka's primitive types (varints, compact strings, tagged
 *   fields, ...) from and into buffers.
 * - {@link RecordBatchBuilder} and {@link decodeRecordBatches}: RecordBatch v2, byte for byte
 *   what Kafka's Java client writes.
 * - {@link ErrorCode} and {@link errorCodeInfo}: every Kafka error code, with its retriable flag.
 * - {@link requireFeature}, {@link featureOrFallback}: what a broker offers beyond API versions
 *   (KIP-584 feature levels), from a Connection's ApiVersions answer.
 *
 * @example Send a raw Metadata request and check the answer
 * ```ts
 * import { Connection, ErrorCode, Metadata } from 'kafkawire/protocol';
 *
 * const conn = new Connection({ host: '127.0.0.1', port: 9092, clientId: 'conformance' });
 * await conn.connect(); // ApiVersions first: conn.apiVersions holds the broker's ranges
 * const version = 12;
 * const res = await conn.send(Metadata, { topics: null, allowAutoTopicCreation: false,
 *   includeTopicAuthorizedOperations: false }, { version });
 * if (res.brokers.length === 0) throw new Error('a cluster has at least one broker');
 * for (const t of res.topics) {
 *   if (t.errorCode !== ErrorCode.NONE) throw new Error(`${t.name}: error ${t.errorCode}`);
 * }
 * await conn.close();
 * ```
 *
 * @module kafkawire/protocol
 */
// A plain export list: the protocol layer, plus the network layer's Connection.

export type { AuthResult, AuthSession, ConnectionOptions, SendOptions } from './network/connection.js';
export { Connection } from './network/connection.js';
export type { RequestMessage } from './network/diagnostics.js';
export type {
  BrokerFeatures,
  FeatureFallbackMessage,
  FeatureRequirement,
  FeatureSource,
  RequiredApi,
} from './network/features.js';
export {
  BrokerFeature,
  FEATURE_FALLBACK_CHANNEL,
  featureLevel,
  featureOrFallback,
  offersFeature,
  requireApi,
  requireFeature,
} from './network/features.js';
export type { ConnectionObserver } from './network/metrics.js';
export type { VersionRange } from './network/versions.js';
export { pickVersion } from './network/versions.js';
export type { ApiDescriptor, RequestOf, ResponseOf } from './protocol/api.js';
export type { ApiKeyName } from './protocol/api-keys.js';
export { ApiKey, apiName } from './protocol/api-keys.js';
export * from './protocol/apis/index.js';
export type { CompressionLevel } from './protocol/codecs/index.js';
export { CodecUnavailableError, Compression, compress, decompress } from './protocol/codecs/index.js';
export { crc32c } from './protocol/crc32c.js';
export type { ErrorCodeInfo, ErrorCodeName } from './protocol/error-codes.js';
export { ERROR_CODES_KAFKA_VERSION, ErrorCode, errorCodeInfo } from './protocol/error-codes.js';
export type { ErrorContext } from './protocol/errors.js';
export {
  BufferFullError,
  ConfigError,
  ConnectionError,
  KafkaError,
  KafkawireError,
  ProtocolError,
  TimeoutError,
  UnsupportedFeatureError,
  UnsupportedVersionError,
} from './protocol/errors.js';
export { Reader } from './protocol/reader.js';
export {
  ControlRecordType,
  type DecodedRecord,
  type DecodedRecordBatches,
  type DecodeRecordBatchesOptions,
  decodeRecordBatches,
  type LegacyEntry,
  type RecordBatch,
  RecordBatchBuilder,
  type RecordBatchOptions,
  type RecordHeader,
  type RecordHeaderInput,
  type RecordInput,
  TimestampType,
} from './protocol/records/record-batch.js';
export type { TaggedField } from './protocol/writer.js';
export { Writer } from './protocol/writer.js';
