import { describe, expect, it } from 'vitest';
import { EcsLogger } from '../../src/cli/worker-log.js';
import { Registry } from '../../src/cli/worker-metrics.js';
import { KafkaError } from '../../src/protocol/errors.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const out: string[] = [];
  const log = new EcsLogger({ write: (l: string) => out.push(l) }, level);
  return { log, out, parsed: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('worker ECS log lines', () => {
  it('writes one JSON object per line with the ECS fields first and Kafka fields under kafka', () => {
    const { log, out, parsed } = capture();
    const err = new TypeError('bad\nvalue');
    log.error(
      { topic: 't', partition: 3, offset: 42n, key: Buffer.from('k1'), err, attempts: 2 },
      'Handler failed',
    );
    expect(out).toHaveLength(1);
    expect(out[0].endsWith('\n')).toBe(true);
    expect(out[0].slice(0, -1)).not.toContain('\n');
    const [line] = parsed();
    expect(Object.keys(line).slice(0, 3)).toEqual(['@timestamp', 'log.level', 'message']);
    expect(line).toMatchObject({
      'log.level': 'error',
      message: 'Handler failed',
      'ecs.version': '8.11.0',
      service: { name: 'kafkawire-worker' },
      kafka: { topic: 't', partition: 3, offset: '42', key: 'k1' },
      error: { type: 'TypeError', message: 'bad\nvalue' },
      kafkawire: { attempts: 2 },
    });
    expect((line.error as { stack_trace: string }).stack_trace).toContain('TypeError: bad');
    expect(Number.isNaN(Date.parse(line['@timestamp'] as string))).toBe(false);
  });

  it('maps the error fields the client logs, and a Kafka error code by name', () => {
    const { log, parsed } = capture();
    log.warn({ error: { type: 'KafkaError', message: 'x', code: 7, codeName: 'REQUEST_TIMED_OUT' } }, 'm1');
    log.warn({ err: new KafkaError(7, {}, 'timed out') }, 'm2');
    const [a, b] = parsed();
    expect(a.error).toEqual({ type: 'KafkaError', message: 'x', code: 'REQUEST_TIMED_OUT' });
    expect(b.error).toMatchObject({
      code: 'REQUEST_TIMED_OUT',
      message: expect.stringContaining('timed out'),
    });
  });

  it('drops lines below its level and never throws from a failing sink', () => {
    const { log, out } = capture('warn');
    log.debug({}, 'd');
    log.info({}, 'i');
    log.warn({}, 'w');
    expect(out).toHaveLength(1);
    const broken = new EcsLogger(
      {
        write: () => {
          throw new Error('EPIPE');
        },
      },
      'info',
    );
    expect(() => broken.info({}, 'x')).not.toThrow();
  });
});

describe('worker metrics registry', () => {
  it('renders Prometheus text with HELP, TYPE, escaped labels and summary suffixes', () => {
    const r = new Registry();
    r.define('jobs_total', 'counter', 'Jobs.');
    r.define('latency_seconds', 'summary', 'Latency.');
    r.add('jobs_total', { topic: 'a"b\\c\nd' }, 2);
    r.add('jobs_total', { topic: 'a"b\\c\nd' });
    r.add('latency_seconds', { api: 'Fetch', __suffix: '_sum' }, 0.5);
    r.add('latency_seconds', { api: 'Fetch', __suffix: '_count' });
    expect(r.render()).toBe(
      [
        '# HELP jobs_total Jobs.',
        '# TYPE jobs_total counter',
        'jobs_total{topic="a\\"b\\\\c\\nd"} 3',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds summary',
        'latency_seconds_sum{api="Fetch"} 0.5',
        'latency_seconds_count{api="Fetch"} 1',
        '',
      ].join('\n'),
    );
    expect(r.value('jobs_total', { topic: 'a"b\\c\nd' })).toBe(3);
    r.remove('jobs_total', { topic: 'a"b\\c\nd' });
    expect(r.value('jobs_total', { topic: 'a"b\\c\nd' })).toBe(0);
    expect(() => r.add('undefined_total', {})).toThrow(/not defined/);
  });
});
