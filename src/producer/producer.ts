/**
 * Producer: the public face of the producer (Java: `KafkaProducer`).
 *
 * `send` serializes, picks the partition, and appends to the accumulator synchronously when
 * metadata and memory are at hand; otherwise it waits, at most `maxBlockMs` (waiting.ts): for
 * memory or the first connection in one line with every later send, for a topic's metadata in
 * that topic's line (sends to other topics go on; per-partition order holds either way). The
 * Sender ships batches in the background. Every record's promise settles.
 *
 * With a `transactionalId` the TransactionManager (transaction-manager.ts) owns the transaction:
 * a send outside `beginTransaction()` … `commitTransaction()` is refused before anything is
 * appended, and the Sender asks the manager before each partition's first batch.
 */
import { EventEmitter } from 'node:events';
import { Cluster, type MetadataSnapshot, type TopicInfo } from '../network/cluster.js';
import { METRICS_REGISTRY, type MetricsRegistry, type MetricsSnapshot } from '../network/metrics.js';
import { backoffMs } from '../network/retry.js';
import type { Tracing } from '../network/tracing.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  BufferFullError,
  ConfigError,
  KafkaError,
  KafkawireError,
  kafkaError,
  TimeoutError,
  TransactionStateError,
} from '../protocol/errors.js';
import {
  RECORD_BATCH_OVERHEAD,
  type RecordHeaderInput,
  sizeOfRecordPayload,
  sizeOfRecordWithPayload,
} from '../protocol/records/layout.js';
import { Accumulator, type RecordMetadata, type RecordSink } from './accumulator.js';
import { BufferPool } from './buffer-pool.js';
import {
  type ProducerConfig,
  type ResolvedProducerConfig,
  resolveProducerConfig,
  type Serializer,
} from './config.js';
import { ProducerMetrics } from './metrics.js';
import { DefaultPartitioner, type Partitioner } from './partitioner.js';
import { Sender } from './sender.js';
import { ClusterTransactionChannel } from './transaction-channel.js';
import {
  type ConsumerGroupMetadata,
  TransactionManager,
  type TransactionOffset,
  type TransactionState,
} from './transaction-manager.js';
import {
  estimateRecordBytes,
  Fifo,
  type Pending,
  settleWithin,
  TopicLines,
  type WaitingRecord,
} from './waiting.js';

export type { RecordMetadata } from './accumulator.js';
export type { ConsumerGroupMetadata, TransactionOffset, TransactionState } from './transaction-manager.js';

/** A header value: bytes, a string (UTF-8) or null. */
export type HeaderValue = Buffer | string | null;

/** A record to send (Java: `ProducerRecord`). */
export interface ProducerRecord<K = Buffer | string | null, V = Buffer | string | null> {
  topic: string;
  /** Explicit partition; otherwise the partitioner decides. */
  partition?: number;
  key?: K;
  value: V;
  /** Headers as an object, or as a list when a key repeats or order matters. */
  headers?: Record<string, HeaderValue> | { key: string; value: HeaderValue }[];
  /** Milliseconds since the epoch; default now. */
  timestamp?: number;
}

const defaultSerializer: Serializer<unknown> = (data) => {
  if (data === null || data === undefined) return null;
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new ConfigError(
    'valueSerializer',
    `no serializer for a ${typeof data}; pass a Buffer or string, or configure keySerializer/valueSerializer`,
  );
};

/** JSON as UTF-8 bytes, for `keySerializer` / `valueSerializer`. */
export const jsonSerializer: Serializer<unknown> = (data) =>
  data === null ? null : Buffer.from(JSON.stringify(data), 'utf8');

/** Settles one send() of an array: resolves when all its records have, rejects on the first failure. */
class SendSink implements RecordSink {
  private results: RecordMetadata[];
  private remaining: number;
  private settled = false;
  constructor(
    count: number,
    private readonly onResolve: (v: RecordMetadata[]) => void,
    private readonly onReject: (err: Error) => void,
  ) {
    this.results = new Array(count);
    this.remaining = count;
  }
  resolve(index: number, md: RecordMetadata): void {
    if (this.settled) return;
    this.results[index] = md;
    if (--this.remaining === 0) {
      this.settled = true;
      this.onResolve(this.results);
    }
  }
  reject(_index: number, err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.onReject(err);
  }
}

/** Sends refused in one turn of the event loop at most. */
const REFUSE_SLICE = 1024;

