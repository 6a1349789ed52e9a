/**
 * Admin: topics, configs, cluster, consumer groups and offsets, transactions (Java: `Admin`).
 *
 * Each call goes to the broker that can answer it — topic and config changes to any broker
 * (KRaft brokers forward them to the controller), offsets and deletions to the partition
 * leaders, group calls to the group's coordinator — and is retried on retriable errors after a
 * metadata refresh. Calls over several topics, partitions or groups report failures per item
 * (an `error` field) instead of failing the whole call; single-item helpers throw.
 *
 * Deadlines, one rule: every call (each public method but connect and close) settles within
 * `defaultApiTimeoutMs` (Java: `default.api.timeout.ms`), every step of it sharing that one
 * deadline (AsyncLocalStorage `callDeadline`); past it the call rejects with a TimeoutError
 * whose cause is the last retriable failure. Each request within is bounded by requestTimeoutMs.
 * `connect()` makes one attempt and fails at once when no broker answers, as the producer's.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Cluster, type ClusterOptions } from '../network/cluster.js';
import {
  intOption,
  RECONNECT_OPTIONS,
  reconnectOptions,
  rejectUnknownOptions,
  stringOption,
} from '../network/config.js';
import { findGroupCoordinator } from '../network/coordinator.js';
import { clientLog, LOGGING_OPTIONS, type LoggingConfig } from '../network/logger.js';
import {
  METRICS_REGISTRY,
  MetricsRegistry,
  type MetricsSnapshot,
  NetworkMetrics,
} from '../network/metrics.js';
import { lookupOffsets } from '../network/offsets.js';
import { backoffMs, shouldRetry } from '../network/retry.js';
import { resolveSecurity, SECURITY_OPTIONS, type SecurityConfig } from '../network/security.js';
import { apiName } from '../protocol/api-keys.js';
import {
  AlterConfigOp,
  ConfigResourceType,
  CreatePartitions,
  CreateTopics,
  DeleteGroups,
  DeleteRecords,
  DeleteTopics,
  DescribeCluster,
  DescribeConfigs,
  DescribeGroups,
  IncrementalAlterConfigs,
  ListGroups,
  OffsetCommit,
  OffsetFetch,
} from '../protocol/apis/index.js';
import { decodeAssignment } from '../protocol/consumer-protocol.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  ConfigError,
  type ErrorContext,
  KafkaError,
  KafkawireError,
  kafkaError,
  TimeoutError,
} from '../protocol/errors.js';
import {
  type AclBinding,
  type AclBindingFilter,
  type AclCreateResult,
  type AclDeleteResult,
  createAcls,
  deleteAcls,
  describeAcls,
} from './acls.js';
import { checkNewTopics, checkPartitionCounts, checkTopicNames } from './arguments.js';
import { type ConsumerGroupDescription, describeConsumerGroups } from './consumer-groups.js';
import {
  describeShareGroups,
  type ShareGroupDescription,
  type ShareGroupPartitionOffset,
  shareGroupOffsets,
} from './share-groups.js';
import {
  describeTransactions,
  type FencedProducer,
  fenceProducers,
  type ListTransactionsOptions,
  listTransactions,
  type TransactionDescription,
  type TransactionListing,
} from './transactions.js';

export type {
  FencedProducer,
  ListTransactionsOptions,
  TransactionDescription,
  TransactionListing,
} from './transactions.js';

import { partitionKey } from '../network/topic-partition.js';

export interface AdminConfig
  extends SecurityConfig,
    LoggingConfig,
    Pick<ClusterOptions, 'connectTimeoutMs' | 'reconnectBackoffMs' | 'reconnectBackoffMaxMs'> {
  /** Java: `bootstrap.servers`. */
  bootstrapServers: string | string[];
  /** Java: `client.id`. Default `kafkawire-admin`. */
  clientId?: string;
  /** Java: `request.timeout.ms` (also the broker-side timeout of topic operations). Default 30000. */
  requestTimeoutMs?: number;
  /**
   * Java: `default.api.timeout.ms`: what one admin call may take in all, retries included
   * (an unreachable cluster is retried with backoff until then). Default 60000; never below
   * requestTimeoutMs (raised to it, as Java does).
   */
  defaultApiTimeoutMs?: number;
  /** Java: `retry.backoff.ms`. Default 100. */
  retryBackoffMs?: number;
  /** Java: `retry.backoff.max.ms`. Default 1000. */
  retryBackoffMaxMs?: number;
}

