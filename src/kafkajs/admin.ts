/**
 * KafkaJS's admin client on kafkawire's `Admin`: topics, offsets, groups, configs, cluster.
 *
 * Results come back in KafkaJS's shapes (offsets as strings, `{ topics: [...] }` wrappers);
 * per-item failures, which kafkawire reports item by item, are thrown as KafkaJS does (one
 * `KafkaJSProtocolError`, or a `KafkaJSAggregateError` of several).
 */
import { Admin } from '../admin/admin.js';
import { partitionKey } from '../network/topic-partition.js';
import { encodeAssignment } from '../protocol/consumer-protocol.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { KafkaError } from '../protocol/errors.js';
import {
  afterRetries,
  KafkaJSAggregateError,
  KafkaJSDeleteGroupsError,
  KafkaJSNonRetriableError,
  KafkaJSProtocolError,
  KafkaJSTimeout,
  toKafkaJSError,
} from './errors.js';
import {
  type AdminEvents,
  adminEvents,
  Instrumentation,
  type InstrumentationEvent,
  type RemoveInstrumentationEventListener,
} from './events.js';
import type { ClientContext } from './kafka.js';
import { type Logger, nativeLogging } from './logger.js';
import { parseOffset } from './messages.js';
import type { PartitionMetadata } from './partitioners.js';
import type { PartitionOffset, RetryOptions } from './types.js';

/** Options of `kafka.admin()` (KafkaJS: `AdminConfig`). */
export interface AdminConfig {
  retry?: RetryOptions;
}

/** A topic to create (KafkaJS: `ITopicConfig`). */
export interface ITopicConfig {
  topic: string;
  /** Default: the broker's `num.partitions`. */
  numPartitions?: number;
  /** Default: the broker's `default.replication.factor`. */
  replicationFactor?: number;
  /** Not supported: a non-empty list is refused. */
  replicaAssignment?: { partition: number; replicas: number[] }[];
  configEntries?: { name: string; value: string }[];
}

/** A topic's partitions (KafkaJS: `ITopicMetadata`). */
export interface ITopicMetadata {
  name: string;
  partitions: PartitionMetadata[];
}

/** KafkaJS's config resource types (KafkaJS: `ConfigResourceTypes`); TOPIC and BROKER are supported. */
export const ConfigResourceTypes = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** A resource whose configs to read (KafkaJS: `ResourceConfigQuery`). */
export interface ResourceConfigQuery {
  type: number;
  name: string;
  /** Only these configs; default all. */
  configNames?: string[];
}

/** A group's member (KafkaJS: `MemberDescription`). */
export interface MemberDescription {
  clientHost: string;
  clientId: string;
  memberId: string;
  /** The consumer-protocol assignment, encoded as the group holds it. */
  memberAssignment: Buffer;
  /** Not reported by kafkawire's admin client: empty. */
  memberMetadata: Buffer;
}

/** A group (KafkaJS: `GroupDescription`). */
export interface GroupDescription {
  groupId: string;
  members: MemberDescription[];
  protocol: string;
  protocolType: string;
  state: string;
  errorCode: number;
}

/** An admin client in KafkaJS's shape (KafkaJS: `Admin`). Made by `kafka.admin()`. */
export class KafkaJSAdmin {
  /** Names of the events `on()` accepts; CONNECT and DISCONNECT are emitted. */
  readonly events: AdminEvents = adminEvents;
  private readonly ctx: ClientContext;
  private readonly log: Logger;
  private readonly instrumentation: Instrumentation;
  private admin: Admin | null = null;

  /** @internal Made by `Kafka.admin()`. */
  constructor(ctx: ClientContext, config: AdminConfig) {
    for (const key of Object.keys(config ?? {})) {
      if (key !== 'retry') throw new KafkaJSNonRetriableError(`Unknown admin option "${key}"`);
    }
    this.ctx = { ...ctx, retry: { ...ctx.retry, ...(config?.retry ?? {}) } };
    this.log = ctx.logger.namespace('Admin');
    this.instrumentation = new Instrumentation(adminEvents, this.log);
  }