let capturedResolve: (value: never) => void = () => {};
let capturedReject: (err: Error) => void = () => {};
/** The executor of every one-record send's promise: runs synchronously inside `new Promise`. */
function captureSettlers(resolve: (value: never) => void, reject: (err: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** The sink of a one-record send: no results array, settles once. */
class SingleSink implements RecordSink {
  private settled = false;
  constructor(
    private readonly onResolve: (v: RecordMetadata) => void,
    private readonly onReject: (err: Error) => void,
  ) {}
  resolve(_index: number, md: RecordMetadata): void {
    if (this.settled) return;
    this.settled = true;
    this.onResolve(md);
  }
  reject(_index: number, err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.onReject(err);
  }
}

/**
 * A Kafka producer. Idempotent by default (acks=all, enableIdempotence), like the Java client.
 *
 * Events: `'metadata'` (a new cluster snapshot), `'error'` (a background failure that belongs
 * to no single send, e.g. the broker refusing a producer id; only emitted when listened to),
 * `'drain'` (sends may go on: `needsDrain` was set and is clear again), `'batchExpired'`
 * (`{ topic, partition, records, error }`: a batch failed at `deliveryTimeoutMs`),
 * `'fatalError'` (the producer can send no more, e.g. its producer id was refused for good),
 * `'brokerReconnected'` (`{ broker, nodeId, failedAttempts }`), `'brokersUnreachable'` (once per
 * outage, with the error) and `'brokersReachable'` (with the outage's length in ms).
 */
export class Producer<K = Buffer | string | null, V = Buffer | string | null> extends EventEmitter {
  readonly config: ResolvedProducerConfig;
  private readonly cluster: Cluster;
  private readonly pool: BufferPool;
  private readonly acc: Accumulator;
  private readonly sender: Sender;
  private readonly partitioner: DefaultPartitioner;
  private readonly customPartitioner?: Partitioner;
  private readonly keySerializer: Serializer<K>;
  private readonly valueSerializer: Serializer<V>;
  /** Sends waiting for the first connection or for memory, in order (see waiting.ts). */
  private readonly waiting = new Fifo<Pending>();
  /** Sends waiting for a topic's metadata, a line per topic: the others go on meanwhile. */
  private readonly topicLines = new TopicLines();
  /** Estimated bytes of every waiting send; past bufferMemory a send is refused at once. */
  private waitingBytes = 0;
  /** A send waited in the main line since the last 'drain'. */
  private drainWanted = false;
  private drainWaiters: (() => void)[] = [];
  private fullError: BufferFullError | null = null;
  private draining = false;
  /** Bytes the last append that could not proceed needed from the pool (0: it needed metadata). */
  private memoryNeeded = 0;
  private connected: Promise<void> | null = null;
  /** connect() succeeded once (later failures are the Sender's to retry). */
  private isConnected = false;
  /** Failed connection attempts in a row while sends wait, and the last one's error. */
  private connectAttempts = 0;
  private lastConnectError: unknown = null;
  /** The transaction manager, with a `transactionalId`. */
  private readonly txn: TransactionManager | null = null;
  private closing = false;
  private closed: Promise<void> | null = null;
  private readonly producerMetrics: ProducerMetrics;

  constructor(config: ProducerConfig<K, V>) {
    super();
    this.config = resolveProducerConfig(config as ProducerConfig<never, never>);
    const c = this.config;
    this.producerMetrics = new ProducerMetrics(c.clientId, {
      bufferTotal: c.bufferMemory,
      bufferAvailable: () => this.pool.availableMemory,
      inFlight: () => this.sender.inFlight,
    });
    this.cluster = new Cluster({
      bootstrapServers: c.bootstrapServers,
      clientId: c.clientId,
      observer: this.producerMetrics.network,
      requestTimeoutMs: c.requestTimeoutMs + 5_000,
      metadataMaxAgeMs: c.metadataMaxAgeMs,
      connectTimeoutMs: c.connectTimeoutMs,
      reconnectBackoffMs: c.reconnectBackoffMs,
      reconnectBackoffMaxMs: c.reconnectBackoffMaxMs,
      tls: c.security.tls,
      authenticate: c.security.authenticate,
      log: c.log,
    });
    this.cluster.on('metadata', (md: MetadataSnapshot) => this.emit('metadata', md));
    this.pool = new BufferPool(c.bufferMemory, c.batchSize);
    this.acc = new Accumulator(
      // Idempotent: every batch gets its producer state (sender.ts assignSequence) and CRC at drain.
      { batchSize: c.batchSize, compression: c.compression, crcBySender: c.enableIdempotence },
      this.pool,
    );
    this.acc.onFinish = (bytes, uncompressed) => this.producerMetrics.batchFinished(bytes, uncompressed);
    this.sender = new Sender(this.cluster, this.acc, this.pool, c, this.producerMetrics);
    // Background failures go out through the cluster's repeat filter: while the cluster is away
    // the same failure comes back on every attempt, and it used to be emitted each time (361
    // 'error' events in 36 s); now once, then with a count (`repeated`). Regression test:
    // producer-outage.test.ts.
    this.sender.onError = (err) => this.cluster.reportBackground(err);
    this.sender.onExpired = (e) => this.emit('batchExpired', e);
    this.sender.onFatal = (err) => this.emit('fatalError', err);
    this.cluster.on('reconnected', (e: unknown) => this.emit('brokerReconnected', e));
    this.cluster.on('unreachable', (err: Error) => this.emit('brokersUnreachable', err));
    this.cluster.on('reachable', (downMs: number) => this.emit('brokersReachable', downMs));
    this.cluster.on('error', (err: Error) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
    this.partitioner = new DefaultPartitioner(c.batchSize);
    this.customPartitioner = config.partitioner;
    this.keySerializer = (config.keySerializer ?? defaultSerializer) as Serializer<K>;
    this.valueSerializer = (config.valueSerializer ?? defaultSerializer) as Serializer<V>;
    if (c.transactionalId !== null) {
      const backoff = { retryBackoffMs: c.retryBackoffMs, retryBackoffMaxMs: c.retryBackoffMaxMs };
      this.txn = new TransactionManager(
        {
          transactionalId: c.transactionalId,
          transactionTimeoutMs: c.transactionTimeoutMs,
          maxBlockMs: c.maxBlockMs,
          ...backoff,
        },
        new ClusterTransactionChannel(this.cluster, c.transactionalId, backoff),
        {
          flush: () => this.flush(),
          abortUnsent: (err) => this.abortUnsent(err),
          setProducerIdAndEpoch: (id, epoch) => this.sender.setProducerIdAndEpoch(id, epoch),
          wakeup: () => this.sender.wakeup(),
        },
      );
      this.sender.txn = this.txn;
    }
  }

  /** Connects to the cluster and, with idempotence, gets a producer id. Optional: send connects too. */
  connect(): Promise<void> {
    if (!this.connected) {
      this.connected = (async () => {
        await this.cluster.connect();
        await this.sender.init();
        this.isConnected = true;
      })();
      this.connected.catch(() => {
        this.connected = null;
      });
    }
    return this.connected;
  }

  /** Sends one record; resolves when the broker acknowledged it (per `acks`). */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata>;
  /** Sends records in order; resolves when all are acknowledged, rejects on the first failure. */
  send(records: readonly ProducerRecord<K, V>[]): Promise<RecordMetadata[]>;
  send(
    input: ProducerRecord<K, V> | readonly ProducerRecord<K, V>[],
  ): Promise<RecordMetadata | RecordMetadata[]> {
    if (this.closing) return Promise.reject(new KafkawireError('Producer is closed', false));
    if (this.txn) {
      // Outside a transaction nothing of the call is appended, not even part of an array.
      const refused = this.txn.sendError();
      if (refused) return Promise.reject(refused);
    }
    const tracing = this.config.tracing;
    if (tracing) return this.sendTraced(tracing, input as ProducerRecord<unknown, unknown>);
    return this.dispatch(input as ProducerRecord<unknown, unknown>);
  }

  /**
   * `send` with tracing on: a `send <topic>` span per record, its context in the record's headers
   * (tracing.ts), ended when the record is acknowledged or fails.
   */
  private sendTraced(
    tracing: Tracing,
    input: ProducerRecord<unknown, unknown> | readonly ProducerRecord<unknown, unknown>[],
  ): Promise<RecordMetadata | RecordMetadata[]> {
    const list = Array.isArray(input) ? input : [input as ProducerRecord<unknown, unknown>];
    const spans = list.map((r) => tracing.send(String(r?.topic), r?.partition));
    const traced = list.map((r, i) => withHeaders(r, spans[i].carrier));
    const sent = this.dispatch(Array.isArray(input) ? traced : traced[0]);
    sent.then(
      (md) => {
        const mds = Array.isArray(md) ? md : [md];
        for (let i = 0; i < mds.length; i++) spans[i].end(mds[i]);
      },
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        for (const span of spans) span.end(e);
      },
    );
    return sent;
  }

  private dispatch(
    input: ProducerRecord<unknown, unknown> | readonly ProducerRecord<unknown, unknown>[],
  ): Promise<RecordMetadata | RecordMetadata[]> {
    if (!Array.isArray(input)) return this.sendOne(input as ProducerRecord<unknown, unknown>);
    const records = input as readonly ProducerRecord<unknown, unknown>[];
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const sink = new SendSink(records.length, resolve, reject);
      const deadline = Date.now() + this.config.maxBlockMs;
      if (this.waiting.length === 0 && this.connected) {
        const at = this.appendSync(records, 0, sink);
        if (at === records.length) return;
        this.enqueue(records, at, sink, deadline);
      } else {
        this.enqueue(records, 0, sink, deadline);
      }
    });
  }

  /** `send(record)`: the common case, without the arrays a multi-record send needs. */
  private sendOne(record: ProducerRecord<unknown, unknown>): Promise<RecordMetadata> {
    // A shared executor hands out the promise's resolve and reject: no closure per send.
    const promise = new Promise<RecordMetadata>(captureSettlers);
    const sink = new SingleSink(capturedResolve as (md: RecordMetadata) => void, capturedReject);
    if (this.waiting.length === 0 && this.connected) {
      let appended: boolean;
      try {
        appended = this.appendOne(record, sink, 0, Date.now());
      } catch (err) {
        this.refuse(sink, 0, err);
        return promise;
      }
      if (appended) {
        this.sender.wakeup();
        return promise;
      }
    }
    this.enqueue([record], 0, sink, Date.now() + this.config.maxBlockMs);
    return promise;
  }

  /**
   * True while sends wait for buffer memory or the first connection, or while the sends waiting
   * for anything (a topic's metadata too) hold half of their budget (bufferMemory, estimated
   * bytes). A caller that applies backpressure waits for `drained()` (or the `'drain'` event)
   * whenever this is set after a send, as with a stream's `write()`; it then never sees a
   * BufferFullError.
   */
  get needsDrain(): boolean {
    return this.waiting.length > 0 || this.waitingBytes * 2 >= this.config.bufferMemory;
  }

  /**
   * Resolves once `needsDrain` is false (at once if it is; also when the producer closes). Every
   * waiting send has its maxBlockMs, so this settles by then at the latest.
   */
  drained(): Promise<void> {
    if (!this.needsDrain) return Promise.resolve();
    this.drainWanted = true;
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Puts a send (its records from `index` on) in the waiting line. What waits is bounded too:
   * past bufferMemory (estimated bytes) the send is refused at once with a BufferFullError. A
   * loop that never awaited used to queue millions of sends and gigabytes. Regression test:
   * producer-memory.test.ts.
   */
  private enqueue(
    records: readonly WaitingRecord[],
    index: number,
    sink: RecordSink,
    deadline: number,
  ): void {
    let bytes = 0;
    for (let i = index; i < records.length; i++) bytes += estimateRecordBytes(records[i]);
    const budget = this.config.bufferMemory;
    if (this.waitingBytes > 0 && this.waitingBytes + bytes > budget) {
      // The refusals of a run of them (until a send is taken again) share one error: a flood
      // refused by the hundred thousand would otherwise allocate a stack trace for each.
      this.fullError ??= new BufferFullError(
        `${this.waitingBytes} bytes of sends already wait for buffer memory or metadata (at most bufferMemory, ${budget} bytes, may wait): await producer.drained() or the 'drain' event before sending more`,
      );
      this.refuse(sink, index, this.fullError);
      return;
    }
    this.fullError = null;
    this.waitingBytes += bytes;
    this.waiting.push({ records, index, sink, deadline, bytes });
    this.drainWanted = true;
    void this.drainWaiting();
  }

  /** A send leaves the waiting lines (appended or refused): its bytes are free again. */
  private leave(p: Pending): void {
    this.waitingBytes -= p.bytes;
    p.bytes = 0;
    if (this.drainWanted) this.maybeDrained();
  }

  /** Once `needsDrain` is false again: resolves `drained()` callers and emits 'drain'. */
  private maybeDrained(): void {
    if (!this.drainWanted || this.needsDrain) return;
    this.drainWanted = false;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
    this.emit('drain');
  }

  /**
   * Refuses many waiting sends in slices, yielding to the event loop between them: rejecting
   * them all at once used to stall it for seconds.
   */
  private async refuseAll(pendings: readonly Pending[], err: Error, viaSinkOnly = false): Promise<void> {
    for (let i = 0; i < pendings.length; i++) {
      const p = pendings[i];
      if (viaSinkOnly) p.sink.reject(p.index, err);
      else this.refuse(p.sink, p.index, err);
      if (i % REFUSE_SLICE === REFUSE_SLICE - 1) await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * Appends records from `from` while metadata and memory are at hand. Returns the index of
   * the first record that has to wait. Records that fail (bad input) reject their sink.
   */
  private appendSync(
    records: readonly ProducerRecord<unknown, unknown>[],
    from: number,
    sink: RecordSink,
  ): number {
    const now = Date.now();
    let appended = false;
    let i = from;
    for (; i < records.length; i++) {
      const r = records[i];
      let result: boolean;
      try {
        result = this.appendOne(r, sink, i, now);
      } catch (err) {
        this.refuse(sink, i, err);
        continue;
      }
      if (!result) break;
      appended = true;
    }
    if (appended) this.sender.wakeup();
    return i;
  }

  /** One record into the accumulator; false when it must wait for metadata or memory. */
  private appendOne(
    r: ProducerRecord<unknown, unknown>,
    sink: RecordSink,
    index: number,
    now: number,
  ): boolean {
    if (r === null || typeof r !== 'object' || typeof r.topic !== 'string' || r.topic.length === 0) {
      throw new ConfigError('record.topic', 'every record needs a non-empty topic string');
    }
    // A KafkaJS-shaped call ({ topic, messages }) or a misspelt field used to be written as a
    // record with a null key and value. Regression test: producer-records.test.ts.
    checkRecordFields(r);
    // Behind sends already waiting for this topic's metadata (per-partition order).
    if (this.topicLines.has(r.topic)) return false;
    const topic = this.cluster.metadata.topics.get(r.topic);
    if (!topic || topic.errorCode !== ErrorCode.NONE || topic.partitions.length === 0) {
      this.cluster.addTopics([r.topic]);
      return false;
    }
    const key = this.keySerializer(r.key as K, r.topic);
    const value = this.valueSerializer(r.value as V, r.topic);
    const headers = r.headers === undefined ? null : toHeaders(r.headers);
    const timestamp = r.timestamp ?? now;
    if (!Number.isInteger(timestamp) || timestamp < 0) {
      throw new ConfigError(
        'record.timestamp',
        `expected a non-negative integer of milliseconds, got ${timestamp}`,
      );
    }
    const count = topic.partitions.length;
    // Key, value and headers are sized once; the batch adds its deltas' few bytes.
    const payload = sizeOfRecordPayload(key, value, headers);
    const recordBytes = sizeOfRecordWithPayload(0, 0, payload);
    let partition: number;
    if (r.partition !== undefined) {
      partition = r.partition;
      if (!Number.isInteger(partition) || partition < 0) {
        throw new ConfigError(
          'record.partition',
          `expected a non-negative integer, got ${String(partition)}`,
        );
      }
      // A partition past the topic's count as this metadata has it: the topic may just have
      // grown (a broker lists new partitions only once it has created their logs, many seconds
      // for thousands). Wait for metadata that has it, up to maxBlockMs, as Java's
      // waitOnMetadata does; this failed at once. Regression test: producer-waiting.test.ts.
      if (partition >= count) return false;
    } else {
      const available = availablePartitions(topic);
      partition = this.customPartitioner
        ? this.customPartitioner({
            topic: r.topic,
            key,
            value,
            partitionCount: count,
            availablePartitions: available,
          })
        : this.partitioner.partition(r.topic, key, count, available, recordBytes);
      if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
        throw new ConfigError('partitioner', `returned ${partition} for a topic of ${count} partitions`);
      }
    }
    if (RECORD_BATCH_OVERHEAD + recordBytes > this.config.maxRequestSize) {
      throw new KafkaError(
        ErrorCode.MESSAGE_TOO_LARGE,
        { topic: r.topic, partition },
        `the record is ${RECORD_BATCH_OVERHEAD + recordBytes} bytes in a batch, larger than maxRequestSize (${this.config.maxRequestSize})`,
      );
    }
    const q = this.acc.queue(r.topic, partition);
    if (this.acc.tryAppend(q, timestamp, key, value, headers, sink, index, payload)) return true;
    const batchBytes = Accumulator.batchBytesFor(recordBytes, this.config.batchSize);
    const size = Accumulator.reservationFor(batchBytes, this.pool.totalMemory);
    if (!this.pool.tryReserve(size)) {
      if (size > this.pool.totalMemory) {
        throw new KafkaError(
          ErrorCode.MESSAGE_TOO_LARGE,
          { topic: r.topic, partition },
          `the record needs ${size} bytes, more than bufferMemory (${this.pool.totalMemory})`,
        );
      }
      this.memoryNeeded = size;
      return false;
    }
    this.acc.appendToNewBatch(
      q,
      size,
      size > batchBytes,
      now,
      timestamp,
      key,
      value,
      headers,
      sink,
      index,
      payload,
    );
    return true;
  }

  /**
   * Gets the producer id of the `transactionalId` (Java: `initTransactions`): fences every older
   * producer with the same id and aborts its open transaction. Call once, before the first
   * transaction; a TimeoutError (after maxBlockMs) may be followed by another call, which waits
   * for the same attempt. Rejects with a TransactionFatalError when the broker refuses.
   */
  async initTransactions(): Promise<void> {
    const txn = this.transactional('initTransactions');
    await this.connect();
    await txn.initTransactions();
  }

  /** Opens a transaction (Java: `beginTransaction`); local, nothing is sent. */
  beginTransaction(): void {
    this.transactional('beginTransaction').beginTransaction();
  }

  /**
   * Adds a consumer group's offsets to the transaction (Java: `sendOffsetsToTransaction`): they
   * are committed if and only if the transaction is. `offsets` are the next offsets to read, and
   * `groupMetadata` comes from `consumer.groupMetadata()`, so that the group refuses the offsets
   * of a member it has fenced (KIP-447). Rejects with a TransactionAbortableError when the group
   * refused them (the consumer was fenced): abort the transaction.
   */
  async sendOffsetsToTransaction(
    offsets: readonly TransactionOffset[],
    groupMetadata: ConsumerGroupMetadata,
  ): Promise<void> {
    await this.transactional('sendOffsetsToTransaction').sendOffsetsToTransaction(offsets, groupMetadata);
  }

  /**
   * Sends every record of the transaction and commits it (Java: `commitTransaction`). Rejects with
   * a TransactionAbortableError when it cannot commit (a send failed, the coordinator aborted it
   * after transactionTimeoutMs: TransactionTimedOutError) — then call `abortTransaction()` — or
   * with a TransactionFatalError (ProducerFencedError: a newer producer has the
   * transactionalId) — then close. A TimeoutError after maxBlockMs may be followed by another
   * call, which waits for the same commit.
   */
  async commitTransaction(): Promise<void> {
    await this.transactional('commitTransaction').commitTransaction();
  }

  /**
   * Aborts the transaction (Java: `abortTransaction`): records not sent yet fail with a
   * TransactionAbortedError, those in flight are waited for, and the coordinator writes abort
   * markers, so read_committed consumers never see any record of it.
   */
  async abortTransaction(): Promise<void> {
    await this.transactional('abortTransaction').abortTransaction();
  }

  /** The transaction manager's state (e.g. 'ready', 'in-transaction'), or null without a transactionalId. */
  get transactionState(): TransactionState | null {
    return this.txn?.state ?? null;
  }

  private transactional(what: string): TransactionManager {
    if (!this.txn)
      throw new TransactionStateError(
        `${what}() needs a producer with a transactionalId`,
        'not transactional',
      );
    if (this.closing) throw new KafkawireError('Producer is closed', false);
    return this.txn;
  }

  /**
   * Fails a record before it reached the accumulator. Inside a transaction that makes the
   * transaction abortable, as in Java: committing without the record would lose it.
   */
  private refuse(sink: RecordSink, index: number, err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    this.txn?.onBatchFailed(e, false);
    sink.reject(index, e);
  }

  /** For an aborting transaction: fails what is not sent yet, then waits for what is in flight. */
  private async abortUnsent(err: Error): Promise<void> {
    await this.refuseAll(this.takeAllWaiting(), err, true);
    this.sender.failEverythingQueued(err);
    // In flight: a batch that comes back to be retried is failed by the Sender (queueError).
    await this.flush();
  }

  /** Works through sends that wait for metadata or memory, strictly in order. */
  private async drainWaiting(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    let turns = 0;
    try {
      while (this.waiting.length > 0) {
        // Sends refused one by one (deadlines passed together) settle in microtasks only:
        // yield now and then, so a long line never holds the event loop.
        if (++turns % REFUSE_SLICE === 0) await new Promise((r) => setImmediate(r));
        const head = this.waiting.peek() as Pending;
        if (!this.isConnected) {
          // One connection attempt serves every waiting send, and each waits for it only until
          // its own deadline (maxBlockMs from its send). Each used to run an attempt of its own,
          // in turn, so the Nth send rejected after N x connectTimeoutMs. Regression test:
          // producer-outage.test.ts, "one connection attempt".
          const outcome = await settleWithin(this.connect(), head.deadline - Date.now());
          if (outcome === 'timeout') {
            if (this.waiting.peek() === head)
              this.rejectWaiting(
                head,
                new TimeoutError(
                  `Not connected to the cluster within maxBlockMs (${this.config.maxBlockMs} ms)`,
                  {
                    cause: this.lastConnectError ?? undefined,
                  },
                ),
              );
            continue;
          }
          if (outcome !== 'ok') {
            const err = outcome.error;
            if (err instanceof KafkawireError && !err.retriable) {
              // One failed attempt answers every send waiting for it: a wrong password or
              // certificate would fail each of their own attempts the same way (a reconnect per
              // queued send was a storm of failed authentications; test "no retry storm" in
              // test/integration/security/authentication.suite.ts).
              await this.refuseAll(this.takeMainLine(), err);
              break;
            }
            // Retriable: the next attempt after a backoff (the connections back off themselves
            // too), unless the head's deadline comes first.
            this.lastConnectError = err;
            const wait = Math.min(
              backoffMs(this.connectAttempts++, this.config),
              Math.max(0, head.deadline - Date.now()),
            );
            await new Promise((r) => setTimeout(r, wait));
            if (Date.now() >= head.deadline && this.waiting.peek() === head) this.rejectWaiting(head, err);
            continue;
          }
          this.connectAttempts = 0;
        }
        if (this.waiting.peek() !== head) continue; // taken meanwhile (an aborted transaction)
        this.memoryNeeded = 0;
        head.index = this.appendSync(head.records, head.index, head.sink);
        if (head.index >= head.records.length) {
          this.waiting.shift();
          this.leave(head);
          continue;
        }
        if (this.memoryNeeded === 0) {
          // It waits for its topic's metadata: in that topic's line, while sends to known topics
          // go on. One send to a missing topic used to hold every later send for maxBlockMs.
          // Regression test: producer-waiting.test.ts.
          this.waiting.shift();
          const opened = this.topicLines.park(head);
          if (opened) void this.waitTopicLine(opened.topic, opened.line);
          continue;
        }
        try {
          // Take the memory now and give it back: the retry above then finds it free (the
          // pool serves waiters in order, so later sends cannot starve this one).
          const size = this.memoryNeeded;
          this.sender.wakeup();
          await this.pool.reserve(size, Math.max(0, head.deadline - Date.now()));
          this.pool.release(size);
        } catch (err) {
          if (this.waiting.peek() !== head) continue; // taken meanwhile (an aborted transaction)
          // This record cannot go out in time: fail it and go on with the next one.
          this.refuse(head.sink, head.index, err);
          head.index++;
          if (head.index >= head.records.length) {
            this.waiting.shift();
            this.leave(head);
          }
        }
      }
    } finally {
      this.draining = false;
      this.maybeDrained();
    }
  }

  /**
   * Waits for a topic's metadata on behalf of its line, each send by its own deadline. When the
   * topic is known, or its wait fails, the line goes back to the front of the main line, in order.
   */
  private async waitTopicLine(topic: string, line: Fifo<Pending>): Promise<void> {
    try {
      while (line.length > 0) {
        const head = line.peek() as Pending;
        const r = head.records[head.index];
        const partitions = r?.topic === topic && r.partition !== undefined ? r.partition + 1 : 1;
        try {
          await this.waitForTopic(topic, head.deadline, partitions);
          return;
        } catch (err) {
          if (line.peek() !== head) continue; // taken meanwhile (an aborted transaction, close)
          // Past its deadline only the head fails; a topic the broker refuses fails them all.
          const failing =
            err instanceof KafkaError && !err.retriable ? line.takeAll() : [line.shift() as Pending];
          const back: Pending[] = [];
          for (const p of failing) {
            while (p.index < p.records.length && p.records[p.index].topic === topic) {
              this.refuse(p.sink, p.index, err);
              p.index++;
            }
            if (p.index < p.records.length) back.push(p);
            else this.leave(p);
          }
          this.waiting.unshiftAll(back);
        }
      }
    } finally {
      this.waiting.unshiftAll(this.topicLines.close(topic, line));
      void this.drainWaiting();
    }
  }

  /** Every waiting send, out of every line (close, an aborted transaction). */
  private takeAllWaiting(): Pending[] {
    const parked = this.topicLines.takeAll();
    for (const p of parked) this.leave(p);
    return [...this.takeMainLine(), ...parked];
  }

  /** Every send of the main line (the topic lines stay). */
  private takeMainLine(): Pending[] {
    const all = this.waiting.takeAll();
    for (const p of all) this.leave(p);
    this.maybeDrained();
    return all;
  }

  private rejectWaiting(head: Pending, err: unknown): void {
    this.refuse(head.sink, head.index, err);
    this.waiting.shift();
    this.leave(head);
  }

  /**
   * Waits until metadata knows the topic with at least `partitions` partitions, as the Java
   * producer's `waitOnMetadata`, until `deadline`: a refresh that fails retriably (no broker
   * answered) is retried with backoff, a topic error that is not retriable (authorization) is
   * thrown at once.
   */
  private async waitForTopic(name: string, deadline: number, partitions = 1): Promise<void> {
    let last: unknown;
    let count = 0;
    for (let attempt = 0; ; attempt++) {
      const outcome = await settleWithin(this.cluster.refresh([name]), deadline - Date.now());
      if (outcome === 'ok') {
        const t = this.cluster.metadata.topics.get(name);
        if (t && t.errorCode === ErrorCode.NONE && t.partitions.length >= partitions) return;
        count = t?.partitions.length ?? 0;
        if (t && t.errorCode !== ErrorCode.NONE) {
          const err = kafkaError(t.errorCode, { topic: name });
          if (!err.retriable) throw err;
          last = err;
        }
      } else if (outcome !== 'timeout') {
        if (!(outcome.error instanceof KafkawireError) || !outcome.error.retriable) throw outcome.error;
        last = outcome.error;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const why = last instanceof KafkaError ? `: ${last.type}` : '';
        // Java's words: "Partition 5 of topic t with partition count 3 is not present in metadata".
        const what =
          count > 0 && partitions > count
            ? `Partition ${partitions - 1} of topic ${name} with partition count ${count}`
            : `Topic ${name}`;
        throw new TimeoutError(
          `${what} not present in metadata after maxBlockMs (${this.config.maxBlockMs} ms)${why}`,
          { cause: last },
        );
      }
      const wait = Math.min(this.config.retryBackoffMaxMs, this.config.retryBackoffMs * 2 ** attempt, left);
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /**
   * The producer's metrics under the Java client's names (`record-send-rate`,
   * `record-error-total`, `request-latency-avg`, `batch-size-avg`, `compression-rate-avg`,
   * `buffer-available-bytes`, `connection-count`, ...), read now. Rates and averages cover the
   * last 30 to 60 s, as Java's. Export them with `prometheusMetrics()` or
   * `registerOpenTelemetryMetrics()`.
   */
  metrics(): MetricsSnapshot {
    return this.producerMetrics.registry.snapshot();
  }

  /** @internal */
  [METRICS_REGISTRY](): MetricsRegistry {
    return this.producerMetrics.registry;
  }

  /** Sends every record appended so far now, and resolves when all are acknowledged or failed. */
  async flush(): Promise<void> {
    while (this.waiting.length > 0 || this.topicLines.size > 0) await new Promise((r) => setTimeout(r, 5));
    const batches = [...this.acc.incomplete];
    if (batches.length === 0) return;
    this.sender.flushing++;
    try {
      this.sender.wakeup();
      await Promise.all(
        batches.map(
          (b) =>
            new Promise<void>((resolve) => {
              if (!this.acc.incomplete.has(b)) return resolve();
              if (!b.doneWaiters) b.doneWaiters = [];
              b.doneWaiters.push(resolve);
            }),
        ),
      );
    } finally {
      this.sender.flushing--;
    }
  }

  /**
   * Flushes, then closes the connections. Records not acknowledged within `timeoutMs` fail
   * with a TimeoutError; later sends reject.
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closed ??= this.doClose(options.timeoutMs ?? 30_000);
    return this.closed;
  }

  private async doClose(timeoutMs: number): Promise<void> {
    this.closing = true;
    const deadline = Date.now() + timeoutMs;
    const txn = this.txn;
    if (txn && (txn.state === 'in-transaction' || txn.state === 'abortable-error')) {
      // As Java: a transaction still open when the producer closes is aborted, not committed.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        txn.abortTransaction().catch(() => {}),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    txn?.close();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    });
    const outcome = await Promise.race([this.flush().then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    const err = new TimeoutError(
      `Producer closed before the record was acknowledged (close timeout ${timeoutMs} ms)`,
    );
    if (outcome === 'timeout') {
      await this.refuseAll(this.takeAllWaiting(), err);
    }
    this.sender.close(err);
    this.pool.close(err);
    for (const b of [...this.acc.incomplete]) this.sender.fail(b, err);
    await this.cluster.close(Math.max(0, deadline - Date.now()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Partitions with a leader, computed once per metadata snapshot of the topic (not per record). */
const availableCache = new WeakMap<TopicInfo, number[]>();
function availablePartitions(topic: TopicInfo): number[] {
  let list = availableCache.get(topic);
  if (!list) {
    list = [];
    for (const p of topic.partitions) if (p && p.leader >= 0) list.push(p.partition);
    availableCache.set(topic, list);
  }
  return list;
}

function toHeaders(h: NonNullable<ProducerRecord['headers']>): RecordHeaderInput[] {
  const out: RecordHeaderInput[] = [];
  if (Array.isArray(h)) {
    for (const { key, value } of h) out.push({ key, value: headerBytes(key, value) });
  } else {
    for (const key of Object.keys(h))
      out.push({ key, value: headerBytes(key, (h as Record<string, HeaderValue>)[key]) });
  }
  return out;
}

function headerBytes(key: string, v: HeaderValue): Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (Buffer.isBuffer(v)) return v;
  throw new ConfigError('record.headers', `header ${key} must be a Buffer, string or null`);
}

/**
 * Refuses a record with a field a ProducerRecord does not have, or with `value` left out or
 * undefined (null is the tombstone): one allocation-free pass over its keys.
 */
function checkRecordFields(r: ProducerRecord<unknown, unknown>): void {
  for (const k in r) {
    switch (k) {
      case 'topic':
      case 'key':
      case 'value':
      case 'partition':
      case 'headers':
      case 'timestamp':
        continue;
      case 'messages':
        throw new ConfigError(
          'record.messages',
          "send() takes a record ({ topic, key, value }) or an array of them, not KafkaJS's { topic, messages }: pass the messages as records with their topic, or use the KafkaJS-compatible entry 'kafkawire/kafkajs'",
        );
      default:
        throw new ConfigError(
          `record.${k}`,
          'is not a field of a record: expected topic, key, value, partition, headers and timestamp',
        );
    }
  }
  if (r.value === undefined)
    throw new ConfigError(
      'record.value',
      'is missing: give the value, or null for a tombstone (a delete in a compacted topic)',
    );
}

/** The record with the trace context added to its headers (replacing any it carried). */
function withHeaders(
  r: ProducerRecord<unknown, unknown>,
  carrier: Record<string, string>,
): ProducerRecord<unknown, unknown> {
  if (r === null || typeof r !== 'object') return r;
  const names = Object.keys(carrier);
  if (names.length === 0) return r;
  const h = r.headers;
  if (Array.isArray(h)) {
    const kept = h.filter((x: { key: string }) => !names.includes(x?.key));
    return { ...r, headers: [...kept, ...names.map((key) => ({ key, value: carrier[key] }))] };
  }
  return { ...r, headers: { ...(h as Record<string, HeaderValue> | undefined), ...carrier } };
}