export interface NewTopic {
  name: string;
  /** Default: the broker's `num.partitions`. */
  numPartitions?: number;
  /** Default: the broker's `default.replication.factor`. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface TopicResult {
  name: string;
  error: KafkaError | null;
}

export interface PartitionDescription {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicDescription extends TopicResult {
  topicId: string;
  isInternal: boolean;
  partitions: PartitionDescription[];
}

/** A config resource: a topic, a broker (its id), or a group (e.g. `share.auto.offset.reset` of a share group). */
export type ConfigResource = { type: 'topic' | 'broker' | 'group'; name: string };

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isSensitive: boolean;
  /** See `ConfigSource` (e.g. 1 topic config, 5 default). */
  source: number;
}

export interface ConfigOp {
  name: string;
  op: 'set' | 'delete' | 'append' | 'subtract';
  value?: string;
}

export interface GroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  assignment: { topic: string; partition: number }[];
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMemberDescription[];
  error: KafkaError | null;
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Committed offset, or -1n when the group has none for the partition. */
  committed: bigint;
  logEndOffset: bigint;
  /** logEndOffset - committed (logEndOffset - logStartOffset... counted from 0 without a commit). */
  lag: bigint;
}

export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number } | { offset: bigint | number };

const INT32_MAX = 2147483647;

/** The deadline of the admin call in progress, and its last retriable failure. */
interface CallDeadline {
  deadline: number;
  last?: unknown;
}
const callDeadline = new AsyncLocalStorage<CallDeadline>();

/** What an admin call that ran out of defaultApiTimeoutMs rejects with. */
function callTimeout(ms: number, last: unknown): TimeoutError {
  const why = last instanceof Error ? `; last: ${last.message}` : '';
  return new TimeoutError(`Admin call did not complete within defaultApiTimeoutMs (${ms} ms)${why}`, {
    cause: last,
  });
}

/** Every option of AdminConfig, for the unknown-option check. */
export const ADMIN_OPTIONS = [
  'bootstrapServers',
  'clientId',
  'requestTimeoutMs',
  'defaultApiTimeoutMs',
  'retryBackoffMs',
  'retryBackoffMaxMs',
  'connectTimeoutMs',
  ...RECONNECT_OPTIONS,
  ...SECURITY_OPTIONS,
  ...LOGGING_OPTIONS,
] as const;

const CONFIG_OP = {
  set: AlterConfigOp.set,
  delete: AlterConfigOp.delete,
  append: AlterConfigOp.append,
  subtract: AlterConfigOp.subtract,
};

/**
 * The admin client (Java: `Admin`): topics, configs, the cluster, consumer groups and their
 * offsets, records. Calls over several items (topics, groups) report an error per item
 * instead of throwing for the first; calls are retried on retriable errors until
 * `defaultApiTimeoutMs`, one deadline per call. AsyncDisposable.
 *
 * @example
 * ```ts
 * const admin = new Admin({ bootstrapServers: 'localhost:9092' });
 * const [created] = await admin.createTopics([{ name: 'orders', numPartitions: 6 }]);
 * if (created.error && created.error.type !== 'TOPIC_ALREADY_EXISTS') throw created.error;
 * console.log(await admin.groupLag('billing'));
 * await admin.close();
 * ```
 */
export class Admin {
  private readonly cluster: Cluster;
  private readonly adminMetrics: MetricsRegistry;
  private readonly timeoutMs: number;
  private readonly apiTimeoutMs: number;
  private readonly backoff: { retryBackoffMs: number; retryBackoffMaxMs: number };