  async connect(): Promise<void> {
    const brokers = await this.ctx.brokers();
    const retry = this.ctx.retry;
    this.admin = new Admin({
      ...this.ctx.security,
      ...nativeLogging(this.log),
      bootstrapServers: brokers,
      clientId: this.ctx.clientId,
      requestTimeoutMs: this.ctx.requestTimeoutMs,
      connectTimeoutMs: this.ctx.connectTimeoutMs,
      retryBackoffMs: retry.initialRetryTime ?? 300,
      retryBackoffMaxMs: Math.max(retry.maxRetryTime ?? 30_000, retry.initialRetryTime ?? 300),
    });
    await this.call((a) => a.connect());
    this.instrumentation.emit(adminEvents.CONNECT);
  }

  async disconnect(): Promise<void> {
    const a = this.admin;
    this.admin = null;
    await a?.close();
    this.instrumentation.emit(adminEvents.DISCONNECT);
  }

  /** Names of the topics (internal ones excluded). */
  async listTopics(): Promise<string[]> {
    return this.call((a) => a.listTopics());
  }

  /**
   * Creates topics; resolves true, or false when they all existed already. With
   * `waitForLeaders` (default true) it returns once every new partition has a leader.
   */
  async createTopics(options: {
    topics: ITopicConfig[];
    validateOnly?: boolean;
    waitForLeaders?: boolean;
    timeout?: number;
  }): Promise<boolean> {
    const { topics, validateOnly = false, waitForLeaders = true, timeout = 5000 } = options ?? ({} as never);
    if (!Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(topics)}`);
    if (topics.some((t) => typeof t?.topic !== 'string')) {
      throw new KafkaJSNonRetriableError('Invalid topics array, the topic names have to be a valid string');
    }
    if (new Set(topics.map((t) => t.topic)).size < topics.length) {
      throw new KafkaJSNonRetriableError(
        'Invalid topics array, it cannot have multiple entries for the same topic',
      );
    }
    for (const t of topics) {
      if (t.replicaAssignment && t.replicaAssignment.length > 0) {
        throw new KafkaJSNonRetriableError(`replicaAssignment is not supported (topic "${t.topic}")`);
      }
      if (t.configEntries != null && !Array.isArray(t.configEntries)) {
        throw new KafkaJSNonRetriableError(`Invalid configEntries for topic "${t.topic}", must be an array`);
      }
    }
    const results = await this.call((a) =>
      a.createTopics(
        topics.map((t) => ({
          name: t.topic,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          configs: Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value])),
        })),
        { validateOnly },
      ),
    );
    const errors = results.flatMap((r) => (r.error ? [r.error] : []));
    if (errors.length > 0) {
      if (errors.every((e) => e.code === ErrorCode.TOPIC_ALREADY_EXISTS)) return false;
      throw aggregate('Topic creation errors', errors);
    }
    if (waitForLeaders && !validateOnly)
      await this.waitForLeaders(
        topics.map((t) => t.topic),
        timeout,
      );
    return true;
  }

  /** Deletes topics. */
  async deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void> {
    const { topics } = options ?? ({} as never);
    if (!Array.isArray(topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(topics)}`);
    const results = await this.call((a) => a.deleteTopics(topics));
    const errors = results.flatMap((r) => (r.error ? [r.error] : []));
    if (errors.length > 0) throw aggregate('Topic deletion errors', errors);
  }

  /** Grows topics to `count` partitions. */
  async createPartitions(options: {
    topicPartitions: { topic: string; count: number; assignments?: number[][] }[];
    validateOnly?: boolean;
    timeout?: number;
  }): Promise<boolean> {
    const { topicPartitions } = options ?? ({} as never);
    if (!Array.isArray(topicPartitions)) throw new KafkaJSNonRetriableError('Invalid topicPartitions array');
    if (topicPartitions.some((t) => t.assignments && t.assignments.length > 0)) {
      throw new KafkaJSNonRetriableError('createPartitions: assignments are not supported');
    }
    const results = await this.call((a) =>
      a.createPartitions(Object.fromEntries(topicPartitions.map((t) => [t.topic, t.count])), {
        validateOnly: options.validateOnly ?? false,
      }),
    );
    const errors = results.flatMap((r) => (r.error ? [r.error] : []));
    if (errors.length > 0) throw aggregate('Partition creation errors', errors);
    return true;
  }

  /** Partitions of topics (all topics when none are named); throws if one does not exist. */
  async fetchTopicMetadata(options?: { topics?: string[] }): Promise<{ topics: ITopicMetadata[] }> {
    const names = options?.topics ?? (await this.listTopics());
    const described = await this.call((a) => a.describeTopics(names));
    for (const d of described) if (d.error) throw toKafkaJSError(d.error);
    return {
      topics: described.map((d) => ({
        name: d.name,
        partitions: d.partitions.map((p) => ({
          partitionErrorCode: 0,
          partitionId: p.partition,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
          offlineReplicas: p.offlineReplicas,
        })),
      })),
    };
  }

  /** Latest (`offset`, `high`) and earliest (`low`) offsets of every partition of a topic. */
  async fetchTopicOffsets(topic: string): Promise<(PartitionOffset & { high: string; low: string })[]> {
    const [high, low] = await this.call((a) =>
      Promise.all([a.topicOffsets(topic, 'latest'), a.topicOffsets(topic, 'earliest')]),
    );
    return high.map((h, i) => ({
      partition: h.partition,
      offset: String(h.offset),
      high: String(h.offset),
      low: String(low[i]!.offset),
    }));
  }

  /** For each partition, the first offset at or after `timestamp` (the latest when none is). */
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<PartitionOffset[]> {
    const found = await this.call(async (a) => {
      const at = await a.topicOffsets(topic, timestamp === undefined ? 'latest' : { timestamp });
      const latest = await a.topicOffsets(topic, 'latest');
      return at.map((o, i) => ({
        partition: o.partition,
        offset: o.offset < 0n ? latest[i]!.offset : o.offset,
      }));
    });
    return found.map((f) => ({ partition: f.partition, offset: String(f.offset) }));
  }

  /**
   * A group's committed offsets: of every partition of `topics` ('-1' where it has none), or of
   * every partition it committed for when no topics are named.
   */
  async fetchOffsets(options: {
    groupId: string;
    topics?: string[];
    resolveOffsets?: boolean;
  }): Promise<{ topic: string; partitions: (PartitionOffset & { metadata: string | null })[] }[]> {
    const { groupId, topics, resolveOffsets = false } = options ?? ({} as never);
    if (!groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${String(groupId)}`);
    if (topics !== undefined && !Array.isArray(topics))
      throw new KafkaJSNonRetriableError('Expected topics array to be set');
    const committed = await this.call((a) => a.groupOffsets(groupId));
    const names = topics ?? [...new Set(committed.map((c) => c.topic))];
    const described = names.length > 0 ? await this.call((a) => a.describeTopics(names)) : [];
    const byKey = new Map(committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
    return Promise.all(
      described.map(async (d) => {
        if (d.error) throw toKafkaJSError(d.error);
        let partitions = d.partitions.map((p) => ({
          partition: p.partition,
          offset: String(byKey.get(partitionKey(d.name, p.partition)) ?? -1n),
          metadata: null as string | null,
        }));
        if (resolveOffsets && partitions.some((p) => p.offset === '-1')) {
          // KafkaJS resolves "no offset" to the log end and commits it.
          const latest = await this.fetchTopicOffsets(d.name);
          const high = new Map(latest.map((l) => [l.partition, l.high]));
          const unresolved = partitions.filter((p) => p.offset === '-1');
          partitions = partitions.map((p) =>
            p.offset === '-1' ? { ...p, offset: high.get(p.partition) ?? '-1' } : p,
          );
          await this.setOffsets({
            groupId,
            topic: d.name,
            partitions: unresolved.map((p) => ({
              partition: p.partition,
              offset: high.get(p.partition) ?? '0',
            })),
          });
        }
        return { topic: d.name, partitions };
      }),
    );
  }

  /** Moves an empty group's offsets of a topic to the latest (default) or earliest offsets. */
  async resetOffsets(options: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    const { groupId, topic, earliest = false } = options ?? ({} as never);
    if (!groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${String(groupId)}`);
    if (!topic) throw new KafkaJSNonRetriableError(`Invalid topic ${String(topic)}`);
    await this.call((a) => a.resetGroupOffsets(groupId, topic, earliest ? 'earliest' : 'latest'));
  }

  /** Sets an empty group's committed offsets of some partitions of a topic. */
  async setOffsets(options: {
    groupId: string;
    topic: string;
    partitions: PartitionOffset[];
  }): Promise<void> {
    const { groupId, topic, partitions } = options ?? ({} as never);
    if (!groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${String(groupId)}`);
    if (!topic) throw new KafkaJSNonRetriableError(`Invalid topic ${String(topic)}`);
    if (!Array.isArray(partitions) || partitions.length === 0)
      throw new KafkaJSNonRetriableError('Invalid partitions');
    const byOffset = new Map<bigint, number[]>();
    for (const p of partitions) {
      const o = parseOffset(p.offset);
      if (o === null) throw new KafkaJSNonRetriableError(`Invalid offset ${String(p.offset)}`);
      const list = byOffset.get(o);
      if (list) list.push(p.partition);
      else byOffset.set(o, [p.partition]);
    }
    for (const [offset, list] of byOffset) {
      await this.call((a) => a.resetGroupOffsets(groupId, topic, { offset }, list));
    }
  }

  /** Brokers, controller and cluster id. */
  async describeCluster(): Promise<{
    brokers: { nodeId: number; host: string; port: number }[];
    controller: number | null;
    clusterId: string;
  }> {
    const c = await this.call((a) => a.describeCluster());
    return {
      brokers: c.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
      controller: c.controllerId >= 0 ? c.controllerId : null,
      clusterId: c.clusterId,
    };
  }

  /** Configs of topics and brokers (KafkaJS: `describeConfigs`). */
  async describeConfigs(options: { resources: ResourceConfigQuery[]; includeSynonyms?: boolean }): Promise<{
    resources: {
      resourceType: number;
      resourceName: string;
      errorCode: number;
      errorMessage: string | null;
      configEntries: {
        configName: string;
        configValue: string | null;
        readOnly: boolean;
        isDefault: boolean;
        configSource: number;
        isSensitive: boolean;
      }[];
    }[];
    throttleTime: number;
  }> {
    const resources = options?.resources ?? [];
    const native = resources.map((r) => ({ type: resourceTypeName(r.type), name: r.name }));
    const results = await this.call((a) => a.describeConfigs(native));
    return {
      resources: results.map((r, i) => {
        const wanted = resources[i]?.configNames;
        return {
          resourceType: resources[i]!.type,
          resourceName: r.resource.name,
          errorCode: r.error?.code ?? 0,
          errorMessage: r.error?.message ?? null,
          configEntries: r.entries
            .filter((e) => !wanted || wanted.includes(e.name))
            .map((e) => ({
              configName: e.name,
              configValue: e.value,
              readOnly: e.readOnly,
              isDefault: e.source === 5,
              configSource: e.source,
              isSensitive: e.isSensitive,
            })),
        };
      }),
      throttleTime: 0,
    };
  }

  /**
   * Sets configs (KafkaJS: `alterConfigs`). kafkawire sets each named entry (an incremental
   * alter); KafkaJS's AlterConfigs also resets every config not named to its default.
   */
  async alterConfigs(options: {
    validateOnly?: boolean;
    resources: { type: number; name: string; configEntries: { name: string; value: string }[] }[];
  }): Promise<{
    resources: {
      errorCode: number;
      errorMessage: string | null;
      resourceName: string;
      resourceType: number;
    }[];
    throttleTime: number;
  }> {
    const out = [];
    for (const r of options?.resources ?? []) {
      await this.call((a) =>
        a.alterConfigs(
          { type: resourceTypeName(r.type), name: r.name },
          r.configEntries.map((e) => ({ name: e.name, op: 'set' as const, value: e.value })),
          { validateOnly: options.validateOnly ?? false },
        ),
      );
      out.push({ errorCode: 0, errorMessage: null, resourceName: r.name, resourceType: r.type });
    }
    return { resources: out, throttleTime: 0 };
  }

  /** Groups of the cluster. */
  async listGroups(): Promise<{ groups: { groupId: string; protocolType: string }[] }> {
    const groups = await this.call((a) => a.listGroups());
    return { groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })) };
  }

  /** Members, assignments and state of groups. */
  async describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }> {
    const described = await this.call((a) => a.describeGroups(groupIds));
    return {
      groups: described.map((g) => ({
        groupId: g.groupId,
        errorCode: g.error?.code ?? 0,
        protocol: g.protocol,
        protocolType: g.protocolType,
        state: g.state,
        members: g.members.map((m) => ({
          clientHost: m.clientHost,
          clientId: m.clientId,
          memberId: m.memberId,
          memberAssignment: encodeMemberAssignment(m.assignment),
          memberMetadata: Buffer.alloc(0),
        })),
      })),
    };
  }

  /** Deletes empty groups; throws `KafkaJSDeleteGroupsError` naming those that could not be. */
  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; errorCode: number }[]> {
    const results = await this.call((a) => a.deleteGroups(groupIds));
    const failed = results.filter((r) => r.error);
    if (failed.length > 0) {
      throw new KafkaJSDeleteGroupsError(
        'Error in DeleteGroups',
        failed.map((r) => ({
          groupId: r.groupId,
          errorCode: r.error!.code,
          error: new KafkaJSProtocolError(r.error!),
        })),
      );
    }
    return results.map((r) => ({ groupId: r.groupId, errorCode: 0 }));
  }

  /** Deletes the records of a topic's partitions before the given offsets. */
  async deleteTopicRecords(options: { topic: string; partitions: PartitionOffset[] }): Promise<void> {
    const { topic, partitions } = options ?? ({} as never);
    const before = (partitions ?? []).map((p) => {
      const o = parseOffset(p.offset);
      if (o === null) throw new KafkaJSNonRetriableError(`Invalid offset ${String(p.offset)}`);
      return { topic, partition: p.partition, offset: o };
    });
    await this.call((a) => a.deleteRecords(before));
  }

  on(
    eventName: string,
    listener: (event: InstrumentationEvent<unknown>) => void,
  ): RemoveInstrumentationEventListener {
    return this.instrumentation.on(eventName, listener);
  }

  logger(): Logger {
    return this.log;
  }

  private async call<T>(fn: (a: Admin) => Promise<T>): Promise<T> {
    if (!this.admin)
      throw new KafkaJSNonRetriableError('The admin client is not connected: call connect() first');
    try {
      return await fn(this.admin);
    } catch (err) {
      throw afterRetries(err, this.ctx.retry.retries ?? 5);
    }
  }

  private async waitForLeaders(topics: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const described = await this.call((a) => a.describeTopics(topics));
      const ready = described.every(
        (d) => !d.error && d.partitions.length > 0 && d.partitions.every((p) => p.leader >= 0),
      );
      if (ready) return;
      if (Date.now() >= deadline) throw new KafkaJSTimeout('Timed out while waiting for topic leaders');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function aggregate(message: string, errors: KafkaError[]): Error {
  const list = errors.map((e) => new KafkaJSProtocolError(e));
  return list.length === 1 ? list[0]! : new KafkaJSAggregateError(message, list);
}

function resourceTypeName(type: number): 'topic' | 'broker' {
  if (type === ConfigResourceTypes.TOPIC) return 'topic';
  if (type === ConfigResourceTypes.BROKER) return 'broker';
  throw new KafkaJSNonRetriableError(`Config resource type ${type} is not supported (TOPIC and BROKER are)`);
}

function encodeMemberAssignment(assignment: { topic: string; partition: number }[]): Buffer {
  const byTopic = new Map<string, number[]>();
  for (const a of assignment) {
    const l = byTopic.get(a.topic);
    if (l) l.push(a.partition);
    else byTopic.set(a.topic, [a.partition]);
  }
  return encodeAssignment({
    assignedPartitions: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    userData: null,
  });
}
