/**
 * The memory a consumer holds ahead of a slow application, measured in a child process
 * (ArrayBuffer bytes alive after a full GC, see test/helpers/memory-probe.ts) against the real
 * broker: about `fetchMaxBytes` in all however many partitions, plus a batch or two (a broker
 * sends the first batch of a response whole; one decoded batch per partition is being handed
 * out). It used to be about twice fetchMaxBytes: each fetch asked for all of it while the total
 * buffered was still under it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';

const PROBE = fileURLToPath(new URL('../helpers/memory-probe.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const MiB = 1024 * 1024;

describe('memory held ahead of a slow application', () => {
  it('stays near fetchMaxBytes (2 MiB) with 4 partitions of 4 MiB each, stalled and draining, every record read', async () => {
    const partitions = 4;
    const perPartition = 4000;
    const cluster = new Cluster({ bootstrapServers: brokers() });
    await cluster.connect();
    const topic = uniqueTopic('memory');
    await createTopic(cluster, topic, partitions);
    await cluster.close();
    const producer = new Producer({ bootstrapServers: brokers(), batchSize: 64 * 1024, lingerMs: 5 });
    const value = Buffer.alloc(1000, 7);
    for (let p = 0; p < partitions; p++) {
      await producer.send(Array.from({ length: perPartition }, () => ({ topic, partition: p, value })));
    }
    await producer.close();

    const fetchMaxBytes = 2 * MiB;
    const args = {
      brokers: brokers(),
      topic,
      partitions,
      records: partitions * perPartition,
      fetchMaxBytes,
      // Per partition the limit would allow 4 x 2 x 1 MiB: the total is what binds.
      maxPartitionFetchBytes: MiB,
      stallMs: 1500,
    };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', PROBE, JSON.stringify(args)],
      { cwd: REPO, timeout: 90_000 },
    );
    const r = JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
      stalledPeak: number;
      drainingPeak: number;
      read: number;
    };
    expect(r.read).toBe(partitions * perPartition);
    // fetchMaxBytes plus a batch of 64 KiB or two; it used to reach about 2 x fetchMaxBytes.
    expect(r.stalledPeak).toBeGreaterThan(fetchMaxBytes / 2); // it did fetch ahead
    expect(r.stalledPeak).toBeLessThan(fetchMaxBytes * 1.4);
    expect(r.drainingPeak).toBeLessThan(fetchMaxBytes * 1.4);
  });
});
