/**
 * OpenTelemetry tracing, opt-in (`tracing: true` on a Producer or Consumer), after the messaging
 * semantic conventions: a PRODUCER span `send <topic>` per record, whose context travels in the
 * record's headers as W3C trace context (`traceparent`, `tracestate`, through the globally
 * registered propagator); a CONSUMER span `process <topic>` around each `eachMessage` handler,
 * child of the context extracted from the record's headers (the handler runs inside it, so its
 * own spans nest); `process <topic>` around an `eachBatch` handler and `poll` for a poll(), each
 * linked to the records' contexts.
 *
 * `@opentelemetry/api` is an optional peer dependency, loaded only when tracing is turned on (a
 * ConfigError says so when it is missing); spans go to whatever tracer provider, propagator and
 * context manager the application registered. Invariants: nothing here runs when tracing is off
 * (the clients hold `null`); a span always ends, once, with the error recorded on a failure; the
 * types below are kafkawire's own, so no public type depends on the optional package.
 */
import { createRequire } from 'node:module';
import { ConfigError } from '../protocol/errors.js';
import { CLIENT_SOFTWARE_VERSION } from '../version.js';

/** The tracing option of Producer and Consumer. */
export interface TracingConfig {
  /**
   * OpenTelemetry spans for sends and handlers, with W3C trace context in record headers (needs
   * `@opentelemetry/api`, and an SDK registered by the application). Default false.
   */
  tracing?: boolean;
}

/** Names of the tracing options (see `TracingConfig`). */
export const TRACING_OPTIONS = ['tracing'] as const;

// The part of @opentelemetry/api used here, typed structurally.
interface OtelContext {
  readonly __otelContext?: never;
}
interface OtelSpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
}
interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(err: Error | string): void;
  spanContext(): OtelSpanContext;
  end(): void;
}
interface OtelTracer {
  startSpan(
    name: string,
    options: {
      kind: number;
      attributes?: Record<string, string | number | boolean>;
      links?: { context: OtelSpanContext }[];
    },
    context?: OtelContext,
  ): OtelSpan;
}
interface OtelApi {
  trace: {
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
    getSpanContext(context: OtelContext): OtelSpanContext | undefined;
  };
  context: { active(): OtelContext; with<T>(context: OtelContext, fn: () => T): T };
  propagation: {
    inject(
      context: OtelContext,
      carrier: Record<string, string>,
      setter?: { set(c: Record<string, string>, k: string, v: string): void },
    ): void;
    extract(
      context: OtelContext,
      carrier: unknown,
      getter: { keys(c: unknown): string[]; get(c: unknown, k: string): string | undefined },
    ): OtelContext;
  };
  ROOT_CONTEXT: OtelContext;
}

const SPAN_KIND_PRODUCER = 3;
const SPAN_KIND_CONSUMER = 4;
const STATUS_ERROR = 2;
/** Links per poll/batch span, at most (a poll can hand out thousands of records). */
const MAX_LINKS = 128;

/** Record headers as the decoder gives them. */
type DecodedHeaders = readonly { key: string; value: Buffer | null }[];

const headerGetter = {
  keys: (c: unknown) => (c as DecodedHeaders).map((h) => h.key),
  get: (c: unknown, k: string) => {
    for (const h of c as DecodedHeaders) if (h.key === k && h.value) return h.value.toString('utf8');
    return undefined;
  },
};

let loaded: OtelApi | null = null;

function loadApi(): OtelApi {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
  } catch {
    throw new ConfigError(
      'tracing',
      "needs the optional peer dependency '@opentelemetry/api' (npm install @opentelemetry/api) and an OpenTelemetry SDK registered by the application",
    );
  }
  return loaded;
}

/** The tracing of one client, or null when off. */
export function resolveTracing(
  c: TracingConfig,
  client: 'producer' | 'consumer',
  clientId: string,
): Tracing | null {
  if (c.tracing === undefined || c.tracing === false) return null;
  if (c.tracing !== true)
    throw new ConfigError('tracing', `expected true or false, got ${String(c.tracing)}`);
  return new Tracing(loadApi(), client, clientId);
}

/** A send span: the headers to send with, and how to end it. */
export interface SendSpan {
  /** The trace context to add to the record's headers. */
  carrier: Record<string, string>;
  end(result: { partition: number; offset: bigint } | Error): void;
}

export class Tracing {
  private readonly tracer: OtelTracer;

  constructor(
    private readonly api: OtelApi,
    client: 'producer' | 'consumer',
    private readonly clientId: string,
  ) {
    this.tracer = api.trace.getTracer(`kafkawire-${client}`, CLIENT_SOFTWARE_VERSION);
  }

