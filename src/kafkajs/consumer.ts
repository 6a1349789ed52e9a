/**
 * KafkaJS's consumer on kafkawire's: `subscribe`, `run({ eachMessage | eachBatch })`, `stop`,
 * `commitOffsets`, `seek`, `pause`/`resume`, events.
 *
 * Owns the subscriptions and the lifecycle: `run()` makes a kafkawire Consumer and a Runner
 * (runner.ts: the loop, the handlers, the offsets), and returns once the group assigned
 * partitions. A run that fails as KafkaJS's would crash (the handler keeps failing, a
 * non-retriable error) is closed, reported with the CRASH event and, when KafkaJS would,
 * restarted after the retry time with a new kafkawire Consumer: KafkaJS's `onCrash` and
 * `retry.restartOnFailure`.
 */
import type { ConsumerConfig as NativeConsumerConfig } from '../consumer/config.js';
import { Consumer } from '../consumer/consumer.js';
import type { Assignor } from '../group/assignors/assignor.js';
import {
  type KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  toKafkaJSError,
} from './errors.js';
import {
  type ConsumerEvents,
  consumerEvents,
  Instrumentation,
  type InstrumentationEvent,
  type RemoveInstrumentationEventListener,
} from './events.js';
import { type ClientContext, requestMetadata } from './kafka.js';
import { type Logger, nativeLogging } from './logger.js';
import { parseOffset } from './messages.js';
import { type PartitionAssigner, PartitionAssigners } from './partitioners.js';
import { Runner } from './runner.js';
import type {
  ConsumerRunConfig,
  ConsumerSubscribeTopics,
  RetryOptions,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
  TopicPartitions,
} from './types.js';

/** Options of `kafka.consumer()` (KafkaJS: `ConsumerConfig`); see the migration guide. */
export interface ConsumerConfig {
  groupId: string;
  /** Default `[PartitionAssigners.roundRobin]`; kafkawire assignors are accepted too. */
  partitionAssigners?: (PartitionAssigner | Assignor)[];
  /** kafkawire's `metadataMaxAgeMs`. Default 300000. */
  metadataMaxAge?: number;
  /** kafkawire's `sessionTimeoutMs`. Default 30000. */
  sessionTimeout?: number;
  /** kafkawire's `maxPollIntervalMs` (the JoinGroup rebalance timeout). Default: kafkawire's 300000. */
  rebalanceTimeout?: number;
  /** kafkawire's `heartbeatIntervalMs`. Default 3000. */
  heartbeatInterval?: number;
  /** kafkawire's `maxPartitionFetchBytes`. Default 1048576. */
  maxBytesPerPartition?: number;
  /** kafkawire's `fetchMinBytes`. Default 1. */
  minBytes?: number;
  /** kafkawire's `fetchMaxBytes`. Default 10485760. */
  maxBytes?: number;
  /** kafkawire's `fetchMaxWaitMs`. Default: kafkawire's 500 (KafkaJS: 5000). */
  maxWaitTimeInMs?: number;
  retry?: RetryOptions;
  /** Create subscribed topics that do not exist (if the broker allows it). Default true. */
  allowAutoTopicCreation?: boolean;
  /** Accepted and ignored: kafkawire keeps one fetch per broker in flight. */
  maxInFlightRequests?: number;
  /** Read aborted transactional messages too (`isolationLevel: 'read_uncommitted'`). Default false. */
  readUncommitted?: boolean;
  /** Accepted and ignored: kafkawire always fetches from the leader. */
  rackId?: string;
}

const KNOWN = new Set([
  'groupId',
  'partitionAssigners',
  'metadataMaxAge',
  'sessionTimeout',
  'rebalanceTimeout',
  'heartbeatInterval',
  'maxBytesPerPartition',
  'minBytes',
  'maxBytes',
  'maxWaitTimeInMs',
  'retry',
  'allowAutoTopicCreation',
  'maxInFlightRequests',
  'readUncommitted',
  'rackId',
]);

const NOT_RUNNING = 'Consumer group was not initialized, consumer#run must be called first';