  constructor(config: AdminConfig) {
    if (config === null || typeof config !== 'object' || config.bootstrapServers === undefined) {
      throw new ConfigError('bootstrapServers', 'is required');
    }
    rejectUnknownOptions(config, ADMIN_OPTIONS, 'admin');
    this.timeoutMs = intOption('requestTimeoutMs', config.requestTimeoutMs, 30_000, 1, INT32_MAX);
    this.apiTimeoutMs = Math.max(
      this.timeoutMs,
      intOption('defaultApiTimeoutMs', config.defaultApiTimeoutMs, 60_000, 1, INT32_MAX),
    );
    const retryBackoffMs = intOption('retryBackoffMs', config.retryBackoffMs, 100, 0, INT32_MAX);
    this.backoff = {
      retryBackoffMs,
      retryBackoffMaxMs: Math.max(
        retryBackoffMs,
        intOption('retryBackoffMaxMs', config.retryBackoffMaxMs, 1000, 0, INT32_MAX),
      ),
    };
    const security = resolveSecurity(config);
    const clientId = stringOption('clientId', config.clientId, 'kafkawire-admin') ?? 'kafkawire-admin';
    this.adminMetrics = new MetricsRegistry(clientId);
    this.cluster = new Cluster({
      bootstrapServers: config.bootstrapServers,
      clientId,
      observer: new NetworkMetrics(this.adminMetrics, 'admin-client-metrics'),
      requestTimeoutMs: this.timeoutMs + 5_000,
      connectTimeoutMs:
        config.connectTimeoutMs === undefined
          ? undefined
          : intOption('connectTimeoutMs', config.connectTimeoutMs, 10_000, 1, INT32_MAX),
      ...reconnectOptions(config),
      tls: security.tls,
      authenticate: security.authenticate,
      log: clientLog(config, 'admin', clientId),
    });
  }

  /** Connects to the cluster. Optional: every call connects. */
  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  /**
   * The admin client's metrics under the Java client's names (`request-rate`,
   * `request-latency-avg`, `connection-count`, ...), read now.
   */
  metrics(): MetricsSnapshot {
    return this.adminMetrics.snapshot();
  }

