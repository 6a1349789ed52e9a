/**
 * kafkawire: an Apache Kafka client for Node.js, written from the wire protocol up.
 * This file is the public API and nothing else.
 */

export type {
  AdminConfig,
  ConfigEntry,
  ConfigOp,
  ConfigResource,
  GroupDescription,
  NewTopic,
  OffsetSpec,
  PartitionLag,
  PartitionOffset,
  TopicDescription,
  TopicResult,
} from './admin/admin.js';
export { Admin } from './admin/admin.js';
export type { AutoOffsetReset, ConsumerConfig, IsolationLevelName } from './consumer/config.js';
export type {
  CommitOffset,
  ConsumerEvents,
  PollOptions,
  RebalanceListener,
  TopicNotFound,
  TopicPartition,
} from './consumer/consumer.js';
export { Consumer } from './consumer/consumer.js';
export type { ConsumerBatch, RunOptions } from './consumer/delivery.js';
export type { Assignor, GroupAssignment, MemberSubscription } from './group/assignors/assignor.js';
export { CooperativeStickyAssignor } from './group/assignors/cooperative-sticky.js';
export { RangeAssignor } from './group/assignors/range.js';
export { RoundRobinAssignor } from './group/assignors/round-robin.js';
export type {
  BrokerAddress,
  BrokerInfo,
  ClusterOptions,
  MetadataSnapshot,
  PartitionInfo,
  TopicInfo,
} from './network/cluster.js';
export { Cluster, parseBootstrap } from './network/cluster.js';
export type { AuthSession, ConnectionOptions, SendOptions } from './network/connection.js';
export { Connection } from './network/connection.js';
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
export type { VersionRange } from './network/versions.js';
export { pickVersion } from './network/versions.js';
export type { RecordMetadata } from './producer/accumulator.js';
export type { CompressionType, ProducerConfig, Serializer } from './producer/config.js';
export type { Partitioner, PartitionerArgs } from './producer/partitioner.js';
export type { HeaderValue, ProducerRecord } from './producer/producer.js';
export { jsonSerializer, Producer } from './producer/producer.js';
export type { ApiDescriptor } from './protocol/api.js';
export { ApiKey, apiName } from './protocol/api-keys.js';
export type {
  ApiVersionsRequest,
  ApiVersionsResponse,
  MetadataRequest,
  MetadataResponse,
} from './protocol/apis/index.js';
export { ApiVersions, Metadata } from './protocol/apis/index.js';
export { Compression } from './protocol/codecs/index.js';
export type { ErrorCodeInfo } from './protocol/error-codes.js';
export { ErrorCode, errorCodeInfo } from './protocol/error-codes.js';
export type { ErrorContext } from './protocol/errors.js';
export {
  BufferFullError,
  CodecUnavailableError,
  ConfigError,
  ConnectionError,
  HandlerError,
  IllegalStateError,
  KafkaError,
  KafkawireError,
  ProtocolError,
  TimeoutError,
  UnsupportedFeatureError,
  UnsupportedVersionError,
} from './protocol/errors.js';
export { Reader } from './protocol/reader.js';
export type { DecodedRecord, RecordBatch, RecordHeader } from './protocol/records/layout.js';
export { decodeRecordBatches } from './protocol/records/record-batch.js';
export { Writer } from './protocol/writer.js';
