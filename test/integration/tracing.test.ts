/**
 * OpenTelemetry tracing against the real broker, with the SDK's in-memory exporter: the
 * producer's `send` spans put W3C trace context in the records' headers, and the consumer's
 * `process` spans around eachMessage are their children (same trace, the send span as parent),
 * with the handler's own spans nested inside; a failing handler's span records the error;
 * poll() gets a `poll` span linked to the records; a client without `tracing` adds no headers.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
let cluster: Cluster;
beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(async () => {
  await cluster.close();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('OpenTelemetry tracing', () => {
  it('links each processed record to the span that sent it through the headers', async () => {
    const topic = uniqueTopic('tracing');
    const groupId = uniqueTopic('tracing-g');
    await createTopic(cluster, topic, 1);
    exporter.reset();
    const producer = new Producer({
      bootstrapServers: brokers(),
      tracing: true,
      clientId: 'traced-producer',
    });
    const tracer = trace.getTracer('test');
    try {
      await tracer.startActiveSpan('checkout', async (parent) => {
        await producer.send([
          { topic, value: 'a' },
          { topic, value: 'b', headers: { existing: 'kept' } },
        ]);
        await producer.send({ topic, value: 'fail-me', headers: [{ key: 'traceparent', value: 'stale' }] });
        parent.end();
      });
    } finally {
      await producer.close();
    }
    const sends = exporter.getFinishedSpans().filter((s) => s.name === `send ${topic}`);
    expect(sends).toHaveLength(3);
    const checkout = exporter.getFinishedSpans().find((s) => s.name === 'checkout');
    for (const [i, s] of sends.entries()) {
      expect(s.kind).toBe(SpanKind.PRODUCER);
      expect(s.parentSpanContext?.spanId).toBe(checkout?.spanContext().spanId);
      expect(s.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': '0',
        'messaging.kafka.offset': i,
      });
    }

    const consumer = new Consumer({
      bootstrapServers: brokers(),
      groupId,
      autoOffsetReset: 'earliest',
      tracing: true,
    });
    const seenHeaders: Record<string, string>[] = [];
    const abort = new AbortController();
    let handled = 0;
    const run = consumer
      .run({
        signal: abort.signal,
        eachMessage: async ({ message }) => {
          seenHeaders.push(
            Object.fromEntries(message.headers.map((h) => [h.key, h.value?.toString() ?? ''])),
          );
          tracer.startSpan('charge card').end(); // the handler's own work, under the active context
          if (++handled === 3) abort.abort();
          if (message.value?.toString() === 'fail-me' && handled === 3) throw new Error('declined');
        },
      })
      .catch((e: unknown) => e);
    consumer.subscribe([topic]);
    const outcome = await run;
    await consumer.close();
    expect((outcome as Error).message).toMatch(/declined/);

    // Every record carried a traceparent naming its send span; the user's header stayed.
    expect(seenHeaders[1].existing).toBe('kept');
    expect(seenHeaders[2].traceparent).not.toBe('stale');
    const spans = exporter.getFinishedSpans();
    const processes = spans.filter((s) => s.name === `process ${topic}`);
    expect(processes).toHaveLength(3);
    for (const [i, p] of processes.entries()) {
      expect(p.kind).toBe(SpanKind.CONSUMER);
      expect(seenHeaders[i].traceparent).toContain(sends[i].spanContext().spanId);
      expect(p.spanContext().traceId).toBe(sends[i].spanContext().traceId);
      expect(p.parentSpanContext?.spanId).toBe(sends[i].spanContext().spanId);
      expect(p.attributes).toMatchObject({
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.consumer.group.name': groupId,
        'messaging.kafka.offset': i,
      });
      const work = spans.find(
        (s) => s.name === 'charge card' && s.parentSpanContext?.spanId === p.spanContext().spanId,
      );
      expect(work, `the handler's span inside process #${i}`).toBeDefined();
    }
    expect(processes[2].status.code).toBe(SpanStatusCode.ERROR);
    expect(processes[2].events.some((e) => e.name === 'exception')).toBe(true);
    expect(processes[0].status.code).not.toBe(SpanStatusCode.ERROR);
  }, 60_000);

  it('gives poll() a receive span linked to its records, and adds nothing when tracing is off', async () => {
    const topic = uniqueTopic('tracing-poll');
    await createTopic(cluster, topic, 1);
    const plain = new Producer({ bootstrapServers: brokers() });
    const traced = new Producer({ bootstrapServers: brokers(), tracing: true });
    try {
      await plain.send({ topic, value: 'untraced' });
      await traced.send({ topic, value: 'traced' });
    } finally {
      await plain.close();
      await traced.close();
    }
    exporter.reset();
    const consumer = new Consumer({
      bootstrapServers: brokers(),
      autoOffsetReset: 'earliest',
      tracing: true,
    });
    try {
      consumer.assign([{ topic, partition: 0 }]);
      let records: { headers: readonly { key: string }[] }[] = [];
      const deadline = Date.now() + 15_000;
      while (records.length < 2 && Date.now() < deadline)
        for (const b of await consumer.poll({ timeoutMs: 500 })) records = records.concat(b.records);
      expect(records).toHaveLength(2);
      expect(records[0].headers).toEqual([]);
      expect(records[1].headers.map((h) => h.key)).toContain('traceparent');
    } finally {
      await consumer.close();
    }
    const polls = exporter.getFinishedSpans().filter((s) => s.name === `poll ${topic}`);
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(polls[0].attributes['messaging.operation.type']).toBe('receive');
    // One link: the traced record's send span (the untraced one has no context to link).
    expect(polls.flatMap((p) => p.links)).toHaveLength(1);
  }, 60_000);
});