  /** @internal */
  [METRICS_REGISTRY](): MetricsRegistry {
    return this.adminMetrics;
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.cluster.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Runs `fn` again on retriable errors (refreshing metadata when they say so) until the call's
   * deadline (see the file header); outside a call, for defaultApiTimeoutMs.
   */
  private async retry<T>(fn: () => Promise<T>): Promise<T> {
    const call = callDeadline.getStore();
    const deadline = call?.deadline ?? Date.now() + this.apiTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const d = shouldRetry(err);
        this.cluster.reportError(err);
        if (!d.retry) throw err;
        const left = deadline - Date.now();
        if (left <= 0) throw callTimeout(this.apiTimeoutMs, err);
        if (call) call.last = err;
        if (d.refreshMetadata) await this.cluster.refresh().catch(() => {});
        await new Promise((r) => setTimeout(r, Math.min(backoffMs(attempt, this.backoff), left)));
      }
    }
  }

  /**
   * Runs one public call under its deadline: nested calls (groupLag's groupOffsets) share the
   * outer one. Past it the call rejects with a TimeoutError; what still runs stops retrying
   * at the same deadline. Applied to every public call below the class (TIMED_CALLS).
   */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: called by the TIMED_CALLS wrappers below the class
  private within<T>(fn: () => Promise<T>): Promise<T> {
    if (callDeadline.getStore() !== undefined) return fn();
    const call: CallDeadline = { deadline: Date.now() + this.apiTimeoutMs };
    const work = callDeadline.run(call, fn);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        work.catch(() => {}); // settles later, unobserved: its retries end at the same deadline
        reject(callTimeout(this.apiTimeoutMs, call.last));
      }, this.apiTimeoutMs);
      work.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  // ---- topics

  /** Creates topics; each result carries its own error (TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR, ...). */
  async createTopics(topics: NewTopic[], options: { validateOnly?: boolean } = {}): Promise<TopicResult[]> {
    checkNewTopics(topics);
    const res = await this.retry(async () =>
      (await this.cluster.anyConnection()).send(CreateTopics, {
        topics: topics.map((t) => ({
          name: t.name,
          numPartitions: t.numPartitions ?? -1,
          replicationFactor: t.replicationFactor ?? -1,
          configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
        timeoutMs: this.timeoutMs,
        validateOnly: options.validateOnly ?? false,
      }),
    );
    // Brokers may answer in another order than asked: match results by name.
    const byName = new Map(res.topics.map((t) => [t.name, t]));
    return topics.map(({ name }) => {
      const t = byName.get(name);
      return { name, error: t ? errorOf(t.errorCode, { topic: name }, t.errorMessage) : missing(name) };
    });
  }

  /** Deletes topics by name; each result carries its own error. */
  async deleteTopics(names: string[]): Promise<TopicResult[]> {
    checkTopicNames(names);
    const res = await this.retry(async () =>
      (await this.cluster.anyConnection()).send(DeleteTopics, {
        topicNames: names,
        topics: names.map((name) => ({ name })),
        timeoutMs: this.timeoutMs,
      }),
    );
    // Brokers may answer in another order than asked: match results by name.
    const byName = new Map(res.responses.map((t) => [t.name ?? '', t]));
    return names.map((name) => {
      const t = byName.get(name);
      return {
        name,
        error: t ? errorOf(t.errorCode, { topic: name }, t.errorMessage) : missing(name),
      };
    });
  }

  /** Topic names, sorted; internal topics only when asked. */
  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    this.cluster.watchAllTopics();
    const md = await this.retry(() => this.cluster.refresh());
    return [...md.topics.values()]
      .filter((t) => t.errorCode === ErrorCode.NONE && (options.includeInternal || !t.isInternal))
      .map((t) => t.name)
      .sort();
  }

  /** Partitions, leaders, replicas, ISR and topic id of each topic. */
  async describeTopics(names: string[]): Promise<TopicDescription[]> {
    checkTopicNames(names);
    const md = await this.retry(() => this.cluster.refresh(names));
    return names.map((name) => {
      const t = md.topics.get(name);
      if (!t || t.errorCode !== ErrorCode.NONE) {
        return {
          name,
          error: kafkaError(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { topic: name }),
          topicId: '',
          isInternal: false,
          partitions: [],
        };
      }
      return {
        name,
        error: null,
        topicId: t.topicId,
        isInternal: t.isInternal,
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
        })),
      };
    });
  }

  /** Grows topics to a new partition count. */
  async createPartitions(
    counts: Record<string, number>,
    options: { validateOnly?: boolean } = {},
  ): Promise<TopicResult[]> {
    checkPartitionCounts(counts);
    const res = await this.retry(async () =>
      (await this.cluster.anyConnection()).send(CreatePartitions, {
        topics: Object.entries(counts).map(([name, count]) => ({ name, count })),
        timeoutMs: this.timeoutMs,
        validateOnly: options.validateOnly ?? false,
      }),
    );
    const byName = new Map(res.results.map((r) => [r.name, r]));
    return Object.keys(counts).map((name) => {
      const r = byName.get(name);
      return { name, error: r ? errorOf(r.errorCode, { topic: name }, r.errorMessage) : missing(name) };
    });
  }

  // ---- configs

  /** Current configs of topics and brokers (a broker by its node id as the name). */
  async describeConfigs(
    resources: ConfigResource[],
  ): Promise<{ resource: ConfigResource; entries: ConfigEntry[]; error: KafkaError | null }[]> {
    const res = await this.retry(async () =>
      (await this.cluster.anyConnection()).send(DescribeConfigs, {
        resources: resources.map((r) => ({
          resourceType: resourceType(r),
          resourceName: r.name,
          configurationKeys: null,
        })),
      }),
    );
    return res.results.map((r, i) => ({
      resource: resources[i],
      error: errorOf(r.errorCode, {}, r.errorMessage),
      entries: r.configs.map((c) => ({
        name: c.name,
        value: c.value,
        readOnly: c.readOnly,
        isSensitive: c.isSensitive,
        source: c.configSource,
      })),
    }));
  }

  /** Sets, deletes, appends to or subtracts from configs of one resource (Java: `incrementalAlterConfigs`). */
  async alterConfigs(
    resource: ConfigResource,
    ops: ConfigOp[],
    options: { validateOnly?: boolean } = {},
  ): Promise<void> {
    const res = await this.retry(async () =>
      (await this.cluster.anyConnection()).send(IncrementalAlterConfigs, {
        resources: [
          {
            resourceType: resourceType(resource),
            resourceName: resource.name,
            configs: ops.map((o) => ({
              name: o.name,
              configOperation: CONFIG_OP[o.op],
              value: o.value ?? null,
            })),
          },
        ],
        validateOnly: options.validateOnly ?? false,
      }),
    );
    const r = res.responses[0];
    const error = r ? errorOf(r.errorCode, {}, r.errorMessage) : null;
    if (error) throw error;
  }

  // ---- cluster

  /** Cluster id, controller and brokers. */
  async describeCluster(): Promise<{
    clusterId: string;
    controllerId: number;
    brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
  }> {
    const res = await this.retry(async () =>
      (await this.cluster.anyConnection()).send(DescribeCluster, {
        includeClusterAuthorizedOperations: false,
      }),
    );
    const error = errorOf(res.errorCode, {}, res.errorMessage);
    if (error) throw error;
    return {
      clusterId: res.clusterId,
      controllerId: res.controllerId,
      brokers: res.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
    };
  }

  /** The API versions each broker announced, by node id. */
  async apiVersions(): Promise<Map<number, { apiKey: number; name: string; min: number; max: number }[]>> {
    const md = await this.retry(() => this.cluster.refresh());
    const out = new Map<number, { apiKey: number; name: string; min: number; max: number }[]>();
    for (const id of md.brokers.keys()) {
      const conn = await this.retry(() => this.cluster.connectionTo(id));
      out.set(
        id,
        [...conn.apiVersions]
          .sort((a, b) => a[0] - b[0])
          .map(([apiKey, r]) => ({ apiKey, name: apiName(apiKey), min: r.min, max: r.max })),
      );
    }
    return out;
  }

  // ---- ACLs

  /**
   * Creates ACLs (Java: `createAcls`); each result carries its own error. The broker's
   * authorizer enforces them shortly after this returns, not necessarily at once.
   */
  async createAcls(acls: AclBinding[]): Promise<AclCreateResult[]> {
    return createAcls(this.cluster, (fn) => this.retry(fn), acls);
  }

  /** The ACLs matching `filter` (Java: `describeAcls`); `{}` lists them all. */
  async describeAcls(filter: AclBindingFilter = {}): Promise<AclBinding[]> {
    return describeAcls(this.cluster, (fn) => this.retry(fn), filter);
  }

  /** Deletes the ACLs each filter matches (Java: `deleteAcls`) and lists what each deleted. */
  async deleteAcls(filters: AclBindingFilter[]): Promise<AclDeleteResult[]> {
    return deleteAcls(this.cluster, (fn) => this.retry(fn), filters);
  }

  // ---- offsets and records

  /** Offsets of partitions: earliest, latest, or the first at or after a timestamp. */
  async listOffsets(
    partitions: { topic: string; partition: number }[],
    spec: 'earliest' | 'latest' | { timestamp: number },
  ): Promise<PartitionOffset[]> {
    const found = await lookupOffsets(
      this.cluster,
      partitions.map((p) => ({ topic: p.topic, partition: p.partition, query: spec })),
      { timeoutMs: this.timeoutMs, ...this.backoff },
    );
    return found.map((f) => ({ topic: f.topic, partition: f.partition, offset: f.offset }));
  }

  /** Offsets of every partition of a topic. */
  async topicOffsets(
    topic: string,
    spec: 'earliest' | 'latest' | { timestamp: number },
  ): Promise<PartitionOffset[]> {
    const [d] = await this.describeTopics([topic]);
    if (d.error) throw d.error;
    return this.listOffsets(
      d.partitions.map((p) => ({ topic, partition: p.partition })),
      spec,
    );
  }

  /** Deletes records before the given offsets (Java: `deleteRecords`); returns the new low watermarks. */
  async deleteRecords(before: PartitionOffset[]): Promise<PartitionOffset[]> {
    await this.retry(() => this.cluster.refresh([...new Set(before.map((p) => p.topic))]));
    const out: PartitionOffset[] = [];
    for (const p of before) {
      const leader = this.cluster.leaderFor(p.topic, p.partition);
      if (leader === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, p);
      const res = await this.retry(() =>
        this.cluster.sendTo(leader, DeleteRecords, {
          topics: [{ name: p.topic, partitions: [{ partitionIndex: p.partition, offset: p.offset }] }],
          timeoutMs: this.timeoutMs,
        }),
      );
      const r = res.topics[0]?.partitions[0];
      const err = errorOf(r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, {
        topic: p.topic,
        partition: p.partition,
      });
      if (err) throw err;
      out.push({ topic: p.topic, partition: p.partition, offset: r.lowWatermark });
    }
    return out;
  }

  // ---- groups

  private coordinator(groupId: string): Promise<number> {
    return findGroupCoordinator(this.cluster, groupId, this.backoff);
  }

  /** Groups of every broker, with their state and type. */
  async listGroups(): Promise<{ groupId: string; protocolType: string; state: string }[]> {
    const md = await this.retry(() => this.cluster.refresh());
    const out: { groupId: string; protocolType: string; state: string }[] = [];
    for (const id of md.brokers.keys()) {
      const res = await this.retry(() => this.cluster.sendTo(id, ListGroups, {}));
      const err = errorOf(res.errorCode, { broker: `node ${id}` });
      if (err) throw err;
      for (const g of res.groups)
        out.push({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState });
    }
    return out.sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  }

  /** Members, assignments and state of groups. */
  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return Promise.all(
      groupIds.map(async (groupId) => {
        const res = await this.retry(async () => {
          const r = await this.cluster.sendTo(await this.coordinator(groupId), DescribeGroups, {
            groups: [groupId],
          });
          const code = r.groups[0]?.errorCode ?? ErrorCode.NONE;
          if (code === ErrorCode.NOT_COORDINATOR || code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
            throw new KafkaError(code, {});
          return r;
        });
        const g = res.groups[0];
        return {
          groupId,
          state: g.groupState,
          protocolType: g.protocolType,
          protocol: g.protocolData,
          error: errorOf(g.errorCode, { group: groupId }),
          members: g.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            assignment:
              g.protocolType === 'consumer' && m.memberAssignment.length > 0
                ? decodeAssignment(m.memberAssignment).assignedPartitions.flatMap((t) =>
                    t.partitions.map((partition) => ({ topic: t.topic, partition })),
                  )
                : [],
          })),
        };
      }),
    );
  }

  /** Deletes groups (they must be empty). */
  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; error: KafkaError | null }[]> {
    return Promise.all(
      groupIds.map(async (groupId) => {
        const code = await this.retry(async () => {
          const res = await this.cluster.sendTo(await this.coordinator(groupId), DeleteGroups, {
            groupsNames: [groupId],
          });
          const c = res.results.find((r) => r.groupId === groupId)?.errorCode ?? ErrorCode.NONE;
          throwIfRetriable(c);
          return c;
        });
        return { groupId, error: errorOf(code, { group: groupId }) };
      }),
    );
  }

  // ---- consumer-protocol groups (consumer-groups.ts)

  /**
   * Groups of the KIP-848 consumer protocol (Java: `describeConsumerGroups`): state, epochs, the
   * server-side assignor, and each member's subscription, assignment and target assignment. A
   * classic group answers with `error` GROUP_ID_NOT_FOUND; describe it with `describeGroups`.
   */
  describeConsumerGroups(groupIds: string[]): Promise<ConsumerGroupDescription[]> {
    return describeConsumerGroups(this.cluster, (fn) => this.retry(fn), this.backoff, groupIds);
  }

  // ---- share groups (share-groups.ts)

  /**
   * Share groups (KIP-932; Java: `describeShareGroups`): state, epochs, the assignor, and each
   * member's subscription and assignment. A group of another type answers with `error`
   * GROUP_ID_NOT_FOUND (or INVALID_GROUP_TYPE).
   */
  describeShareGroups(groupIds: string[]): Promise<ShareGroupDescription[]> {
    return describeShareGroups(this.cluster, (fn) => this.retry(fn), this.backoff, groupIds);
  }

  /**
   * Where a share group stands (Java: `listShareGroupOffsets`): per partition its start offset
   * (everything before it is done with) and lag; every partition it has state for, or those of
   * `topics`.
   */
  shareGroupOffsets(
    groupId: string,
    topics?: { topic: string; partitions: number[] }[],
  ): Promise<ShareGroupPartitionOffset[]> {
    return shareGroupOffsets(this.cluster, (fn) => this.retry(fn), this.backoff, groupId, topics ?? null);
  }

  /** Deletes share groups without members (Java: `deleteShareGroups`; DeleteGroups, as `deleteGroups`). */
  deleteShareGroups(groupIds: string[]): Promise<{ groupId: string; error: KafkaError | null }[]> {
    return this.deleteGroups(groupIds);
  }

  // ---- transactions (transactions.ts)

  /** Transactions of every broker's coordinator, filtered by state, producer id, age or id pattern (KIP-664). */
  listTransactions(options: ListTransactionsOptions = {}): Promise<TransactionListing[]> {
    return listTransactions(this.cluster, (fn) => this.retry(fn), options);
  }

  /** State, timeout, start time, producer id and epoch, and partitions of transactional ids (KIP-664). */
  describeTransactions(transactionalIds: string[]): Promise<TransactionDescription[]> {
    return describeTransactions(this.cluster, (fn) => this.retry(fn), this.backoff, transactionalIds);
  }

  /**
   * Fences the producers of transactional ids and aborts their open transactions (Java:
   * `fenceProducers`, KIP-618): ends a transaction left open by a producer that is gone.
   */
  fenceProducers(transactionalIds: string[]): Promise<FencedProducer[]> {
    return fenceProducers(this.cluster, (fn) => this.retry(fn), this.backoff, transactionalIds);
  }

  /** The group's committed offsets, every partition it has one for. */
  async groupOffsets(groupId: string): Promise<PartitionOffset[]> {
    const topics = await this.retry(async () => {
      const node = await this.coordinator(groupId);
      const conn = await this.cluster.connectionTo(node, 'coordinator');
      const v = conn.versionFor(OffsetFetch);
      const r = await conn.send(
        OffsetFetch,
        v >= 8 ? { groups: [{ groupId, topics: null }] } : { groupId, topics: null },
      );
      // Inside the retry: a coordinator still loading or moved answers with a retriable code.
      const groupError = errorOf(v >= 8 ? (r.groups[0]?.errorCode ?? 0) : r.errorCode, { group: groupId });
      if (groupError) throw groupError;
      return v >= 8 ? (r.groups[0]?.topics ?? []) : r.topics;
    });
    const out: PartitionOffset[] = [];
    for (const t of topics) {
      for (const p of t.partitions)
        if (p.committedOffset >= 0n)
          out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
    }
    return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /**
   * Lag per partition of the topics the group consumes (or `topics`): log end offset minus the
   * committed offset, as the lag-checking tools compute it; partitions without a commit count
   * from the log start.
   */
  async groupLag(groupId: string, topics?: string[]): Promise<{ partitions: PartitionLag[]; total: bigint }> {
    const committed = await this.groupOffsets(groupId);
    const names = topics ?? [...new Set(committed.map((c) => c.topic))];
    const all: { topic: string; partition: number }[] = [];
    for (const d of await this.describeTopics(names)) {
      if (d.error) throw d.error;
      for (const p of d.partitions) all.push({ topic: d.name, partition: p.partition });
    }
    const [ends, starts] = await Promise.all([
      this.listOffsets(all, 'latest'),
      this.listOffsets(all, 'earliest'),
    ]);
    const done = new Map(committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
    let total = 0n;
    const partitions = all.map((p, i) => {
      const c = done.get(partitionKey(p.topic, p.partition)) ?? -1n;
      const end = ends[i].offset;
      const lag = end - (c >= 0n ? c : starts[i].offset);
      total += lag;
      return { topic: p.topic, partition: p.partition, committed: c, logEndOffset: end, lag };
    });
    return { partitions, total };
  }

  /**
   * Moves an empty group's committed offsets for a topic (every partition, or those given) to
   * the earliest or latest offset, the first at a timestamp, or a given offset.
   */
  async resetGroupOffsets(
    groupId: string,
    topic: string,
    to: OffsetSpec,
    partitions?: number[],
  ): Promise<PartitionOffset[]> {
    const [g] = await this.describeGroups([groupId]);
    if (g.error && g.error.code !== ErrorCode.GROUP_ID_NOT_FOUND) throw g.error;
    if (g.members.length > 0 || (g.state !== 'Empty' && g.state !== 'Dead' && g.state !== '')) {
      throw new KafkawireError(
        `Group ${groupId} is ${g.state} with ${g.members.length} member(s): stop its consumers before resetting offsets`,
        false,
      );
    }
    const [d] = await this.describeTopics([topic]);
    if (d.error) throw d.error;
    const tps = (partitions ?? d.partitions.map((p) => p.partition)).map((partition) => ({
      topic,
      partition,
    }));
    const wanted: PartitionOffset[] =
      typeof to === 'object' && 'offset' in to
        ? tps.map((p) => ({ ...p, offset: BigInt(to.offset) }))
        : await this.listOffsets(tps, to as 'earliest' | 'latest' | { timestamp: number });
    // As Java's kafka-consumer-groups: an offset outside the log is clamped into
    // [earliest, latest], and a timestamp after the last record (offset -1) means the end.
    const [earliest, latest] = await Promise.all([
      this.listOffsets(tps, 'earliest'),
      this.listOffsets(tps, 'latest'),
    ]);
    const targets = wanted.map((w, i) => {
      let offset = w.offset < 0n ? latest[i].offset : w.offset;
      if (offset < earliest[i].offset) offset = earliest[i].offset;
      if (offset > latest[i].offset) offset = latest[i].offset;
      return { ...w, offset };
    });
    const res = await this.retry(async () => {
      const r = await this.cluster.sendTo(await this.coordinator(groupId), OffsetCommit, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        topics: [
          {
            name: topic,
            partitions: targets.map((t) => ({
              partitionIndex: t.partition,
              committedOffset: t.offset,
              committedMetadata: null,
            })),
          },
        ],
      });
      for (const t of r.topics) for (const p of t.partitions) throwIfRetriable(p.errorCode);
      return r;
    });
    for (const t of res.topics) {
      for (const p of t.partitions) {
        const err = errorOf(p.errorCode, { topic: t.name, partition: p.partitionIndex });
        if (err) throw err;
      }
    }
    return targets;
  }
}

