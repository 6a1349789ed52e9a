/**
 * Client metrics against the real broker: the Java-named values agree with what the test
 * produced and consumed (record counts, bytes, lag going to 0, commits, rebalances), and the two
 * exporters carry them — Prometheus text that parses, and OpenTelemetry instruments read by the
 * SDK's MeterProvider.
 */
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Admin,
  Consumer,
  Producer,
  prometheusMetrics,
  registerOpenTelemetryMetrics,
} from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

describe('client metrics', () => {
  it('count what was produced and consumed, keep lag from the fetches, and export both ways', async () => {
    const topic = uniqueTopic('metrics');
    const groupId = uniqueTopic('metrics-g');
    await createTopic(cluster, topic, 2);
    const total = 1000;
    const producer = new Producer({
      bootstrapServers: brokers(),
      clientId: 'metrics-producer',
      compressionType: 'gzip',
      lingerMs: 10,
      bufferMemory: 8 * 1024 * 1024,
    });
    const consumer = new Consumer({
      bootstrapServers: brokers(),
      clientId: 'metrics-consumer',
      groupId,
      autoOffsetReset: 'earliest',
      maxPollRecords: 100,
      enableAutoCommit: false,
    });
    const admin = new Admin({ bootstrapServers: brokers(), clientId: 'metrics-admin' });
    try {
      await producer.send(
        Array.from({ length: total }, (_, i) => ({
          topic,
          partition: i % 2,
          value: `value-${i}-`.repeat(8),
        })),
      );
      const p = producer.metrics();
      expect(p['record-send-total']).toBe(total);
      expect(p['record-error-total']).toBe(0);
      expect(p['record-retry-total']).toBe(0);
      expect(p['record-send-rate']).toBeGreaterThan(0);
      expect(p['batch-size-avg']).toBeGreaterThan(0);
      expect(p['batch-size-max']).toBeGreaterThanOrEqual(p['batch-size-avg']);
      // Repetitive values: gzip takes them well below half.
      expect(p['compression-rate-avg']).toBeGreaterThan(0);
      expect(p['compression-rate-avg']).toBeLessThan(0.5);
      expect(p['buffer-total-bytes']).toBe(8 * 1024 * 1024);
      expect(p['buffer-available-bytes']).toBe(8 * 1024 * 1024); // everything acknowledged
      expect(p['requests-in-flight']).toBe(0);
      expect(p['request-total']).toBeGreaterThan(0);
      expect(p['request-latency-avg']).toBeGreaterThan(0);
      expect(p['request-latency-max']).toBeGreaterThanOrEqual(p['request-latency-avg']);
      expect(p['outgoing-byte-total']).toBeGreaterThan(p['batch-size-avg']);
      expect(p['connection-count']).toBeGreaterThanOrEqual(1);
      expect(p['connection-creation-total']).toBeGreaterThanOrEqual(1);

      consumer.subscribe([topic]);
      let read = 0;
      let lagSeen = 0;
      const deadline = Date.now() + 30_000;
      while (read < total && Date.now() < deadline) {
        for (const b of await consumer.poll({ timeoutMs: 1000 })) read += b.records.length;
        if (read > 0 && read < total) lagSeen = Math.max(lagSeen, consumer.metrics()['records-lag-max'] || 0);
      }
      expect(read).toBe(total);
      await consumer.commit();
      const c = consumer.metrics();
      expect(c['records-consumed-total']).toBe(total);
      expect(c['bytes-consumed-total']).toBeGreaterThan(0);
      expect(lagSeen).toBeGreaterThan(0); // part-way through, some records were still ahead
      expect(c[`records-lag{topic=${topic},partition=0}`]).toBe(0);
      expect(c[`records-lag{topic=${topic},partition=1}`]).toBe(0);
      expect(c['records-lag-max']).toBe(0);
      expect(c['assigned-partitions']).toBe(2);
      expect(c['rebalance-total']).toBeGreaterThanOrEqual(1);
      expect(c['rebalance-latency-avg']).toBeGreaterThan(0);
      expect(c['commit-total']).toBeGreaterThanOrEqual(1);
      expect(c['commit-latency-avg']).toBeGreaterThan(0);
      expect(c['fetch-total']).toBeGreaterThan(0);
      expect(c['fetch-latency-max']).toBeGreaterThanOrEqual(c['fetch-latency-avg']);

      await admin.listTopics();
      expect(admin.metrics()['request-total']).toBeGreaterThan(0);

      // Prometheus text: every sample line parses, HELP and TYPE before it; the counts are there.
      const text = prometheusMetrics(producer, consumer, admin);
      const samples = new Map<string, number>();
      let typed = '';
      for (const line of text.trimEnd().split('\n')) {
        const t = /^# TYPE (\S+) (counter|gauge)$/.exec(line);
        if (t) {
          typed = t[1];
          continue;
        }
        if (line.startsWith('# HELP ')) continue;
        const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(\{[^}]*\})? (\S+)$/.exec(line);
        expect(m, line).not.toBeNull();
        expect(m?.[1]).toBe(typed);
        samples.set(`${m?.[1]}${m?.[2] ?? ''}`, Number(m?.[3]));
      }
      expect(samples.get('kafka_producer_metrics_record_send_total{client_id="metrics-producer"}')).toBe(
        total,
      );
      expect(
        samples.get(
          'kafka_consumer_fetch_manager_metrics_records_consumed_total{client_id="metrics-consumer"}',
        ),
      ).toBe(total);
      expect(
        samples.get(
          `kafka_consumer_fetch_manager_metrics_records_lag{client_id="metrics-consumer",topic="${topic}",partition="1"}`,
        ),
      ).toBe(0);

      // OpenTelemetry: the SDK's MeterProvider reads the same values.
      const reader = new TestReader();
      const provider = new MeterProvider({ readers: [reader] });
      const unregister = registerOpenTelemetryMetrics(
        provider.getMeter('kafkawire-test'),
        producer,
        consumer,
      );
      const { resourceMetrics } = await reader.collect();
      const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
      const sent = metrics.find((m) => m.descriptor.name === 'kafka.producer-metrics.record-send-total');
      expect(sent?.dataPoints.map((d) => [d.attributes['client-id'], d.value])).toEqual([
        ['metrics-producer', total],
      ]);
      const lag = metrics.find(
        (m) => m.descriptor.name === 'kafka.consumer-fetch-manager-metrics.records-lag',
      );
      expect(lag?.dataPoints).toHaveLength(2);
      for (const d of lag?.dataPoints ?? []) expect(d.value).toBe(0);
      unregister();
      await provider.shutdown();
    } finally {
      await producer.close();
      await consumer.close();
      await admin.close();
    }
  }, 90_000);
});
