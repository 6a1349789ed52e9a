/**
 * Reliability scenario 2 (issue 15), chaos connections: a broker whose client listener is
 * advertised at a ChaosProxy (test/helpers/chaos-proxy.ts), which cuts one client connection at
 * random every 0.5–1.5 s. Through it, an idempotent producer sends 50,000 keyed records carrying
 * per-key sequence numbers over about 15 s without awaiting each, while a group consumer reads them. Then the
 * topic is read back past the proxy and every record counted: nothing acknowledged is missing,
 * nothing is there twice, each key's records are in sequence order, each acknowledged offset is
 * the record's offset in the log, and the group consumer saw every record at least once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, Producer, type RecordMetadata } from '../../src/index.js';
import { uniqueTopic } from '../harness/kafka.js';
import { type KafkaCluster, type NodePorts, startKafka } from '../harness/launcher.js';
import { ChaosProxy } from '../helpers/chaos-proxy.js';
import { ownTopic } from '../helpers/own-broker.js';

let kafka: KafkaCluster;
let proxy: ChaosProxy;
let ports: NodePorts;
beforeAll(async () => {
  kafka = await startKafka({
    nodes: 1,
    extraPorts: 2,
    properties: (n) => {
      ports = n;
      return {
        listeners: `PLAINTEXT://${n.host}:${n.port},CONTROLLER://${n.host}:${n.controllerPort},CHAOS://${n.host}:${n.extra[0]}`,
        'advertised.listeners': `PLAINTEXT://${n.host}:${n.port},CHAOS://${n.host}:${n.extra[1]}`,
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,CHAOS:PLAINTEXT',
      };
    },
  });
  proxy = await new ChaosProxy(
    { host: ports.host, port: ports.extra[0] },
    { host: ports.host, port: ports.extra[1] },
  ).start();
}, 180_000);
afterAll(async () => {
  await proxy?.stop();
  await kafka?.stop();
}, 60_000);

const RECORDS = 50_000;
const KEYS = 200;

describe('connections cut at random every 0.5-1.5 s', () => {
  it('an idempotent producer loses, duplicates and reorders nothing; a group consumer sees every record', async () => {
    const direct = `${ports.host}:${ports.port}`;
    const viaChaos = `${ports.host}:${ports.extra[1]}`;
    const topic = await ownTopic(direct, 'chaos', 6);
    const producer = new Producer({ bootstrapServers: viaChaos, lingerMs: 5, requestTimeoutMs: 5000 });
    const group = new Consumer({
      bootstrapServers: viaChaos,
      groupId: uniqueTopic('chaos-g'),
      autoOffsetReset: 'earliest',
      autoCommitIntervalMs: 200,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      requestTimeoutMs: 5000,
    });
    const seenByGroup = new Set<string>();
    let groupDeliveries = 0;
    let stopGroup = false;
    group.subscribe([topic]);
    const reading = (async () => {
      while (!stopGroup) {
        try {
          for (const b of await group.poll({ timeoutMs: 300 }))
            for (const r of b.records) {
              seenByGroup.add(String(r.value));
              groupDeliveries++;
            }
        } catch {
          // a poll's error under chaos (a commit cut off): the application polls again
        }
      }
    })();
    proxy.chaos(500, 1500);
    const acks = new Map<string, Promise<RecordMetadata>>();
    const seq = new Array<number>(KEYS).fill(0);
    // Paced over about 15 s, so that the cuts land mid-stream (sends are never awaited one by one).
    for (let i = 0; i < RECORDS; i++) {
      const k = i % KEYS;
      const value = `k${k}:${seq[k]++}`;
      acks.set(value, producer.send({ topic, key: `k${k}`, value }));
      if (i % 500 === 499) await new Promise((r) => setTimeout(r, 150));
    }
    const settled = await Promise.allSettled(acks.values());
    const failed = settled.filter((s) => s.status === 'rejected');
    expect(failed.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3)).toEqual([]);
    const deadline = Date.now() + 90_000;
    while (seenByGroup.size < RECORDS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    proxy.calm();
    stopGroup = true;
    await reading;
    await producer.close();
    await group.close().catch(() => {});
    expect(proxy.cut).toBeGreaterThan(3); // the chaos happened
    expect(seenByGroup.size).toBe(RECORDS); // at least once
    expect(groupDeliveries).toBeGreaterThanOrEqual(RECORDS);

    // The log itself, read past the proxy: exactly the acknowledged records, once each, in order.
    const offsets = new Map<string, RecordMetadata>();
    for (const [value, p] of acks) offsets.set(value, await p);
    const reader = new Consumer({
      bootstrapServers: direct,
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 100,
    });
    try {
      reader.assign(Array.from({ length: 6 }, (_, partition) => ({ topic, partition })));
      const inLog = new Map<string, { partition: number; offset: bigint }>();
      let duplicates = 0;
      const lastSeq = new Map<string, number>();
      let disorder = 0;
      const until = Date.now() + 60_000;
      while (inLog.size + duplicates < RECORDS && Date.now() < until) {
        for (const b of await reader.poll({ timeoutMs: 300 }))
          for (const r of b.records) {
            const value = String(r.value);
            if (inLog.has(value)) duplicates++;
            inLog.set(value, { partition: b.partition, offset: r.offset });
            const [key, s] = value.split(':');
            if ((lastSeq.get(key) ?? -1) >= Number(s)) disorder++;
            lastSeq.set(key, Number(s));
          }
      }
      expect(duplicates).toBe(0);
      expect(disorder).toBe(0);
      expect(inLog.size).toBe(RECORDS); // nothing lost
      let mismatched = 0;
      for (const [value, md] of offsets) {
        const at = inLog.get(value);
        if (!at || at.partition !== md.partition || at.offset !== md.offset) mismatched++;
      }
      expect(mismatched).toBe(0);
    } finally {
      await reader.close();
    }
  }, 300_000);
});
