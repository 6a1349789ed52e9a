/**
 * The data shapes of KafkaJS's public API, as `kafkawire/kafkajs` takes and returns them:
 * offsets and timestamps as decimal strings, headers as objects, keys and values as Buffers.
 */
import type { logCreator, logLevel } from './logger.js';

/** A broker list, or a function that resolves to one when a client connects. */
export type BrokersFunction = () => string[] | Promise<string[]>;

/** Retry options (KafkaJS: `RetryOptions`); see the migration guide for what each maps to. */
export interface RetryOptions {
  /** Longest wait between two retries, ms. Default 30000. */
  maxRetryTime?: number;
  /** First wait, ms (randomized by `factor`). Default 300. */
  initialRetryTime?: number;
  /** Randomization factor of each wait. Default 0.2. */
  factor?: number;
  /** Growth of the wait from one retry to the next. Default 2. */
  multiplier?: number;
  /** Retries per call. Default 5. */
  retries?: number;
  /**
   * Consumer only: called after a consumer gave up on retriable errors; resolve true to restart
   * consuming, false to stop. Default: restart.
   */
  restartOnFailure?: (e: Error) => Promise<boolean>;
}

/** Options of `new Kafka()` (KafkaJS: `KafkaConfig`). */
export interface KafkaConfig {
  /** `host:port` seed brokers, or a function returning them. */
  brokers: string[] | BrokersFunction;
  /**
   * TLS: `true`, or tls.connect() options among ca, cert, key, passphrase, servername,
   * rejectUnauthorized, minVersion, ciphers (others are refused). kafkawire's `ssl`.
   */
  ssl?: boolean | object;
  /**
   * SASL: `{ mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', username, password }` or
   * `{ mechanism: 'oauthbearer', oauthBearerProvider }`; over TLS with `ssl`, else plaintext.
   */
  sasl?: object;
  clientId?: string;
  /** Time to open a connection, ms (kafkawire's `connectTimeoutMs`). Default 10000 (KafkaJS: 1000). */
  connectionTimeout?: number;
  /** Time a request may wait for its response, ms (kafkawire's `requestTimeoutMs`). Default 30000. */
  requestTimeout?: number;
  /** Accepted; kafkawire always enforces its request timeout. */
  enforceRequestTimeout?: boolean;
  retry?: RetryOptions;
  /** Default `logLevel.INFO`; `KAFKAJS_LOG_LEVEL` in the environment wins. */
  logLevel?: logLevel;
  logCreator?: logCreator;
}

/** Headers of a message: a value, or several for a repeated key (KafkaJS: `IHeaders`). */
export interface IHeaders {
  [key: string]: Buffer | string | (Buffer | string)[] | undefined;
}

/** A message to send (KafkaJS: `Message`). */
export interface Message {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: IHeaders;
  /** Milliseconds since the epoch, as a string (a number is accepted too). Default now. */
  timestamp?: string;
}

/** KafkaJS's compression codecs (KafkaJS: `CompressionTypes`); all five are built in. */
export const CompressionTypes = { None: 0, GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 } as const;
/** One of the {@link CompressionTypes} values. */
export type CompressionTypes = (typeof CompressionTypes)[keyof typeof CompressionTypes];

/** What `send()` takes (KafkaJS: `ProducerRecord`). */
export interface ProducerRecord {
  topic: string;
  messages: Message[];
  /** -1 (all in-sync replicas, default), 0 or 1. */
  acks?: number;
  /** How long the broker may wait for the acknowledgements, ms. Default 30000. */
  timeout?: number;
  compression?: CompressionTypes;
}

/** Messages of one topic in `sendBatch()` (KafkaJS: `TopicMessages`). */
export interface TopicMessages {
  topic: string;
  messages: Message[];
}

/** What `sendBatch()` takes (KafkaJS: `ProducerBatch`). */
export interface ProducerBatch {
  acks?: number;
  timeout?: number;
  compression?: CompressionTypes;
  topicMessages?: TopicMessages[];
}

/** The outcome of a send, one entry per partition written (KafkaJS: `RecordMetadata`). */
export interface RecordMetadata {
  topicName: string;
  partition: number;
  /** Always 0: a failed send rejects instead. */
  errorCode: number;
  /** Offset of the first message of this send in the partition ('-1' with acks 0). */
  baseOffset: string;
  /** The broker's append time on LogAppendTime topics, else '-1'. */
  logAppendTime: string;
  /** Not reported by kafkawire's producer: '-1'. */
  logStartOffset: string;
}

