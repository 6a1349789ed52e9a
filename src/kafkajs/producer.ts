/**
 * KafkaJS's producer on kafkawire's: `send({ topic, messages, acks, timeout, compression })` and
 * `sendBatch({ topicMessages })`, resolving to one `RecordMetadata` per partition written.
 *
 * KafkaJS takes `acks`, `timeout` and `compression` per call, where a kafkawire producer fixes
 * them at construction; one kafkawire producer is kept per combination used (usually one), made
 * on first use. Each keeps the order of the messages of one call per partition. KafkaJS has no
 * linger, so these producers send at once (`lingerMs: 0`); what accumulates while requests are in
 * flight still goes out in full batches.
 *
 * With a `transactionalId` there is one kafkawire producer (a second with the same id would
 * fence the first), idempotent, made and given its producer id (`initTransactions`) on
 * `connect()`; `transaction()` opens a transaction on it. Such a producer sends only inside a
 * transaction, as KafkaJS's. Its codec is fixed at construction, so the first transactional send
 * that asks for another codec remakes it (before anything was sent with it); after that a send
 * asking for yet another codec is refused.
 */
import type { MetadataSnapshot } from '../network/cluster.js';
import { partitionKey } from '../network/topic-partition.js';
import type { CompressionType, ProducerConfig as NativeProducerConfig } from '../producer/config.js';
import type { PartitionerArgs as NativePartitionerArgs } from '../producer/partitioner.js';
import {
  type RecordMetadata as NativeMetadata,
  type ProducerRecord as NativeRecord,
  Producer,
} from '../producer/producer.js';
import { compress, decompress } from '../protocol/codecs/index.js';
import { afterRetries, KafkaJSError, KafkaJSNonRetriableError, toKafkaJSError } from './errors.js';
import {
  Instrumentation,
  type InstrumentationEvent,
  type ProducerEvents,
  producerEvents,
  type RemoveInstrumentationEventListener,
} from './events.js';
import { type ClientContext, requestMetadata } from './kafka.js';
import { type Logger, nativeLogging } from './logger.js';
import type { ICustomPartitioner, PartitionMetadata } from './partitioners.js';
import {
  CompressionTypes,
  type IHeaders,
  type Message,
  type ProducerBatch,
  type ProducerRecord,
  type RecordMetadata,
  type RetryOptions,
} from './types.js';

/** Options of `kafka.producer()` (KafkaJS: `ProducerConfig`). */
export interface ProducerConfig {
  /** A KafkaJS partitioner factory; default `Partitioners.DefaultPartitioner`. */
  createPartitioner?: ICustomPartitioner;
  retry?: RetryOptions;
  /** kafkawire's `metadataMaxAgeMs`. Default 300000. */
  metadataMaxAge?: number;
  /** Create a missing topic on first send (if the broker allows it). Default true. */
  allowAutoTopicCreation?: boolean;
  /** kafkawire's `enableIdempotence`; needs acks -1. Default false. */
  idempotent?: boolean;
  /** Requests in flight per broker (kafkawire's `maxInFlightRequestsPerConnection`). Default 5. */
  maxInFlightRequests?: number;
  /** Makes the producer transactional (kafkawire's `transactionalId`); implies `idempotent`. */
  transactionalId?: string;
  /** kafkawire's `transactionTimeoutMs`. Default 60000. */
  transactionTimeout?: number;
}

/** A consumer group's offsets to commit with a transaction (KafkaJS: `Offsets`). */
export interface TransactionOffsets {
  consumerGroupId: string;
  /** `offset` is the next offset to read (the one a commit stores), as a string. */
  topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
}

/** An open transaction (KafkaJS: `Transaction`), from `producer.transaction()`. */
export interface Transaction {
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
  /** Commits the group's offsets if and only if the transaction commits. */
  sendOffsets(offsets: TransactionOffsets): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  /** True until `commit()` or `abort()` succeeded. */
  isActive(): boolean;
}

const KNOWN = new Set([
  'createPartitioner',
  'retry',
  'metadataMaxAge',
  'allowAutoTopicCreation',
  'idempotent',
  'maxInFlightRequests',
  'transactionalId',
  'transactionTimeout',
]);

const CODEC_NAMES: Record<number, CompressionType> = {
  [CompressionTypes.None]: 'none',
  [CompressionTypes.GZIP]: 'gzip',
  [CompressionTypes.Snappy]: 'snappy',
  [CompressionTypes.LZ4]: 'lz4',
  [CompressionTypes.ZSTD]: 'zstd',
};