/** A consumer in KafkaJS's shape (KafkaJS: `Consumer`). Made by `kafka.consumer({ groupId })`. */
export class KafkaJSConsumer {
  /**
   * Names of the events `on()` accepts. Emitted: CONNECT, DISCONNECT, STOP, CRASH, GROUP_JOIN,
   * REBALANCING, FETCH_START, FETCH, START_BATCH_PROCESS, END_BATCH_PROCESS, COMMIT_OFFSETS.
   * HEARTBEAT and the network events are accepted but not emitted.
   */
  readonly events: ConsumerEvents = consumerEvents;
  private readonly ctx: ClientContext;
  private readonly config: ConsumerConfig;
  private readonly retry: RetryOptions;
  private readonly log: Logger;
  private readonly instrumentation: Instrumentation;
  /** Subscribed topic → fromBeginning. */
  private readonly topics = new Map<string, boolean>();
  private brokers: string[] | null = null;
  private runConfig: ConsumerRunConfig | null = null;
  private runner: Runner | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;

  /** @internal Made by `Kafka.consumer()`. */
  constructor(ctx: ClientContext, config: ConsumerConfig) {
    if (
      config === null ||
      typeof config !== 'object' ||
      typeof config.groupId !== 'string' ||
      config.groupId === ''
    ) {
      throw new KafkaJSNonRetriableError('Consumer groupId must be a non-empty string.');
    }
    for (const key of Object.keys(config)) {
      if (!KNOWN.has(key)) throw new KafkaJSNonRetriableError(`Unknown consumer option "${key}"`);
    }
    const session = config.sessionTimeout ?? 30_000;
    const heartbeat = config.heartbeatInterval ?? 3_000;
    if (heartbeat >= session) {
      throw new KafkaJSNonRetriableError(
        `Consumer heartbeatInterval (${heartbeat}) must be lower than sessionTimeout (${session}). It is recommended to set heartbeatInterval to approximately a third of the sessionTimeout.`,
      );
    }
    this.ctx = ctx;
    this.config = config;
    this.retry = { ...ctx.retry, ...(config.retry ?? {}) };
    this.log = ctx.logger.namespace('Consumer');
    this.instrumentation = new Instrumentation(consumerEvents, this.log);
    if (config.rackId)
      this.log.warn('rackId is ignored: kafkawire fetches from partition leaders', {
        groupId: config.groupId,
      });
  }

  /** Resolves the brokers and checks that one answers. */
  async connect(): Promise<void> {
    this.brokers = await this.ctx.brokers();
    await requestMetadata(this.ctx, [], false);
    this.instrumentation.emit(consumerEvents.CONNECT);
  }

  /** Stops consuming (see `stop`) and disconnects. */
  async disconnect(): Promise<void> {
    await this.stop();
    this.instrumentation.emit(consumerEvents.DISCONNECT);
  }

  /**
   * Adds topics (names or regular expressions, matched against the topics that exist now) to
   * the subscription. `fromBeginning` decides where a partition without a committed offset
   * starts: the earliest offset (true) or the latest (false, the default).
   */
  async subscribe(subscription: ConsumerSubscribeTopics): Promise<void> {
    if (this.runConfig)
      throw new KafkaJSNonRetriableError('Cannot subscribe to topic while consumer is running');
    const { topic, topics, fromBeginning = false } = subscription ?? {};
    if (!topic && !topics) throw new KafkaJSNonRetriableError('Missing required argument "topics"');
    if (topics != null && !Array.isArray(topics))
      throw new KafkaJSNonRetriableError('Argument "topics" must be an array');
    const wanted = topics ?? [topic as string | RegExp];
    for (const t of wanted) {
      if (typeof t !== 'string' && !(t instanceof RegExp)) {
        throw new KafkaJSNonRetriableError(
          `Invalid topic ${String(t)} (${typeof t}), the topic name has to be a String or a RegExp`,
        );
      }
    }
    const names = wanted.filter((t): t is string => typeof t === 'string');
    const patterns = wanted.filter((t): t is RegExp => t instanceof RegExp);
    if (patterns.length > 0) {
      const md = await requestMetadata(this.ctx, null, false);
      for (const t of md.topics) {
        if (t.name && !t.isInternal && patterns.some((re) => re.test(t.name as string))) names.push(t.name);
      }
    }
    if (this.config.allowAutoTopicCreation !== false && names.length > 0) {
      await requestMetadata(this.ctx, names, true);
    }
    for (const t of names) this.topics.set(t, fromBeginning);
  }

