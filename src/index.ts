/**
 * kafkawire: an Apache Kafka client for Node.js, written from the wire protocol up.
 *
 * The client API: {@link Producer}, {@link Consumer}, {@link Admin}, their options and result
 * types, the error classes, serializers and partition assignors. The wire-level building blocks
 * (Reader, Writer, Connection, API codecs) are in `kafkawire/protocol`; a KafkaJS-shaped API on
 * the same engine is in `kafkawire/kafkajs`.
 *
 * @module kafkawire
 */
// This file is the public API and nothing else: a plain export list (easy to merge).

export type {
  AclBinding,
  AclBindingFilter,
  AclCreateResult,
  AclDeleteResult,
  AclOperationName,
  AclPatternTypeName,
  AclPermissionName,
  AclResourceTypeName,
} from './admin/acls.js';
export type {
  AdminConfig,
  ConfigEntry,
  ConfigOp,
  ConfigResource,
  FencedProducer,
  GroupDescription,
  GroupMemberDescription,
  ListTransactionsOptions,
  NewTopic,
  OffsetSpec,
  PartitionDescription,
  PartitionLag,
  PartitionOffset,
  TopicDescription,
  TopicResult,
  TransactionDescription,
  TransactionListing,
} from './admin/admin.js';
export { Admin } from './admin/admin.js';
export type { ConsumerGroupDescription, ConsumerGroupMemberDescription } from './admin/consumer-groups.js';
export type {
  ShareGroupDescription,
  ShareGroupMemberDescription,
  ShareGroupPartitionOffset,
} from './admin/share-groups.js';
export type { AutoOffsetReset, ConsumerConfig, IsolationLevelName } from './consumer/config.js';
export type {
  CommitOffset,
  ConsumerEvents,
  LogTruncation,
  PollOptions,
  RebalanceListener,
  TopicNotFound,
  TopicPartition,
} from './consumer/consumer.js';
export { Consumer } from './consumer/consumer.js';
export type { ConsumerBatch, ConsumerRecord, EachMessagePayload, RunOptions } from './consumer/delivery.js';
export type { Deserializer } from './consumer/deserializers.js';
export { jsonDeserializer, stringDeserializer } from './consumer/deserializers.js';
export type {
  AcknowledgementResult,
  AcknowledgeTypeName,
  ShareConsumerConfig,
  ShareRecord,
} from './consumer/share-consumer.js';
export { ShareConsumer } from './consumer/share-consumer.js';
export type { ThreadsOptions } from './consumer/thread-pool.js';
export type { DeadLetterSink, FailurePolicy } from './consumer/worker-pool.js';
export { DEAD_LETTER_HEADERS } from './consumer/worker-pool.js';
export type { Assignor, GroupAssignment, MemberSubscription } from './group/assignors/assignor.js';
export { CooperativeStickyAssignor } from './group/assignors/cooperative-sticky.js';
export { RangeAssignor } from './group/assignors/range.js';
export { RoundRobinAssignor } from './group/assignors/round-robin.js';
export type { BrokerInfo, MetadataSnapshot, PartitionInfo, TopicInfo } from './network/cluster.js';
export type { AuthResult, AuthSession } from './network/connection.js';
export type {
  AuthenticatedMessage,
  BatchMessage,
  CloseMessage,
  CommitMessage,
  ConnectMessage,
  FetchMessage,
  RebalanceMessage,
  RequestMessage,
} from './network/diagnostics.js';
export { DIAGNOSTICS_CHANNELS } from './network/diagnostics.js';
export type { FeatureFallbackMessage } from './network/features.js';
export { FEATURE_FALLBACK_CHANNEL } from './network/features.js';
export type { Logger, LoggingConfig, LogLevel, WinstonLike } from './network/logger.js';
export { consoleLogger, winstonLogger } from './network/logger.js';
export type { MetricsSnapshot, MetricsSource, MetricValue } from './network/metrics.js';
export type { OTelMeter, OTelObservable, OTelObservableResult } from './network/metrics-export.js';
export { prometheusMetrics, registerOpenTelemetryMetrics } from './network/metrics-export.js';
export type { SaslAuthenticator, SaslContext, SaslExchange } from './network/sasl/mechanism.js';
export type { OAuthBearerProvider, OAuthBearerToken } from './network/sasl/oauthbearer.js';
export type {
  SaslConfig,
  SaslCustomConfig,
  SaslOAuthBearerConfig,
  SaslPasswordConfig,
  SecurityConfig,
  SecurityProtocol,
} from './network/security.js';
export type { PemInput, SslConfig } from './network/tls.js';
export type { ExactlyOnceCommit, ExactlyOnceOptions } from './pipeline/exactly-once.js';
export { runExactlyOnce } from './pipeline/exactly-once.js';
export type { RecordMetadata } from './producer/accumulator.js';
export type { CompressionType, ProducerConfig, Serializer } from './producer/config.js';
export type { Partitioner, PartitionerArgs } from './producer/partitioner.js';
export type {
  ConsumerGroupMetadata,
  HeaderValue,
  ProducerRecord,
  TransactionOffset,
  TransactionState,
} from './producer/producer.js';
export { jsonSerializer, Producer } from './producer/producer.js';
export type { ErrorCodeName } from './protocol/error-codes.js';
export { ErrorCode } from './protocol/error-codes.js';
export type { AuthorizationResource, ErrorContext } from './protocol/errors.js';
export {
  AuthenticationError,
  AuthorizationError,
  BufferFullError,
  CodecUnavailableError,
  ConfigError,
  ConnectionError,
  DeserializationError,
  HandlerError,
  IllegalStateError,
  KafkaError,
  KafkawireError,
  LogTruncationError,
  ProducerFencedError,
  ProtocolError,
  SslAuthenticationError,
  TimeoutError,
  TransactionAbortableError,
  TransactionAbortedError,
  TransactionFatalError,
  TransactionStateError,
  TransactionTimedOutError,
  UnsupportedFeatureError,
  UnsupportedVersionError,
} from './protocol/errors.js';
export type { DecodedRecord, RecordHeader } from './protocol/records/layout.js';