/** A codec in KafkaJS's plugin shape. */
export interface KafkaJSCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const builtIn = (codec: number) => (): KafkaJSCodec => ({
  compress: (encoder) => compress(codec, encoder.buffer),
  decompress: (buffer) => decompress(codec, buffer),
});

/**
 * KafkaJS's codec registry (KafkaJS: `CompressionCodecs`). kafkawire has all four codecs built
 * in, so a program that registers a plugin here (`CompressionCodecs[CompressionTypes.LZ4] = ...`)
 * still runs: the assignment is accepted, and the producer and consumer use the built-in codec.
 */
export const CompressionCodecs: Record<number, () => KafkaJSCodec> = {
  [CompressionTypes.GZIP]: builtIn(CompressionTypes.GZIP),
  [CompressionTypes.Snappy]: builtIn(CompressionTypes.Snappy),
  [CompressionTypes.LZ4]: builtIn(CompressionTypes.LZ4),
  [CompressionTypes.ZSTD]: builtIn(CompressionTypes.ZSTD),
};

type Native = Producer<Buffer | string | null, Buffer | string | null>;

/** A producer in KafkaJS's shape (KafkaJS: `Producer`). Made by `kafka.producer()`. */
export class KafkaJSProducer {
  /** Names of the events `on()` accepts. CONNECT and DISCONNECT are emitted; the network ones are not. */
  readonly events: ProducerEvents = producerEvents;
  private readonly ctx: ClientContext;
  private readonly config: ProducerConfig;
  private readonly log: Logger;
  private readonly instrumentation: Instrumentation;
  private readonly natives = new Map<string, Promise<Native>>();
  private readonly knownTopics = new Set<string>();
  private readonly partitioner: ((args: NativePartitionerArgs) => number) | undefined;
  private metadata: MetadataSnapshot | null = null;
  private connected = false;
  private brokers: string[] = [];
  /** The open transaction, if any (at most one at a time, as KafkaJS). */
  private activeTxn: Transaction | null = null;
  /** Transactional: the codec the one kafkawire producer was made with. */
  private txnCompression: number = CompressionTypes.None;
  /** Transactional: something was sent through it (its codec is fixed from now on). */
  private txnUsed = false;

  /** @internal Made by `Kafka.producer()`. */
  constructor(ctx: ClientContext, config: ProducerConfig) {
    for (const key of Object.keys(config ?? {})) {
      if (!KNOWN.has(key)) throw new KafkaJSNonRetriableError(`Unknown producer option "${key}"`);
    }
    const txn = config as { transactionalId?: unknown; transactionTimeout?: unknown };
    if (
      txn.transactionalId !== undefined &&
      (typeof txn.transactionalId !== 'string' || txn.transactionalId === '')
    ) {
      throw new KafkaJSNonRetriableError(`Invalid transactionalId ${String(txn.transactionalId)}`);
    }
    if (txn.transactionalId === undefined && txn.transactionTimeout !== undefined) {
      throw new KafkaJSNonRetriableError('transactionTimeout needs a transactionalId');
    }
    this.ctx = ctx;
    // As KafkaJS: a transactional producer is idempotent.
    this.config = config?.transactionalId ? { ...config, idempotent: true } : (config ?? {});
    this.log = ctx.logger.namespace('Producer');
    this.instrumentation = new Instrumentation(producerEvents, this.log);
    if (config.createPartitioner) this.partitioner = this.adaptPartitioner(config.createPartitioner);
  }

  /** Resolves the brokers and connects a producer with the default send options. */
  async connect(): Promise<void> {
    this.brokers = await this.ctx.brokers();
    this.connected = true;
    try {
      await this.native(-1, CompressionTypes.None, undefined);
    } catch (err) {
      this.connected = false;
      throw toKafkaJSError(err);
    }
    this.instrumentation.emit(producerEvents.CONNECT);
  }

  /** Sends what is pending and closes every connection. */
  async disconnect(): Promise<void> {
    const natives = [...this.natives.values()];
    this.natives.clear();
    this.connected = false;
    this.activeTxn = null; // closing the kafkawire producer aborts an open transaction
    await Promise.all(natives.map(async (p) => (await p.catch(() => null))?.close()));
    this.instrumentation.emit(producerEvents.DISCONNECT);
  }

  /** True when sends are idempotent (`idempotent: true`). */
  isIdempotent(): boolean {
    return this.config.idempotent === true;
  }