/** A consumed message (KafkaJS: `KafkaMessage`). */
export interface KafkaMessage {
  key: Buffer | null;
  value: Buffer | null;
  /** Milliseconds since the epoch, as a string. */
  timestamp: string;
  /** Record attributes (always 0 in RecordBatch v2). */
  attributes: number;
  /** The message's offset, as a string. */
  offset: string;
  /** Headers; a repeated key gives an array of values. */
  headers: IHeaders;
}

/** The messages of one partition from one fetch (KafkaJS: `Batch`). */
export interface Batch {
  topic: string;
  partition: number;
  /** The partition's high watermark: offset after its last message. */
  highWatermark: string;
  messages: KafkaMessage[];
  isEmpty(): boolean;
  /** Offset of the first message, or null when empty. */
  firstOffset(): string | null;
  /** Offset of the last message (highWatermark - 1 when empty). */
  lastOffset(): string;
  /** Messages after this batch: highWatermark - 1 - lastOffset. */
  offsetLag(): string;
  /** Messages from the batch's first on: highWatermark - 1 - firstOffset. */
  offsetLagLow(): string;
}

/** A partition and an offset as a string (KafkaJS: `PartitionOffset`, `SeekEntry`). */
export interface PartitionOffset {
  partition: number;
  offset: string;
}

/** Offsets of one topic (KafkaJS: `TopicOffsets`). */
export interface TopicOffsets {
  topic: string;
  partitions: PartitionOffset[];
}

/** Offsets of several topics (KafkaJS: `Offsets`). */
export interface Offsets {
  topics: TopicOffsets[];
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A partition and an offset (KafkaJS: `TopicPartitionOffset`). */
export interface TopicPartitionOffset extends TopicPartition {
  offset: string;
}

/** An offset to commit (KafkaJS: `TopicPartitionOffsetAndMetadata`); `metadata` is not stored. */
export interface TopicPartitionOffsetAndMetadata extends TopicPartitionOffset {
  metadata?: string | null;
}

/** Partitions of a topic (KafkaJS: `TopicPartitions`). */
export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** What `eachMessage` gets (KafkaJS: `EachMessagePayload`). */
export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  /** Resolves at once: kafkawire heartbeats in the background. */
  heartbeat(): Promise<void>;
  /** Pauses this partition; returns the function that resumes it. */
  pause(): () => void;
}

/** What `eachBatch` gets (KafkaJS: `EachBatchPayload`). */
export interface EachBatchPayload {
  batch: Batch;
  /** Marks a message (and those before it) as processed: it will be committed. */
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  pause(): () => void;
  /** Commits the given offsets, or the resolved ones if `autoCommitInterval`/`Threshold` say it is time. */
  commitOffsetsIfNecessary(offsets?: Offsets): Promise<void>;
  /** Resolved offsets not committed yet. */
  uncommittedOffsets(): Offsets;
  isRunning(): boolean;
  /** True once the partition was sought or revoked: the rest of the batch should be dropped. */
  isStale(): boolean;
}

/** Options of `consumer.run()` (KafkaJS: `ConsumerRunConfig`). */
export interface ConsumerRunConfig {
  /** Commit processed offsets (after each batch, and per the two options below). Default true. */
  autoCommit?: boolean;
  /** Also commit every this many ms during a batch. Default null. */
  autoCommitInterval?: number | null;
  /** Also commit after this many resolved messages. Default null. */
  autoCommitThreshold?: number | null;
  /** With eachBatch: resolve the whole batch when the handler returns. Default true. */
  eachBatchAutoResolve?: boolean;
  /** Partitions handled at once (each still in order). Default 1. */
  partitionsConsumedConcurrently?: number;
  eachBatch?: (payload: EachBatchPayload) => Promise<void>;
  eachMessage?: (payload: EachMessagePayload) => Promise<void>;
}

/** What `subscribe()` takes (KafkaJS: `ConsumerSubscribeTopics`, or the older `{ topic }`). */
export interface ConsumerSubscribeTopics {
  topics?: (string | RegExp)[];
  /** @deprecated KafkaJS's older form: use `topics`. */
  topic?: string | RegExp;
  /** Without a committed offset, start from the earliest (true) or the latest (false, default). */
  fromBeginning?: boolean;
}
