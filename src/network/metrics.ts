/**
 * Client metrics in the Java client's model (org.apache.kafka.common.metrics): each metric has
 * a name (`record-send-rate`), a group (`producer-metrics`), tags (`client-id`, and `topic` /
 * `partition` for per-partition ones) and a value read when asked. Rates, averages and maxima are
 * windowed as Java's are: `metrics.num.samples` (2) samples of `metrics.sample.window.ms` (30 s),
 * a rate divided by the time those samples cover (at least one full window, so a fresh client
 * does not report an inflated rate). An average or maximum with nothing recorded in the window is
 * NaN, as Java's.
 *
 * Invariants: recording is O(1) with no allocation except when a new sample window starts; a
 * value is computed only when read (`metrics()`, an exporter); a metric's name is declared once
 * per registry, and per-partition entries come and go with the assignment.
 */
import type { RequestMessage } from './diagnostics.js';

/** One metric as read: Java's MetricName (name, group, description, tags) and its value. */
export interface MetricValue {
  readonly name: string;
  readonly group: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  /** A gauge or windowed statistic; `*-total` metrics only grow. */
  readonly value: number;
}

/**
 * The metrics of one client, as `producer.metrics()` / `consumer.metrics()` / `admin.metrics()`
 * give them: Java's metric names as keys (`record-send-rate`), a per-partition metric as
 * `records-lag{topic=orders,partition=0}`.
 */
export type MetricsSnapshot = Record<string, number>;

/** How exporters reach a client's registry (not part of the public API). */
export const METRICS_REGISTRY: unique symbol = Symbol('kafkawire.metrics');

/** A client whose metrics can be exported (Producer, Consumer, Admin). */
export interface MetricsSource {
  /** @internal */
  [METRICS_REGISTRY](): MetricsRegistry;
}

const SAMPLE_WINDOW_MS = 30_000;
const NUM_SAMPLES = 2;

interface Sample {
  start: number;
  count: number;
  sum: number;
  max: number;
}

/** Count, sum and max over the last samples. */
export class Windowed {
  private readonly samples: Sample[] = [];
  total = 0;
  count = 0;

  record(value: number, now = Date.now()): void {
    this.total += value;
    this.count++;
    let s = this.samples[this.samples.length - 1];
    if (!s || now - s.start >= SAMPLE_WINDOW_MS) {
      if (this.samples.length >= NUM_SAMPLES) this.samples.shift();
      s = { start: now, count: 0, sum: 0, max: Number.NEGATIVE_INFINITY };
      this.samples.push(s);
    }
    s.count++;
    s.sum += value;
    if (value > s.max) s.max = value;
  }

  private live(now: number): Sample[] {
    const from = now - NUM_SAMPLES * SAMPLE_WINDOW_MS;
    while (this.samples.length > 0 && this.samples[0].start < from) this.samples.shift();
    return this.samples;
  }

  /** Sum of values per second over the window. */
  rate(now = Date.now()): number {
    return this.per(now, (s) => s.sum);
  }

  /** Recordings per second over the window. */
  countRate(now = Date.now()): number {
    return this.per(now, (s) => s.count);
  }

  avg(now = Date.now()): number {
    let sum = 0;
    let count = 0;
    for (const s of this.live(now)) {
      sum += s.sum;
      count += s.count;
    }
    return count === 0 ? Number.NaN : sum / count;
  }

  max(now = Date.now()): number {
    let max = Number.NEGATIVE_INFINITY;
    for (const s of this.live(now)) if (s.max > max) max = s.max;
    return max === Number.NEGATIVE_INFINITY ? Number.NaN : max;
  }

  private per(now: number, of: (s: Sample) => number): number {
    const live = this.live(now);
    let sum = 0;
    for (const s of live) sum += of(s);
    const covered = live.length === 0 ? 0 : now - live[0].start;
    // Java's Rate: the elapsed time is at least (samples - 1) full windows.
    const seconds = Math.max(covered, (NUM_SAMPLES - 1) * SAMPLE_WINDOW_MS) / 1000;
    return sum / seconds;
  }
}

interface Entry {
  name: string;
  group: string;
  description: string;
  tags: Readonly<Record<string, string>>;
  read: (now: number) => number;
}

