/**
 * What `kafkawire worker` serves on /metrics: the worker's own counters (records handled, handler
 * failures, dead-lettered records, handler time), consumer lag per partition as the fetches saw
 * it, group and broker state, and per-API request counts, errors, latency and bytes read from
 * the `kafkawire:request` diagnostics channel, in the Prometheus text format (version 0.0.4).
 *
 * Invariants: a series exists from its first observation on and is never reset (counters only
 * grow); lag is highWatermark − (offset + 1) of the last record handled, so no extra request is
 * made for it; a partition no longer assigned is dropped from the lag gauge; `close()` removes the
 * channel subscriptions.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import {
  type CloseMessage,
  type ConnectMessage,
  DIAGNOSTICS_CHANNELS,
  type RequestMessage,
} from '../network/diagnostics.js';
import { promLabels, promValue } from '../network/metrics-export.js';

type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge' | 'summary';
  series: Map<string, { labels: Labels; value: number }>;
}

/** Counters and gauges with labels, rendered as Prometheus text. */
export class Registry {
  private readonly families = new Map<string, Family>();

  define(name: string, type: Family['type'], help: string): void {
    if (!this.families.has(name)) this.families.set(name, { help, type, series: new Map() });
  }

  add(name: string, labels: Labels, by = 1): void {
    const s = this.entry(name, labels);
    s.value += by;
  }

  set(name: string, labels: Labels, value: number): void {
    this.entry(name, labels).value = value;
  }

  remove(name: string, labels: Labels): void {
    this.families.get(name)?.series.delete(seriesKey(labels));
  }

  /** The value of one series (0 when never observed): for tests and the health check. */
  value(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.series.get(seriesKey(labels))?.value ?? 0;
  }

  render(): string {
    let out = '';
    for (const [name, f] of this.families) {
      out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n`;
      for (const { labels, value } of f.series.values()) {
        // A summary family holds its _sum and _count series under a `__suffix` label.
        const { __suffix: suffix = '', ...rest } = labels;
        out += `${name}${suffix}${promLabels(rest)} ${promValue(value)}\n`;
      }
    }
    return out;
  }

  private entry(name: string, labels: Labels): { labels: Labels; value: number } {
    const f = this.families.get(name);
    if (!f) throw new Error(`metric ${name} is not defined`);
    const k = seriesKey(labels);
    let s = f.series.get(k);
    if (!s) {
      s = { labels, value: 0 };
      f.series.set(k, s);
    }
    return s;
  }
}

function seriesKey(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join('\0');
}

const P = 'kafkawire_';

/** The worker's metrics, and the request metrics of this process from the diagnostics channels. */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly requests = tracingChannel<unknown, RequestMessage>(DIAGNOSTICS_CHANNELS.request);
  private readonly handlers = {
    start: () => {},
    end: () => {},
    asyncStart: () => {},
    asyncEnd: (m: RequestMessage) => this.request(m, false),
    error: (m: RequestMessage) => this.request(m, true),
  };
  /** Connections that finished start-up and are not closed (one that never did is not counted). */
  private readonly open = new Set<number>();
  private readonly onConnect = (m: unknown) => {
    this.open.add((m as ConnectMessage).connectionId);
    this.registry.set(`${P}connection_count`, {}, this.open.size);
  };
  private readonly onClose = (m: unknown) => {
    const { connectionId, error } = m as CloseMessage;
    if (!this.open.delete(connectionId)) return;
    this.registry.set(`${P}connection_count`, {}, this.open.size);
    if (error) this.registry.add(`${P}connection_close_errors_total`, {});
  };

  constructor() {
    const r = this.registry;
    r.define(`${P}worker_records_handled_total`, 'counter', 'Records whose handler resolved.');
    r.define(`${P}worker_handler_errors_total`, 'counter', 'Handler failures, retries included.');
    r.define(`${P}worker_dlq_records_total`, 'counter', 'Records sent to the dead-letter topic.');
    r.define(`${P}worker_handler_duration_seconds`, 'summary', 'Time in the handler per record handled.');
    r.define(`${P}consumer_records_lag`, 'gauge', 'highWatermark - position of each assigned partition.');
    r.define(`${P}worker_assigned_partitions`, 'gauge', 'Partitions this member holds.');
    r.define(`${P}worker_group_member`, 'gauge', '1 while this worker is a member of its group.');
    r.define(`${P}worker_brokers_reachable`, 'gauge', '0 while no broker answers a metadata request.');
    r.define(`${P}worker_rebalances_total`, 'counter', 'Completed rebalances (assignments received).');
    r.define(`${P}connection_count`, 'gauge', 'Open broker connections.');
    r.define(`${P}connection_close_errors_total`, 'counter', 'Connections closed by an error.');
    r.define(`${P}requests_total`, 'counter', 'Requests sent, by API.');
    r.define(
      `${P}request_errors_total`,
      'counter',
      'Requests that failed (timeout, closed connection), by API.',
    );
    r.define(`${P}request_latency_seconds`, 'summary', 'Request latency (write to decoded answer), by API.');
    r.define(`${P}request_bytes_total`, 'counter', 'Bytes written in requests, by API.');
    r.define(`${P}response_bytes_total`, 'counter', 'Bytes read in responses, by API.');
    r.set(`${P}worker_group_member`, {}, 0);
    r.set(`${P}worker_brokers_reachable`, {}, 1);
    r.set(`${P}connection_count`, {}, 0);
    this.requests.subscribe(this.handlers);
    channel(DIAGNOSTICS_CHANNELS.connect).subscribe(this.onConnect);
    channel(DIAGNOSTICS_CHANNELS.close).subscribe(this.onClose);
  }

  handled(topic: string, seconds: number): void {
    this.registry.add(`${P}worker_records_handled_total`, { topic });
    this.registry.add(`${P}worker_handler_duration_seconds`, { topic, __suffix: '_sum' }, seconds);
    this.registry.add(`${P}worker_handler_duration_seconds`, { topic, __suffix: '_count' });
  }

  failed(topic: string): void {
    this.registry.add(`${P}worker_handler_errors_total`, { topic });
  }

  deadLettered(topic: string): void {
    this.registry.add(`${P}worker_dlq_records_total`, { topic });
  }

  lag(topic: string, partition: number, lag: bigint): void {
    this.registry.set(`${P}consumer_records_lag`, { topic, partition: String(partition) }, Number(lag));
  }

  /** Partitions given up: their lag is no longer this worker's to report. */
  dropLag(partitions: readonly { topic: string; partition: number }[]): void {
    for (const tp of partitions)
      this.registry.remove(`${P}consumer_records_lag`, { topic: tp.topic, partition: String(tp.partition) });
  }

  close(): void {
    this.requests.unsubscribe(this.handlers);
    channel(DIAGNOSTICS_CHANNELS.connect).unsubscribe(this.onConnect);
    channel(DIAGNOSTICS_CHANNELS.close).unsubscribe(this.onClose);
  }

  private request(m: RequestMessage, failed: boolean): void {
    const api = { api: m.api };
    const r = this.registry;
    r.add(`${P}requests_total`, api);
    if (failed) r.add(`${P}request_errors_total`, api);
    r.add(`${P}request_latency_seconds`, { ...api, __suffix: '_sum' }, (m.durationMs ?? 0) / 1000);
    r.add(`${P}request_latency_seconds`, { ...api, __suffix: '_count' });
    r.add(`${P}request_bytes_total`, api, m.requestBytes);
    if (m.responseBytes !== undefined) r.add(`${P}response_bytes_total`, api, m.responseBytes);
  }
}
