/**
 * The consumer's parts, built and wired together (consumer.ts is the public facade over them):
 * the Cluster with the consumer's connection options, SubscriptionState, metrics, the first
 * connection (Bootstrap), MissingTopics, the PositionValidator, the Fetcher, the OffsetResolver,
 * the CommitManager and the RebalanceCoordinator, with the one host object they share, and the
 * cluster events the consumer re-emits or reports (missing topics, outages, reconnections).
 *
 * Invariants:
 * - Every part reads the facade's state live through `ConsumerFacade` (getters, not copies), so a
 *   close or a stop is seen by all of them at once.
 * - A listener of a re-emitted event that throws never fails the metadata update that caused it
 *   (the events go out on the next tick).
 */
import { Cluster, type MetadataSnapshot } from '../network/cluster.js';
import { Bootstrap } from './bootstrap.js';
import { CommitManager } from './commit-manager.js';
import type { ResolvedConsumerConfig } from './config.js';
import type { Cursor } from './cursor.js';
import { Fetcher, type FetcherHost } from './fetcher.js';
import { ConsumerMetrics } from './metrics.js';
import { MissingTopics } from './missing-topics.js';
import { OffsetResolver, type OffsetResolverHost } from './offset-resolver.js';
import { PositionValidator, type PositionValidatorHost } from './position-validator.js';
import { RebalanceCoordinator, type RebalanceHost } from './rebalance-coordinator.js';
import { SubscriptionState } from './subscription-state.js';
import type { ConsumerEvents, TopicPartition } from './types.js';

/** What the parts need of the Consumer itself. */
export interface ConsumerFacade {
  readonly closed: boolean;
  /** run() or the iterator is stopping (its signal aborted, its handler failed). */
  readonly stopping: boolean;
  /** Starts what needs starting: offset lookups and resets, fetch loops. */
  kick(): void;
  /** Waits for run()'s worker pool to finish its handlers of these partitions (or its timeout). */
  drain(cursors: readonly Cursor[]): Promise<void>;
  emit<E extends keyof ConsumerEvents>(event: E, ...args: ConsumerEvents[E]): boolean;
  listenerCount(event: keyof ConsumerEvents): number;
}

export interface ConsumerParts {
  cluster: Cluster;
  state: SubscriptionState;
  metrics: ConsumerMetrics;
  bootstrap: Bootstrap;
  missingTopics: MissingTopics;
  fetcher: Fetcher;
  offsets: OffsetResolver;
  commits: CommitManager;
  group: RebalanceCoordinator;
  /** Places the cursors of exactly these partitions and asks metadata for their topics. */
  place(partitions: readonly TopicPartition[]): void;
}

export function buildParts(c: ResolvedConsumerConfig, facade: ConsumerFacade): ConsumerParts {
  const state = new SubscriptionState(c.fetchMaxBytes);
  const metrics = new ConsumerMetrics(c.clientId, {
    partitions: () => state.order,
    assigned: () => state.order.length,
  });
  const cluster = new Cluster({
    bootstrapServers: c.bootstrapServers,
    clientId: c.clientId,
    observer: metrics.network,
    // A fetch long-polls for fetchMaxWaitMs on top of the request itself.
    requestTimeoutMs: c.requestTimeoutMs + c.fetchMaxWaitMs,
    metadataMaxAgeMs: c.metadataMaxAgeMs,
    connectTimeoutMs: c.connectTimeoutMs,
    reconnectBackoffMs: c.reconnectBackoffMs,
    reconnectBackoffMaxMs: c.reconnectBackoffMaxMs,
    tls: c.security.tls,
    authenticate: c.security.authenticate,
    log: c.log,
  });
  const place = (partitions: readonly TopicPartition[]): void => {
    state.place(partitions);
    cluster.addTopics(new Set(partitions.map((p) => p.topic)));
  };
  const bootstrap = new Bootstrap(cluster, () => facade.kick());
  const missingTopics = new MissingTopics(c, () => void cluster.refresh().catch(() => {}));
  let fetcher: Fetcher | undefined;
  let group: RebalanceCoordinator | undefined;
  const host: FetcherHost & OffsetResolverHost & RebalanceHost & PositionValidatorHost = {
    get closed() {
      return facade.closed;
    },
    get stopping() {
      return facade.stopping;
    },
    kick: () => facade.kick(),
    beforeRevoke: (cursors) => facade.drain(cursors),
    kickAfter: (ms) => fetcher?.kickAfter(ms),
    fetchError: (e) => {
      if (facade.listenerCount('fetchError') > 0) facade.emit('fetchError', e);
    },
    emit: facade.emit.bind(facade),
    assign: (partitions, kick = true) => {
      place(partitions);
      if (kick) facade.kick();
    },
    committed: (partitions) => (group as RebalanceCoordinator).group('assign()').committed(partitions),
  };
  const validator = new PositionValidator(cluster, c, state, host);
  fetcher = new Fetcher(cluster, c, state, missingTopics, metrics, validator, host);
  const commits = new CommitManager(c, (what) => (group as RebalanceCoordinator).group(what));
  group = new RebalanceCoordinator(cluster, c, state, commits, metrics, host);
  const offsets = new OffsetResolver(cluster, c, state, missingTopics, host);

  const coordinator = group;
  // Wanted topics the cluster does not have: reported, not fetched (missing-topics.ts).
  cluster.on('metadata', (md: MetadataSnapshot) => {
    if (facade.closed) return;
    const wanted = new Set<string>(coordinator.namedTopics);
    for (const cursor of state.order) wanted.add(cursor.topic);
    const { missing, back } = missingTopics.update(md, wanted);
    for (const topic of missing) {
      c.log.warn({ topic, group: c.groupId ?? undefined }, 'Topic not found; waiting for it to be created');
      const partitions = state.order
        .filter((cursor) => cursor.topic === topic)
        .map((cursor) => ({ topic, partition: cursor.partition }));
      process.nextTick(() => facade.emit('topicNotFound', { topic, partitions }));
    }
    for (const topic of back) c.log.info({ topic }, 'Topic found');
    if (back.length > 0) facade.kick();
  });
  cluster.on('unreachable', (err: Error) => facade.emit('brokersUnreachable', err));
  cluster.on('reachable', (downMs: number) => facade.emit('brokersReachable', downMs));
  cluster.on('reconnected', (e: { broker: string; nodeId: number; failedAttempts: number }) =>
    facade.emit('brokerReconnected', e),
  );
  return { cluster, state, metrics, bootstrap, missingTopics, fetcher, offsets, commits, group, place };
}