/** The metrics of one client. */
export class MetricsRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly declared = new Map<string, { group: string; description: string }>();
  private readonly families: {
    name: string;
    group: string;
    description: string;
    read: (now: number) => Iterable<{ tags: Record<string, string>; value: number }>;
  }[] = [];
  private readonly base: Readonly<Record<string, string>>;

  constructor(clientId: string) {
    this.base = { 'client-id': clientId };
  }

  /** Adds (or replaces) a metric; `tags` besides `client-id` for per-topic/partition ones. */
  add(
    name: string,
    group: string,
    description: string,
    read: (now: number) => number,
    tags: Record<string, string> = {},
  ): void {
    if (!this.declared.has(name)) this.declared.set(name, { group, description });
    const all = { ...this.base, ...tags };
    this.entries.set(entryKey(name, tags), { name, group, description, tags: all, read });
  }

  /** A metric with one entry per tag set, listed when read (per-partition metrics). */
  addEach(
    name: string,
    group: string,
    description: string,
    read: (now: number) => Iterable<{ tags: Record<string, string>; value: number }>,
  ): void {
    if (!this.declared.has(name)) this.declared.set(name, { group, description });
    this.families.push({ name, group, description, read });
  }

  /** A windowed sensor exposed as `<prefix>-total`, `<prefix>-rate` and, if asked, avg / max. */
  sensor(
    prefix: string,
    group: string,
    what: string,
    stats: { total?: boolean; rate?: 'count' | 'sum'; avg?: boolean; max?: boolean } = {
      total: true,
      rate: 'count',
    },
  ): Windowed {
    const w = new Windowed();
    if (stats.total)
      this.add(`${prefix}-total`, group, `Total ${what}.`, () => (stats.rate === 'sum' ? w.total : w.count));
    if (stats.rate === 'count')
      this.add(`${prefix}-rate`, group, `${what} per second.`, (now) => w.countRate(now));
    if (stats.rate === 'sum') this.add(`${prefix}-rate`, group, `${what} per second.`, (now) => w.rate(now));
    if (stats.avg) this.add(`${prefix}-avg`, group, `Average ${what}.`, (now) => w.avg(now));
    if (stats.max) this.add(`${prefix}-max`, group, `Maximum ${what}.`, (now) => w.max(now));
    return w;
  }

  /** Every metric with its current value. */
  list(now = Date.now()): MetricValue[] {
    const out: MetricValue[] = [];
    for (const e of this.entries.values()) {
      let value: number;
      try {
        value = e.read(now);
      } catch {
        value = Number.NaN;
      }
      out.push({ name: e.name, group: e.group, description: e.description, tags: e.tags, value });
    }
    for (const f of this.families) {
      for (const { tags, value } of f.read(now))
        out.push({
          name: f.name,
          group: f.group,
          description: f.description,
          tags: { ...this.base, ...tags },
          value,
        });
    }
    return out;
  }

  /** Names declared so far, with their group and description (exporters create instruments from it). */
  names(): ReadonlyMap<string, { group: string; description: string }> {
    return this.declared;
  }

  /** `{ name: value }`, a per-partition metric as `name{topic=t,partition=0}`. */
  snapshot(now = Date.now()): MetricsSnapshot {
    const out: MetricsSnapshot = {};
    for (const m of this.list(now)) {
      const extra = Object.entries(m.tags).filter(([k]) => k !== 'client-id');
      out[extra.length === 0 ? m.name : `${m.name}{${extra.map(([k, v]) => `${k}=${v}`).join(',')}}`] =
        m.value;
    }
    return out;
  }
}

function entryKey(name: string, tags: Record<string, string>): string {
  let k = name;
  for (const [t, v] of Object.entries(tags)) k += `\0${t}=${v}`;
  return k;
}

/** What a connection reports to its client's metrics. */
export interface ConnectionObserver {
  /** A request settled (answered, failed, or written for one without answer). */
  request(m: RequestMessage, failed: boolean): void;
  /** A connection finished start-up. */
  connected(): void;
  /** A connection that had finished start-up closed. */
  closed(error: Error | undefined): void;
}

/**
 * Java's common network metrics of a client (`<client>-metrics` group: request-rate,
 * request-latency-avg/max, outgoing/incoming-byte-rate, connection-count, ...), and per-API
 * request latencies the client's own metrics derive from (fetch, commit, heartbeat).
 */
export class NetworkMetrics implements ConnectionObserver {
  private readonly requests: Windowed;
  private readonly outgoing: Windowed;
  private readonly incoming: Windowed;
  private readonly creations: Windowed;
  private readonly closes: Windowed;
  private readonly errors: Windowed;
  private open = 0;
  /** Latency per API key, for the APIs a client asked to follow (`follow`). */
  private readonly byApi = new Map<number, Windowed>();

  constructor(
    readonly registry: MetricsRegistry,
    group: string,
  ) {
    const r = registry;
    this.requests = r.sensor('request', group, 'requests sent', { total: true, rate: 'count', avg: false });
    r.add('request-latency-avg', group, 'Average request latency in ms.', (now) => this.requests.avg(now));
    r.add('request-latency-max', group, 'Maximum request latency in ms.', (now) => this.requests.max(now));
    this.errors = r.sensor('request-error', group, 'requests failed (timeout, closed connection)');
    this.outgoing = r.sensor('outgoing-byte', group, 'bytes sent', { total: true, rate: 'sum' });
    this.incoming = r.sensor('incoming-byte', group, 'bytes read', { total: true, rate: 'sum' });
    this.creations = r.sensor('connection-creation', group, 'connections established');
    this.closes = r.sensor('connection-close', group, 'connections closed');
    r.add('connection-count', group, 'Open connections.', () => this.open);
  }

  /** One latency window for these APIs (e.g. Fetch), for the client's own metrics. */
  follow(...apiKeys: number[]): Windowed {
    const w = new Windowed();
    for (const k of apiKeys) this.byApi.set(k, w);
    return w;
  }

  request(m: RequestMessage, failed: boolean): void {
    const now = Date.now();
    const ms = m.durationMs ?? 0;
    this.requests.record(ms, now);
    if (failed) this.errors.record(1, now);
    this.outgoing.record(m.requestBytes, now);
    if (m.responseBytes !== undefined) this.incoming.record(m.responseBytes, now);
    if (!failed) this.byApi.get(m.apiKey)?.record(ms, now);
  }

  connected(): void {
    this.open++;
    this.creations.record(1);
  }

  closed(): void {
    this.open = Math.max(0, this.open - 1);
    this.closes.record(1);
  }
}