  /** Starts `send <topic>` under the active context; its context goes into `carrier`. */
  send(topic: string, partition: number | undefined): SendSpan {
    const { api } = this;
    const parent = api.context.active();
    const attributes: Record<string, string | number> = {
      'messaging.system': 'kafka',
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'messaging.destination.name': topic,
      'messaging.client.id': this.clientId,
    };
    if (partition !== undefined) attributes['messaging.destination.partition.id'] = String(partition);
    const span = this.tracer.startSpan(`send ${topic}`, { kind: SPAN_KIND_PRODUCER, attributes }, parent);
    const carrier: Record<string, string> = {};
    api.propagation.inject(api.trace.setSpan(parent, span), carrier);
    let ended = false;
    return {
      carrier,
      end: (result) => {
        if (ended) return;
        ended = true;
        if (result instanceof Error) fail(span, result);
        else {
          span.setAttribute('messaging.destination.partition.id', String(result.partition));
          if (result.offset >= 0n) span.setAttribute('messaging.kafka.offset', Number(result.offset));
        }
        span.end();
      },
    };
  }

  /** The context a record's headers carry (the producer's span), or none. */
  private extracted(headers: DecodedHeaders): OtelContext {
    return this.api.propagation.extract(this.api.ROOT_CONTEXT, headers, headerGetter);
  }

  /** Runs `fn` inside `process <topic>`, child of the record's context; ends it with fn's outcome. */
  async process<T>(
    topic: string,
    partition: number,
    record: { offset: bigint; headers: DecodedHeaders; value: Buffer | null },
    group: string | null,
    fn: () => T | Promise<T>,
  ): Promise<T> {
    const { api } = this;
    const parent = this.extracted(record.headers);
    const attributes: Record<string, string | number> = {
      ...this.consumerAttributes(topic, group, 'process'),
      'messaging.destination.partition.id': String(partition),
      'messaging.kafka.offset': Number(record.offset),
    };
    if (record.value) attributes['messaging.message.body.size'] = record.value.length;
    const span = this.tracer.startSpan(`process ${topic}`, { kind: SPAN_KIND_CONSUMER, attributes }, parent);
    // Nested under the application's active context would make every record a child of
    // whatever was active when run() started; the producer's span is the parent instead.
    return this.runIn(span, api.trace.setSpan(parent, span), fn);
  }

  /** Runs `fn` inside `process <topic>` for a batch, linked to each record's context. */
  async processBatch<T>(
    topic: string,
    partition: number,
    records: readonly { headers: DecodedHeaders }[],
    group: string | null,
    fn: () => T | Promise<T>,
  ): Promise<T> {
    const attributes: Record<string, string | number> = {
      ...this.consumerAttributes(topic, group, 'process'),
      'messaging.destination.partition.id': String(partition),
      'messaging.batch.message_count': records.length,
    };
    const span = this.tracer.startSpan(`process ${topic}`, {
      kind: SPAN_KIND_CONSUMER,
      attributes,
      links: this.links(records),
    });
    return this.runIn(span, this.api.trace.setSpan(this.api.context.active(), span), fn);
  }

  /** A `poll` span for records handed out by poll(), linked to their contexts; ends at once. */
  received(
    topics: readonly string[],
    records: readonly { headers: DecodedHeaders }[],
    group: string | null,
  ): void {
    const single = topics.length === 1 ? topics[0] : undefined;
    const attributes: Record<string, string | number> = {
      ...this.consumerAttributes(single, group, 'receive'),
      'messaging.batch.message_count': records.length,
    };
    const span = this.tracer.startSpan(single ? `poll ${single}` : 'poll', {
      kind: SPAN_KIND_CONSUMER,
      attributes,
      links: this.links(records),
    });
    span.end();
  }

  private consumerAttributes(
    topic: string | undefined,
    group: string | null,
    type: 'process' | 'receive',
  ): Record<string, string> {
    const a: Record<string, string> = {
      'messaging.system': 'kafka',
      'messaging.operation.name': type === 'process' ? 'process' : 'poll',
      'messaging.operation.type': type,
      'messaging.client.id': this.clientId,
    };
    if (topic !== undefined) a['messaging.destination.name'] = topic;
    if (group !== null) a['messaging.consumer.group.name'] = group;
    return a;
  }

  private links(records: readonly { headers: DecodedHeaders }[]): { context: OtelSpanContext }[] {
    const links: { context: OtelSpanContext }[] = [];
    for (const r of records) {
      if (links.length >= MAX_LINKS) break;
      if (r.headers.length === 0) continue;
      const sc = this.api.trace.getSpanContext(this.extracted(r.headers));
      if (sc) links.push({ context: sc });
    }
    return links;
  }

  private async runIn<T>(span: OtelSpan, ctx: OtelContext, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await this.api.context.with(ctx, fn);
    } catch (err) {
      fail(span, err);
      throw err;
    } finally {
      span.end();
    }
  }
}

function fail(span: OtelSpan, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  span.recordException(e);
  span.setStatus({ code: STATUS_ERROR, message: e.message });
  span.setAttribute('error.type', e.name);
}