  /**
   * Sends messages to one topic; resolves once the broker acknowledged them (per `acks`), with
   * one entry per partition written. A message is sent to `message.partition` if given, else
   * where the partitioner puts it.
   */
  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (record === null || typeof record !== 'object')
      throw new KafkaJSNonRetriableError('Invalid send arguments');
    return this.sendBatch({
      acks: record.acks,
      timeout: record.timeout,
      compression: record.compression,
      topicMessages: [{ topic: record.topic, messages: record.messages }],
    });
  }

  /** Sends messages to several topics in one go (KafkaJS: `sendBatch`). */
  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (this.config.transactionalId && !this.activeTxn) {
      throw new KafkaJSNonRetriableError(
        'Transactional producer cannot send outside a transaction: use producer.transaction()',
      );
    }
    return this.sendBatchNow(batch);
  }

  /**
   * Opens a transaction (KafkaJS: `transaction()`): sends through it are committed or aborted
   * together with the group offsets given to `sendOffsets`. One at a time per producer.
   */
  async transaction(): Promise<Transaction> {
    if (!this.config.transactionalId) {
      throw new KafkaJSNonRetriableError('Must provide transactional id for transactional producer');
    }
    if (!this.connected) throw new KafkaJSError('The producer is disconnected', { retriable: false });
    if (this.activeTxn) {
      throw new KafkaJSNonRetriableError(
        'There is already an ongoing transaction for this producer. Please end the transaction before beginning another.',
      );
    }
    const native = await this.native(-1, this.txnCompression, undefined);
    try {
      native.beginTransaction();
    } catch (err) {
      throw toKafkaJSError(err);
    }
    let active = true;
    const end = async (how: () => Promise<void>): Promise<void> => {
      if (!active) throw new KafkaJSNonRetriableError('Transaction is not active');
      try {
        await how();
      } catch (err) {
        throw toKafkaJSError(err);
      }
      active = false;
      if (this.activeTxn === txn) this.activeTxn = null;
    };
    const txn: Transaction = {
      send: (record) => {
        if (!active) return Promise.reject(new KafkaJSNonRetriableError('Transaction is not active'));
        return this.send(record);
      },
      sendBatch: (batch) => {
        if (!active) return Promise.reject(new KafkaJSNonRetriableError('Transaction is not active'));
        return this.sendBatchNow(batch);
      },
      sendOffsets: async ({ consumerGroupId, topics }) => {
        if (!active) throw new KafkaJSNonRetriableError('Transaction is not active');
        if (typeof consumerGroupId !== 'string' || consumerGroupId === '') {
          throw new KafkaJSNonRetriableError(`Invalid consumerGroupId ${String(consumerGroupId)}`);
        }
        const offsets = (topics ?? []).flatMap(({ topic, partitions }) =>
          partitions.map(({ partition, offset }) => {
            let at: bigint;
            try {
              at = BigInt(offset);
            } catch {
              throw new KafkaJSNonRetriableError(
                `Invalid offset ${String(offset)} for ${topic}/${partition}`,
              );
            }
            return { topic, partition, offset: at };
          }),
        );
        this.txnUsed = true;
        try {
          // KafkaJS passes only the group id: no member fencing (KIP-447), as KafkaJS itself.
          await (await this.native(-1, this.txnCompression, undefined)).sendOffsetsToTransaction(offsets, {
            groupId: consumerGroupId,
            generationId: -1,
            memberId: '',
            groupInstanceId: null,
          });
        } catch (err) {
          throw toKafkaJSError(err);
        }
      },
      commit: () =>
        end(async () => (await this.native(-1, this.txnCompression, undefined)).commitTransaction()),
      abort: () =>
        end(async () => (await this.native(-1, this.txnCompression, undefined)).abortTransaction()),
      isActive: () => active,
    };
    this.activeTxn = txn;
    return txn;
  }

  private async sendBatchNow(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (!this.connected) throw new KafkaJSError('The producer is disconnected', { retriable: false });
    const acks = batch.acks ?? -1;
    if (acks !== -1 && acks !== 0 && acks !== 1) {
      throw new KafkaJSNonRetriableError(`Invalid acks ${String(acks)}: expected -1, 0 or 1`);
    }
    if (this.config.idempotent && acks !== -1) {
      throw new KafkaJSNonRetriableError(
        "Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees",
      );
    }
    const compression = batch.compression ?? CompressionTypes.None;
    if (CODEC_NAMES[compression] === undefined) {
      throw new KafkaJSNonRetriableError(`Unsupported compression codec ${String(compression)}`);
    }
    const records: NativeRecord[] = [];
    const topics = new Set<string>();
    for (const tm of batch.topicMessages ?? []) {
      if (typeof tm?.topic !== 'string' || tm.topic === '') {
        throw new KafkaJSNonRetriableError(`Invalid topic ${String(tm?.topic)}`);
      }
      if (!Array.isArray(tm.messages)) {
        throw new KafkaJSNonRetriableError(
          `Invalid messages array [${String(tm.messages)}] for topic "${tm.topic}"`,
        );
      }
      topics.add(tm.topic);
      for (const m of tm.messages) records.push(toNativeRecord(tm.topic, m));
    }
    if (records.length === 0) return [];
    if (this.config.transactionalId && compression !== this.txnCompression) {
      if (this.txnUsed) {
        throw new KafkaJSNonRetriableError(
          `A transactional producer sends with one codec: it sends with ${CODEC_NAMES[this.txnCompression]}, this send asks for ${CODEC_NAMES[compression]}`,
        );
      }
      await this.remakeTransactional(compression);
    }
    if (this.config.transactionalId) this.txnUsed = true;
    const native = this.config.transactionalId
      ? await this.native(-1, this.txnCompression, undefined)
      : await this.native(acks, compression, batch.timeout);
    if (this.config.allowAutoTopicCreation !== false) await this.ensureTopics(topics);
    let acked: NativeMetadata[];
    try {
      acked = await native.send(records);
    } catch (err) {
      throw afterRetries(err, this.retries());
    }
    return perPartition(acked);
  }

  /** Subscribes to one of `events`; returns the function that unsubscribes. */
  on(
    eventName: string,
    listener: (event: InstrumentationEvent<unknown>) => void,
  ): RemoveInstrumentationEventListener {
    return this.instrumentation.on(eventName, listener);
  }

  logger(): Logger {
    return this.log;
  }

  private retries(): number {
    return this.ctx.retry.retries ?? 5;
  }

  /** The kafkawire producer for one combination of send options, connected. */
  private native(acks: number, compression: number, timeout: number | undefined): Promise<Native> {
    const transactional = this.config.transactionalId !== undefined;
    const key = transactional ? 'transactional' : `${acks}/${compression}/${timeout ?? ''}`;
    let p = this.natives.get(key);
    if (!p) {
      const c = this.config;
      const retry = { ...this.ctx.retry, ...(c.retry ?? {}) };
      const idempotent = c.idempotent === true;
      const config: NativeProducerConfig<Buffer | string | null, Buffer | string | null> = {
        ...this.ctx.security,
        ...nativeLogging(this.log),
        bootstrapServers: this.brokers,
        clientId: this.ctx.clientId,
        acks: acks as 0 | 1 | -1,
        enableIdempotence: idempotent,
        compressionType: CODEC_NAMES[compression],
        lingerMs: 0,
        // KafkaJS retries `retry.retries` times (forever when idempotent), waiting
        // initialRetryTime, then longer, up to maxRetryTime.
        retries: idempotent ? 2147483647 : (retry.retries ?? 5),
        retryBackoffMs: retry.initialRetryTime ?? 300,
        retryBackoffMaxMs: Math.max(retry.maxRetryTime ?? 30_000, retry.initialRetryTime ?? 300),
        connectTimeoutMs: this.ctx.connectTimeoutMs,
        // How long a send waits for a topic's metadata (or for buffer space): about as long as
        // KafkaJS's retries of a failing metadata request take before it gives up.
        maxBlockMs: Math.max(1000, totalRetryTime(retry)),
      };
      const requestTimeoutMs = timeout ?? this.ctx.requestTimeoutMs;
      if (requestTimeoutMs !== undefined) {
        config.requestTimeoutMs = requestTimeoutMs;
        config.deliveryTimeoutMs = Math.max(120_000, requestTimeoutMs);
      }
      if (c.metadataMaxAge !== undefined) config.metadataMaxAgeMs = c.metadataMaxAge;
      if (c.maxInFlightRequests) config.maxInFlightRequestsPerConnection = c.maxInFlightRequests;
      if (this.partitioner) config.partitioner = this.partitioner;
      if (transactional) {
        config.transactionalId = c.transactionalId;
        if (c.transactionTimeout !== undefined) config.transactionTimeoutMs = c.transactionTimeout;
      }
      p = (async () => {
        let producer: Native;
        try {
          producer = new Producer(config);
        } catch (err) {
          throw toKafkaJSError(err);
        }
        producer.on('metadata', (md: MetadataSnapshot) => {
          this.metadata = md;
        });
        producer.on('error', (err: unknown) => this.log.error((err as Error).message));
        await producer.connect();
        if (transactional) await producer.initTransactions();
        return producer;
      })();
      p.catch(() => this.natives.delete(key));
      this.natives.set(key, p);
    }
    return p;
  }

  /**
   * Transactional, nothing sent yet: replaces the one kafkawire producer by one with `codec`
   * (a new producer id; the open transaction, empty so far, is begun on it).
   */
  private async remakeTransactional(codec: number): Promise<void> {
    this.txnUsed = true; // a concurrent send with a third codec is refused, not remade again
    const old = this.natives.get('transactional');
    this.natives.delete('transactional');
    await (await old?.catch(() => null))?.close();
    this.txnCompression = codec;
    const native = await this.native(-1, codec, undefined);
    if (this.activeTxn) native.beginTransaction();
  }

  private async ensureTopics(topics: Set<string>): Promise<void> {
    const missing = [...topics].filter((t) => !this.knownTopics.has(t) && !this.metadata?.topics.has(t));
    if (missing.length === 0) return;
    await requestMetadata(this.ctx, missing, true);
    for (const t of missing) this.knownTopics.add(t);
  }

  /** A KafkaJS partitioner behind kafkawire's partitioner interface. */
  private adaptPartitioner(create: ICustomPartitioner): (args: NativePartitionerArgs) => number {
    const choose = create();
    const cache = new Map<
      string,
      { md: MetadataSnapshot | null; count: number; list: PartitionMetadata[] }
    >();
    return (args) => {
      let entry = cache.get(args.topic);
      if (!entry || entry.md !== this.metadata || entry.count !== args.partitionCount) {
        const info = this.metadata?.topics.get(args.topic);
        const available = new Set(args.availablePartitions);
        const list: PartitionMetadata[] = [];
        for (let p = 0; p < args.partitionCount; p++) {
          const pi = info?.partitions[p];
          list.push({
            partitionErrorCode: pi?.errorCode ?? 0,
            partitionId: p,
            leader: pi?.leader ?? (available.has(p) ? 0 : -1),
            replicas: pi?.replicas ?? [],
            isr: pi?.isr ?? [],
            offlineReplicas: pi?.offlineReplicas ?? [],
          });
        }
        entry = { md: this.metadata, count: args.partitionCount, list };
        cache.set(args.topic, entry);
      }
      return choose({
        topic: args.topic,
        partitionMetadata: entry.list,
        message: { key: args.key, value: args.value },
      });
    };
  }
}

