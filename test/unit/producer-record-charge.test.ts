/**
 * bufferMemory bounds the sends small records keep alive: each unacknowledged record is charged
 * RECORD_CHARGE_BYTES (its promise, settlers and sink) on top of its batch's bytes. Against an
 * in-process broker that holds every Produce answer until told, so nothing is ever freed while
 * the test fills the producer.
 */
import { describe, expect, it } from 'vitest';
import { RECORD_CHARGE_BYTES } from '../../src/producer/accumulator.js';
import { Producer } from '../../src/producer/producer.js';
import { FakeBroker, FakeLog } from '../helpers/fake-broker.js';
import { faultHarness } from '../helpers/fault-harness.js';

const TOPIC = 'small-records';
const { brokers, clients: producers } = faultHarness<Producer>((p) => p.close({ timeoutMs: 200 }));

describe('Producer: bufferMemory counts what each unacknowledged record holds', () => {
  it('takes at most bufferMemory / RECORD_CHARGE_BYTES records of 100 B while the broker does not answer, and loses none of them', async () => {
    let release: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    const log = new FakeLog({ topics: { [TOPIC]: 1 } });
    const broker = await new FakeBroker({
      log,
      onProduce: async (req) => {
        if (req.index > 0) await answered; // the first is answered: metadata and connection are up
        return undefined;
      },
    }).start();
    brokers.push(broker);
    const bufferMemory = 1024 * 1024;
    const p = new Producer({
      bootstrapServers: `127.0.0.1:${broker.port}`,
      bufferMemory,
      lingerMs: 0,
      maxBlockMs: 10_000,
    });
    producers.push(p);
    await p.send({ topic: TOPIC, value: 'first' });
    const value = Buffer.alloc(100, 7);
    const sends: Promise<unknown>[] = [];
    // As a backpressured caller does: send while needsDrain is clear (at most 20,000, the count
    // 1 MiB of batches of 100 B records would take without the charge is about 9,000).
    while (!p.needsDrain && sends.length < 20_000) sends.push(p.send({ topic: TOPIC, value }));
    expect(p.needsDrain).toBe(true);
    expect(sends.length).toBeLessThanOrEqual(bufferMemory / RECORD_CHARGE_BYTES);
    expect(sends.length).toBeGreaterThan(1000); // batches still fill: 16 KiB batches of ~145 records
    release();
    await p.drained();
    const settled = await Promise.allSettled(sends);
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    expect(log.values(TOPIC, 0).length).toBe(sends.length + 1);
  });
});
