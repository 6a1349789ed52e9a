/**
 * The consumer's metrics under the Java client's names: `consumer-fetch-manager-metrics`
 * (records-consumed and bytes-consumed totals and rates, fetch-rate, fetch-latency-avg/max,
 * records-lag-max and records-lag per partition), `consumer-coordinator-metrics` (commit-rate,
 * commit-latency-avg/max, heartbeat-rate, rebalance-total, rebalance-latency-avg/max,
 * failed-rebalance-total, assigned-partitions) and the network metrics every client has.
 *
 * Invariants: lag is the partition's high watermark from its last fetch minus its position, so
 * it costs no request and is current as of the last fetch response; records are counted per
 * batch handed out, bytes per partition's record set fetched; fetch, commit and heartbeat
 * latencies are those of the requests themselves (OffsetCommit, Fetch, Heartbeat or
 * ConsumerGroupHeartbeat), as the connection measured them.
 */
import { MetricsRegistry, NetworkMetrics, type Windowed } from '../network/metrics.js';
import { ApiKey } from '../protocol/api-keys.js';

const FETCH = 'consumer-fetch-manager-metrics';
const COORDINATOR = 'consumer-coordinator-metrics';

/** What the lag metrics read: each assigned partition's high watermark and position. */
export interface LagSource {
  partitions(): Iterable<{
    topic: string;
    partition: number;
    highWatermark: bigint;
    position: bigint | null;
  }>;
  assigned(): number;
}

export class ConsumerMetrics {
  readonly registry: MetricsRegistry;
  readonly network: NetworkMetrics;
  private readonly records: Windowed;
  private readonly bytes: Windowed;
  private readonly rebalances: Windowed;
  private readonly failedRebalances: Windowed;

  constructor(clientId: string, lag: LagSource) {
    const r = new MetricsRegistry(clientId);
    this.registry = r;
    this.network = new NetworkMetrics(r, 'consumer-metrics');
    this.records = r.sensor('records-consumed', FETCH, 'records handed to the application', {
      total: true,
      rate: 'sum',
    });
    this.bytes = r.sensor('bytes-consumed', FETCH, 'record bytes fetched', { total: true, rate: 'sum' });
    const fetches = this.network.follow(ApiKey.Fetch);
    r.add('fetch-total', FETCH, 'Fetch requests answered.', () => fetches.count);
    r.add('fetch-rate', FETCH, 'Fetch requests answered per second.', (now) => fetches.countRate(now));
    r.add('fetch-latency-avg', FETCH, 'Average Fetch latency in ms.', (now) => fetches.avg(now));
    r.add('fetch-latency-max', FETCH, 'Maximum Fetch latency in ms.', (now) => fetches.max(now));
    const lags = function* () {
      for (const p of lag.partitions()) {
        if (p.highWatermark < 0n || p.position === null) continue;
        const l = p.highWatermark - p.position;
        yield { tags: { topic: p.topic, partition: String(p.partition) }, value: Number(l < 0n ? 0n : l) };
      }
    };
    r.addEach('records-lag', FETCH, 'High watermark minus position, per partition.', lags);
    r.add('records-lag-max', FETCH, 'The largest records-lag of the assigned partitions.', () => {
      let max = Number.NaN;
      for (const l of lags()) if (!(l.value <= max)) max = l.value;
      return max;
    });
    const commits = this.network.follow(ApiKey.OffsetCommit);
    r.add('commit-total', COORDINATOR, 'Offset commits answered.', () => commits.count);
    r.add('commit-rate', COORDINATOR, 'Offset commits answered per second.', (now) => commits.countRate(now));
    r.add('commit-latency-avg', COORDINATOR, 'Average OffsetCommit latency in ms.', (now) =>
      commits.avg(now),
    );
    r.add('commit-latency-max', COORDINATOR, 'Maximum OffsetCommit latency in ms.', (now) =>
      commits.max(now),
    );
    const beats = this.network.follow(ApiKey.Heartbeat, ApiKey.ConsumerGroupHeartbeat);
    r.add('heartbeat-total', COORDINATOR, 'Heartbeats answered.', () => beats.count);
    r.add('heartbeat-rate', COORDINATOR, 'Heartbeats answered per second.', (now) => beats.countRate(now));
    this.rebalances = r.sensor('rebalance', COORDINATOR, 'rebalances completed', {
      total: true,
      rate: 'count',
    });
    r.add('rebalance-latency-avg', COORDINATOR, 'Average time a rebalance took, in ms.', (now) =>
      this.rebalances.avg(now),
    );
    r.add('rebalance-latency-max', COORDINATOR, 'Longest time a rebalance took, in ms.', (now) =>
      this.rebalances.max(now),
    );
    this.failedRebalances = r.sensor('failed-rebalance', COORDINATOR, 'rebalances that failed');
    r.add('assigned-partitions', COORDINATOR, 'Partitions assigned to this consumer.', () => lag.assigned());
  }

  consumed(records: number): void {
    this.records.record(records);
  }

  fetched(bytes: number): void {
    this.bytes.record(bytes);
  }

  rebalanced(ms: number): void {
    this.rebalances.record(ms);
  }

  rebalanceFailed(): void {
    this.failedRebalances.record(1);
  }
}
