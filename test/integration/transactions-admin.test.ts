/**
 * Listing, describing and aborting transactions: Admin.listTransactions / describeTransactions /
 * fenceProducers and `kafkawire transactions list|describe|abort` (the built binary) against a
 * transaction left open by its producer.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Producer, ProducerFencedError, UnsupportedVersionError } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { buildDist, CLI_ENTRY } from '../harness/build.js';
import { brokers, kafkaMajor, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';
import { valuesByPartition, waitStable } from '../helpers/transactions.js';

const exec = promisify(execFile);

async function kw(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI_ENTRY, ...args], {
      env: { ...process.env, KAFKA_BROKERS: brokers() },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let cluster: Cluster;
let admin: Admin;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
  admin = new Admin({ bootstrapServers: brokers() });
  await buildDist();
}, 120_000);
afterAll(async () => {
  await cluster.close();
  await admin.close();
});

describe('transactions: admin and CLI', () => {
  it('lists, describes and aborts a transaction its producer left open', async () => {
    const topic = uniqueTopic('tx-admin');
    await createTopic(cluster, topic, 2);
    const id = uniqueTopic('tx-admin-id');
    const producer = new Producer({
      bootstrapServers: brokers(),
      transactionalId: id,
      transactionTimeoutMs: 300_000,
    });
    try {
      await producer.initTransactions();
      producer.beginTransaction();
      await producer.send([
        { topic, partition: 0, value: 'hanging-0' },
        { topic, partition: 1, value: 'hanging-1' },
      ]);

      const listed = await admin.listTransactions({ states: ['Ongoing'] });
      const mine = listed.find((t) => t.transactionalId === id);
      expect(mine).toMatchObject({ state: 'Ongoing' });
      if (kafkaMajor() >= 4) {
        expect(
          (await admin.listTransactions({ transactionalIdPattern: `^${id}$` })).map((t) => t.transactionalId),
        ).toEqual([id]);
        expect(await admin.listTransactions({ transactionalIdPattern: '^no-such-id-at-all$' })).toEqual([]);
      } else {
        // The pattern filter is ListTransactions v2 (KIP-1152, 4.x): refused, not silently ignored.
        await expect(admin.listTransactions({ transactionalIdPattern: `^${id}$` })).rejects.toBeInstanceOf(
          UnsupportedVersionError,
        );
      }

      const [d] = await admin.describeTransactions([id]);
      expect(d).toMatchObject({
        transactionalId: id,
        state: 'Ongoing',
        transactionTimeoutMs: 300_000,
        producerId: mine?.producerId,
        error: null,
      });
      expect(d.transactionStartTimeMs).toBeGreaterThan(Date.now() - 60_000);
      expect(d.partitions.sort((a, b) => a.partition - b.partition)).toEqual([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ]);
      const [unknown] = await admin.describeTransactions([uniqueTopic('never-used')]);
      expect(unknown.error?.type).toBe('TRANSACTIONAL_ID_NOT_FOUND');

      // The CLI shows the same.
      const list = await kw(['transactions', 'list', '--state', 'Ongoing']);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/^TRANSACTIONAL-ID\s+PRODUCER-ID\s+STATE\s+COORDINATOR/);
      expect(list.stdout).toMatch(new RegExp(`${id}\\s+${mine?.producerId}\\s+Ongoing`));
      const json = await kw(['--json', 'transactions', 'describe', id]);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({
        transactionalId: id,
        state: 'Ongoing',
        producerId: String(d.producerId),
      });
      const human = await kw(['transactions', 'describe', id]);
      expect(human.stdout).toMatch(new RegExp(`Transactional id: ${id}\\s+State: Ongoing`));
      expect(human.stdout).toMatch(new RegExp(`${topic}\\s+0`));
      const missing = await kw(['transactions', 'describe', 'no-such-transactional-id-x']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^kafkawire: error: .*does not exist/);
      const usage = await kw(['transactions', 'frobnicate']);
      expect(usage.code).toBe(2);

      // Abort it from the CLI: the records never become visible, and the producer is fenced.
      const abort = await kw(['transactions', 'abort', id]);
      expect(abort.code, abort.stderr).toBe(0);
      expect(abort.stdout).toMatch(/open transaction is aborted/);
      await waitStable(cluster, topic, 2, 15_000);
      expect(await valuesByPartition(cluster, topic, 1)).toEqual([[], []]);
      await expect(producer.commitTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
      const [after] = await admin.describeTransactions([id]);
      expect(after.state).not.toBe('Ongoing');
      expect(after.producerEpoch).toBeGreaterThan(d.producerEpoch);
    } finally {
      await producer.close();
    }
  }, 120_000);
});
