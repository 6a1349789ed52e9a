/**
 * `kafkawire/kafkajs`: KafkaJS's public API on kafkawire's engine. A program written for KafkaJS
 * moves by changing its import:
 *
 * ```ts
 * // import { Kafka, logLevel } from 'kafkajs';
 * import { Kafka, logLevel } from 'kafkawire/kafkajs';
 * ```
 *
 * Semantics follow KafkaJS's documentation, including that a message whose `eachMessage` threw
 * is not committed and is delivered again. What differs (a few TLS and SASL options refused, a few
 * options accepted but without effect) is listed in docs/migrating-from-kafkajs.md, with a table
 * from every KafkaJS option to kafkawire's own.
 *
 * @module kafkawire/kafkajs
 */
// A plain export list.

export type {
  AdminConfig,
  GroupDescription,
  ITopicConfig,
  ITopicMetadata,
  KafkaJSAdmin as Admin,
  MemberDescription,
  ResourceConfigQuery,
} from './admin.js';
export { ConfigResourceTypes, KafkaJSAdmin } from './admin.js';
export type { ConsumerConfig, KafkaJSConsumer as Consumer } from './consumer.js';
export { KafkaJSConsumer } from './consumer.js';
export {
  KafkaJSAggregateError,
  KafkaJSConnectionError,
  KafkaJSDeleteGroupsError,
  KafkaJSError,
  type KafkaJSErrorMetadata,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSOffsetOutOfRange,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSTimeout,
  KafkaJSTopicMetadataNotLoaded,
} from './errors.js';
export type {
  AdminEvents,
  ConsumerEvents,
  InstrumentationEvent,
  ProducerEvents,
  RemoveInstrumentationEventListener,
} from './events.js';
export { Kafka } from './kafka.js';
export { type LogEntry, type Logger, type LoggerEntryContent, type logCreator, logLevel } from './logger.js';
export type {
  ICustomPartitioner,
  PartitionAssigner,
  PartitionerArgs,
  PartitionMetadata,
} from './partitioners.js';
export { PartitionAssigners, Partitioners } from './partitioners.js';
export type {
  KafkaJSCodec,
  KafkaJSProducer as Producer,
  ProducerConfig,
  Transaction,
  TransactionOffsets,
} from './producer.js';
export { CompressionCodecs, KafkaJSProducer } from './producer.js';
export type {
  Batch,
  BrokersFunction,
  ConsumerRunConfig,
  ConsumerSubscribeTopics,
  EachBatchPayload,
  EachMessagePayload,
  IHeaders,
  KafkaConfig,
  KafkaMessage,
  Message,
  Offsets,
  PartitionOffset,
  ProducerBatch,
  ProducerRecord,
  RecordMetadata,
  RetryOptions,
  TopicMessages,
  TopicOffsets,
  TopicPartition,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
  TopicPartitions,
} from './types.js';
export { CompressionTypes } from './types.js';
