/**
 * Client metrics out of the process: as Prometheus text (`prometheusMetrics`) and as
 * OpenTelemetry observable instruments (`registerOpenTelemetryMetrics`, with any Meter of
 * `@opentelemetry/api` — an optional peer dependency: kafkawire never imports it, the Meter is the
 * application's).
 *
 * Names: Prometheus `kafka_<group>_<name>` with `-` as `_` (`kafka_producer_metrics_record_send_rate`),
 * labels from the tags (`client_id`, `topic`, `partition`); OpenTelemetry `kafka.<group>.<name>`
 * (`kafka.producer-metrics.record-send-rate`), attributes the tags as they are. `*-total` metrics
 * are counters, the rest gauges. Invariants: values are read at scrape/collection time only; a
 * NaN (an average with nothing in its window) is written as Prometheus `NaN` and not observed
 * by OpenTelemetry.
 */
import { METRICS_REGISTRY, type MetricsSource, type MetricValue } from './metrics.js';

/** Prometheus text (format 0.0.4) of the metrics of these clients. */
export function prometheusMetrics(...clients: MetricsSource[]): string {
  const families = new Map<string, { help: string; type: string; lines: string[] }>();
  for (const client of clients) {
    for (const m of client[METRICS_REGISTRY]().list()) {
      const name = promName(m);
      let f = families.get(name);
      if (!f) {
        f = { help: m.description, type: m.name.endsWith('-total') ? 'counter' : 'gauge', lines: [] };
        families.set(name, f);
      }
      f.lines.push(`${name}${promLabels(m.tags)} ${promValue(m.value)}`);
    }
  }
  let out = '';
  for (const [name, f] of families) {
    out += `# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${f.type}\n`;
    for (const line of f.lines) out += `${line}\n`;
  }
  return out;
}

function promName(m: MetricValue): string {
  return `kafka_${m.group}_${m.name}`.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** `{k="v",...}` with Prometheus's escaping (and names made valid), or '' for none. */
export function promLabels(tags: Readonly<Record<string, string>>): string {
  const parts = Object.entries(tags).map(
    ([k, v]) =>
      `${k.replace(/[^a-zA-Z0-9_]/g, '_')}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** A sample value as Prometheus writes it (NaN, +Inf, -Inf). */
export function promValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

/** What an observable instrument's callback gets (OpenTelemetry's ObservableResult). */
export interface OTelObservableResult {
  observe(value: number, attributes?: Record<string, string>): void;
}

/** An OpenTelemetry observable instrument, as far as kafkawire uses it. */
export interface OTelObservable {
  addCallback(callback: (result: OTelObservableResult) => void): void;
  removeCallback(callback: (result: OTelObservableResult) => void): void;
}

/** An OpenTelemetry Meter (`metrics.getMeter('kafkawire')` of `@opentelemetry/api`), as far as kafkawire uses it. */
export interface OTelMeter {
  createObservableGauge(name: string, options?: { description?: string; unit?: string }): OTelObservable;
  createObservableCounter(name: string, options?: { description?: string; unit?: string }): OTelObservable;
}

/**
 * Registers the metrics of these clients as observable instruments of `meter`; they are read at
 * each collection. Returns a function that unregisters them (call it when the clients close).
 */
export function registerOpenTelemetryMetrics(meter: OTelMeter, ...clients: MetricsSource[]): () => void {
  const names = new Map<string, { group: string; description: string }>();
  for (const c of clients)
    for (const [name, d] of c[METRICS_REGISTRY]().names()) names.set(`${d.group}\0${name}`, d);
  const registered: [OTelObservable, (r: OTelObservableResult) => void][] = [];
  for (const [k, d] of names) {
    const name = k.slice(k.indexOf('\0') + 1);
    const full = `kafka.${d.group}.${name}`;
    const instrument = name.endsWith('-total')
      ? meter.createObservableCounter(full, { description: d.description })
      : meter.createObservableGauge(full, { description: d.description });
    const callback = (result: OTelObservableResult) => {
      for (const c of clients) {
        for (const m of c[METRICS_REGISTRY]().list()) {
          if (m.name === name && m.group === d.group && !Number.isNaN(m.value))
            result.observe(m.value, { ...m.tags });
        }
      }
    };
    instrument.addCallback(callback);
    registered.push([instrument, callback]);
  }
  return () => {
    for (const [instrument, callback] of registered) instrument.removeCallback(callback);
  };
}