  /**
   * Starts consuming: joins the group and calls `eachMessage` (or `eachBatch`) for what the
   * subscribed partitions hold, in order per partition. Resolves once the group assigned this
   * consumer its partitions; consuming goes on until `stop()` or `disconnect()`.
   */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    if (this.runConfig) {
      this.log.warn('consumer#run was called, but the consumer is already running', {
        groupId: this.config.groupId,
      });
      return;
    }
    if (!config.eachMessage && !config.eachBatch) {
      throw new KafkaJSNonRetriableError('Consumer run needs eachMessage or eachBatch');
    }
    if (this.topics.size === 0)
      throw new KafkaJSNonRetriableError('Subscribe to at least one topic before run()');
    this.brokers ??= await this.ctx.brokers();
    this.runConfig = config;
    try {
      await this.start();
    } catch (err) {
      this.runConfig = null;
      throw toKafkaJSError(err);
    }
  }

  /** Stops after the message (or batch) being handled, commits what was handled, leaves the group. */
  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.restartTimer) clearTimeout(this.restartTimer);
      this.restartTimer = null;
      const runner = this.runner;
      this.runner = null;
      const wasRunning = this.runConfig !== null;
      this.runConfig = null;
      await runner?.stop();
      if (wasRunning) {
        this.instrumentation.emit(consumerEvents.STOP);
        this.log.info('Stopped', { groupId: this.config.groupId });
      }
    })().finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  /** Commits these offsets (each the next message to read), whatever was handled. */
  async commitOffsets(topicPartitions: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    await this.active().commitOffsets(topicPartitions);
  }

  /** Reads the partition from `offset` next; with autoCommit the offset is committed too. */
  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    const o = parseOffset(offset);
    if (o === null)
      throw new KafkaJSNonRetriableError(`Invalid offset ${String(offset)}: expected a non-negative integer`);
    if (typeof topic !== 'string' || !Number.isInteger(partition)) {
      throw new KafkaJSNonRetriableError('seek needs { topic, partition, offset }');
    }
    this.active().seek(topic, partition, o);
  }

  /** Stops fetching from topics (or some of their partitions) until `resume`. */
  pause(topics: { topic: string; partitions?: number[] }[]): void {
    this.active().pause(topics);
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    this.active().resume(topics);
  }

  /** The paused partitions, by topic. */
  paused(): TopicPartitions[] {
    return this.runner?.paused() ?? [];
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

  private active(): Runner {
    if (!this.runner || !this.runConfig) throw new KafkaJSNonRetriableError(NOT_RUNNING);
    return this.runner;
  }

  private async start(): Promise<void> {
    const runConfig = this.runConfig;
    if (!runConfig) return;
    this.log.info('Starting', { groupId: this.config.groupId });
    const early = [...this.topics].filter(([, fb]) => fb).map(([t]) => t);
    const allEarly = early.length === this.topics.size;
    const native = new Consumer(this.nativeConfig(early.length > 0 && allEarly ? 'earliest' : 'latest'));
    const runner = new Runner({
      native,
      groupId: this.config.groupId,
      run: runConfig,
      retry: this.retry,
      log: this.log,
      instrumentation: this.instrumentation,
      fromBeginning: early.length > 0 && !allEarly ? new Set(early) : null,
      startTimeoutMs: (this.config.rebalanceTimeout ?? 60_000) + (this.ctx.requestTimeoutMs ?? 30_000),
    });
    native.subscribe([...this.topics.keys()], runner.listener);
    this.runner = runner;
    void runner.done.then((err) => {
      if (err && this.runner === runner) void this.crashed(runner, err);
    });
    await runner.whenStarted();
  }

  /** KafkaJS's onCrash: close, tell, and restart when the failure was retriable. */
  private async crashed(runner: Runner, e: Error): Promise<void> {
    this.log.error(`Crash: ${e.name}: ${e.message}`, {
      groupId: this.config.groupId,
      retryCount: (e as KafkaJSNumberOfRetriesExceeded).retryCount,
      stack: e.stack,
    });
    await runner.close().catch(() => {});
    if (this.runner !== runner) return; // stopped meanwhile
    this.runner = null;
    let cause: unknown = e;
    while (cause instanceof Error && cause.cause !== undefined) cause = cause.cause;
    const retriable =
      e instanceof KafkaJSNumberOfRetriesExceeded || (cause as KafkaJSError)?.retriable === true;
    let restart = retriable;
    if (retriable && this.retry.restartOnFailure) {
      restart = await this.retry.restartOnFailure(e).catch((err: unknown) => {
        this.log.error(
          'Caught error when invoking user-provided "restartOnFailure" callback. Defaulting to restarting.',
          {
            error: (err as Error)?.message ?? String(err),
            groupId: this.config.groupId,
          },
        );
        return true;
      });
    }
    this.instrumentation.emit(consumerEvents.CRASH, { error: e, groupId: this.config.groupId, restart });
    if (!restart || !this.runConfig) {
      this.runConfig = null;
      return;
    }
    const retryTime = (e as KafkaJSNumberOfRetriesExceeded).retryTime || this.retry.initialRetryTime || 300;
    this.log.error(`Restarting the consumer in ${retryTime}ms`, { groupId: this.config.groupId });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start().catch((err: unknown) => void this.crashedBeforeStart(err));
    }, retryTime);
  }

  private crashedBeforeStart(err: unknown): void {
    this.log.error(`Could not restart the consumer: ${(err as Error)?.message ?? String(err)}`, {
      groupId: this.config.groupId,
    });
    this.instrumentation.emit(consumerEvents.CRASH, {
      error: toKafkaJSError(err),
      groupId: this.config.groupId,
      restart: false,
    });
    this.runConfig = null;
  }

  private nativeConfig(autoOffsetReset: 'earliest' | 'latest'): NativeConsumerConfig {
    const c = this.config;
    const assignors = (c.partitionAssigners ?? [PartitionAssigners.roundRobin]).map((a) => {
      if (typeof a === 'function' && 'assignor' in a) return a.assignor;
      if (a && typeof a === 'object' && typeof (a as Assignor).assign === 'function') return a as Assignor;
      throw new KafkaJSNonRetriableError(
        'partitionAssigners: only PartitionAssigners.roundRobin and kafkawire assignors (RangeAssignor, RoundRobinAssignor, CooperativeStickyAssignor) are supported',
      );
    });
    const retry = this.retry;
    const native: NativeConsumerConfig = {
      ...this.ctx.security,
      ...nativeLogging(this.log),
      bootstrapServers: this.brokers ?? [],
      clientId: this.ctx.clientId,
      groupId: c.groupId,
      autoOffsetReset,
      enableAutoCommit: false,
      isolationLevel: c.readUncommitted ? 'read_uncommitted' : 'read_committed',
      sessionTimeoutMs: c.sessionTimeout ?? 30_000,
      heartbeatIntervalMs: c.heartbeatInterval ?? 3_000,
      maxPartitionFetchBytes: c.maxBytesPerPartition ?? 1_048_576,
      fetchMinBytes: c.minBytes ?? 1,
      fetchMaxBytes: c.maxBytes ?? 10_485_760,
      fetchMaxWaitMs: c.maxWaitTimeInMs ?? 500,
      maxPollRecords: 2_000,
      retryBackoffMs: retry.initialRetryTime ?? 300,
      retryBackoffMaxMs: Math.max(retry.maxRetryTime ?? 30_000, retry.initialRetryTime ?? 300),
      partitionAssignmentStrategy: assignors,
    };
    if (c.rebalanceTimeout !== undefined) native.maxPollIntervalMs = c.rebalanceTimeout;
    if (c.metadataMaxAge !== undefined) native.metadataMaxAgeMs = c.metadataMaxAge;
    if (this.ctx.requestTimeoutMs !== undefined) native.requestTimeoutMs = this.ctx.requestTimeoutMs;
    if (this.ctx.connectTimeoutMs !== undefined) native.connectTimeoutMs = this.ctx.connectTimeoutMs;
    return native;
  }
}