/** The waits of `retries` retries, added up (KafkaJS: initialRetryTime × multiplier^n, capped). */
function totalRetryTime(retry: RetryOptions): number {
  let total = 0;
  for (let n = 0; n < (retry.retries ?? 5); n++) {
    total += Math.min(
      (retry.initialRetryTime ?? 300) * (retry.multiplier ?? 2) ** n,
      retry.maxRetryTime ?? 30_000,
    );
  }
  return Math.min(total, 2147483647);
}

/** A KafkaJS message as a kafkawire record. */
function toNativeRecord(topic: string, m: Message): NativeRecord {
  if (m === null || typeof m !== 'object')
    throw new KafkaJSNonRetriableError(`Invalid message for topic "${topic}"`);
  const r: NativeRecord = { topic, key: m.key ?? null, value: m.value ?? null };
  if (m.partition !== undefined && m.partition !== null) r.partition = m.partition;
  if (m.timestamp !== undefined && m.timestamp !== null) {
    const ts = Number(m.timestamp);
    if (!Number.isSafeInteger(ts) || ts < 0) {
      throw new KafkaJSNonRetriableError(`Invalid timestamp ${String(m.timestamp)} for topic "${topic}"`);
    }
    r.timestamp = ts;
  }
  if (m.headers) r.headers = toNativeHeaders(m.headers);
  return r;
}

function toNativeHeaders(h: IHeaders): NativeRecord['headers'] {
  const out: { key: string; value: Buffer | string | null }[] = [];
  for (const key of Object.keys(h)) {
    const v = h[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const one of v) out.push({ key, value: one });
    else out.push({ key, value: v });
  }
  return out;
}

/** KafkaJS reports one entry per partition written: its first offset in this send. */
function perPartition(acked: readonly NativeMetadata[]): RecordMetadata[] {
  const out = new Map<string, RecordMetadata & { first: bigint }>();
  for (const md of acked) {
    const k = partitionKey(md.topic, md.partition);
    const e = out.get(k);
    if (!e) {
      out.set(k, {
        topicName: md.topic,
        partition: md.partition,
        errorCode: 0,
        baseOffset: String(md.offset),
        logAppendTime: '-1',
        logStartOffset: '-1',
        first: md.offset,
      });
    } else if (md.offset >= 0n && (e.first < 0n || md.offset < e.first)) {
      e.first = md.offset;
      e.baseOffset = String(md.offset);
    }
  }
  return [...out.values()].map(({ first: _first, ...rest }) => rest);
}