function errorOf(code: number, context: ErrorContext, message?: string | null): KafkaError | null {
  return code === ErrorCode.NONE ? null : kafkaError(code, context, message ?? undefined);
}

/** Inside a retry: a retriable code (coordinator loading or moved) is thrown so the call runs again. */
function throwIfRetriable(code: number): void {
  if (code === ErrorCode.NONE) return;
  const err = new KafkaError(code, {});
  if (err.retriable) throw err;
}

function missing(topic: string): KafkaError {
  return new KafkaError(
    ErrorCode.UNKNOWN_SERVER_ERROR,
    { topic },
    'the broker sent no result for this topic',
  );
}

function resourceType(r: ConfigResource): number {
  if (r.type === 'topic') return ConfigResourceType.topic;
  if (r.type === 'broker') return ConfigResourceType.broker;
  if (r.type === 'group') return ConfigResourceType.group;
  throw new ConfigError(
    'resource.type',
    `expected 'topic', 'broker' or 'group', got ${String((r as { type: unknown }).type)}`,
  );
}

/** Every public call but connect and close: each runs under `within` (its deadline). */
const TIMED_CALLS = [
  'createTopics',
  'deleteTopics',
  'listTopics',
  'describeTopics',
  'createPartitions',
  'describeConfigs',
  'alterConfigs',
  'describeCluster',
  'apiVersions',
  'createAcls',
  'describeAcls',
  'deleteAcls',
  'listOffsets',
  'topicOffsets',
  'deleteRecords',
  'listGroups',
  'describeGroups',
  'deleteGroups',
  'describeShareGroups',
  'shareGroupOffsets',
  'deleteShareGroups',
  'describeConsumerGroups',
  'listTransactions',
  'describeTransactions',
  'fenceProducers',
  'groupOffsets',
  'groupLag',
  'resetGroupOffsets',
] as const satisfies readonly (keyof Admin)[];

for (const name of TIMED_CALLS) {
  const call = Admin.prototype[name] as (...args: unknown[]) => Promise<unknown>;
  Object.defineProperty(Admin.prototype, name, {
    value: function timed(this: Admin, ...args: unknown[]): Promise<unknown> {
      return (this as unknown as { within: Admin['within'] }).within(() => call.apply(this, args));
    },
    writable: true,
    configurable: true,
  });
}
