/**
 * The log lines of `kafkawire worker`: one Elastic Common Schema (ECS) JSON object per line, the
 * shape Fluent Bit's `json` parser and Elasticsearch take as they are.
 *
 * Invariants: every line is one `JSON.stringify` of a plain object followed by `\n` (no newline
 * inside: JSON escapes them), starting with `@timestamp`, `log.level` and `message` as the ECS
 * logging spec asks; an error becomes `error.type` / `error.message` / `error.stack_trace`; Kafka
 * coordinates go under `kafka.*`, everything else the client logs under `kafkawire.*`. Bigints
 * (offsets) are written as strings, buffers (keys) as UTF-8. Nothing here throws into the caller.
 */
import type { Logger, LogLevel } from '../network/logger.js';

/** The ECS version these lines follow. */
export const ECS_VERSION = '8.11.0';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Fields that name a place in Kafka: written under `kafka.`. */
const KAFKA_FIELDS = new Set([
  'topic',
  'partition',
  'offset',
  'key',
  'group',
  'memberId',
  'generation',
  'memberEpoch',
  'broker',
  'nodeId',
  'clientId',
  'assignedPartitions',
  'highWatermark',
  'dlq',
]);

/** Where lines go: stdout or a file stream. */
export interface LineSink {
  write(line: string): unknown;
}

/** A pino-shaped {@link Logger} writing ECS JSON lines. */
export class EcsLogger implements Logger {
  private readonly min: number;

  constructor(
    private readonly sink: LineSink,
    level: LogLevel,
    private readonly service = 'kafkawire-worker',
  ) {
    this.min = RANK[level];
  }

  debug(fields: object, message: string): void {
    this.line('debug', fields, message);
  }

  info(fields: object, message: string): void {
    this.line('info', fields, message);
  }

  warn(fields: object, message: string): void {
    this.line('warn', fields, message);
  }

  error(fields: object, message: string): void {
    this.line('error', fields, message);
  }

  private line(level: Exclude<LogLevel, 'silent'>, fields: object, message: string): void {
    if (RANK[level] < this.min) return;
    try {
      this.sink.write(`${JSON.stringify(ecsLine(level, fields, message, this.service), replacer)}\n`);
    } catch {
      // A log line must never break the worker (a closed stream, a field that cannot be written).
    }
  }
}

/** The ECS object of one line. */
export function ecsLine(
  level: string,
  fields: object,
  message: string,
  service: string,
): Record<string, unknown> {
  const line: Record<string, unknown> = {
    '@timestamp': new Date().toISOString(),
    'log.level': level,
    message,
    'ecs.version': ECS_VERSION,
    service: { name: service },
    process: { pid: process.pid },
  };
  const kafka: Record<string, unknown> = {};
  const other: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (k === 'error' || k === 'err') line.error = ecsError(v);
    else if (KAFKA_FIELDS.has(k)) kafka[k] = v;
    else other[k] = v;
  }
  if (Object.keys(kafka).length > 0) line.kafka = kafka;
  if (Object.keys(other).length > 0) line.kafkawire = other;
  return line;
}

/** ECS `error.*` of an Error, or of the `{ type, message, code }` the client's lines carry. */
function ecsError(v: unknown): Record<string, unknown> {
  if (v instanceof Error) {
    const e = v as Error & { code?: unknown; type?: unknown };
    const out: Record<string, unknown> = { type: e.name, message: e.message };
    if (e.stack) out.stack_trace = e.stack;
    if (typeof e.type === 'string') out.code = e.type;
    else if (e.code !== undefined) out.code = String(e.code);
    if (e.cause instanceof Error) out.cause = { type: e.cause.name, message: e.cause.message };
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = { type: o.type ?? 'Error', message: String(o.message ?? '') };
    if (o.codeName !== undefined) out.code = String(o.codeName);
    else if (o.code !== undefined) out.code = String(o.code);
    return out;
  }
  return { type: 'Error', message: String(v) };
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer') {
    const data = (value as { data?: unknown }).data;
    if (Array.isArray(data)) return Buffer.from(data).toString('utf8');
  }
  return value;
}
