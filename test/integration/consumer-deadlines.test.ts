/**
 * Every poll returns by its timeoutMs, whatever the group does: an eager rebalance the broker
 * holds for a member that does not rejoin (the real broker), a coordinator that is not available
 * (the fake broker answers FindCoordinator with COORDINATOR_NOT_AVAILABLE, which a real broker
 * cannot be made to do on demand). The join goes on in the background, and completes once it can.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Consumer, type ConsumerConfig, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { Writer } from '../../src/protocol/writer.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { FakeBroker, FakeLog, LOG_APIS } from '../helpers/fake-broker.js';
import { createTopic, waitFor } from '../helpers/topics.js';

const FIND_COORDINATOR = 10;

const open: Consumer[] = [];
const fakes: FakeBroker[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((b) => b.stop()));
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})));
});

function consumer(config: Partial<ConsumerConfig> & Pick<ConsumerConfig, 'bootstrapServers'>): Consumer {
  const c = new Consumer({ autoOffsetReset: 'earliest', heartbeatIntervalMs: 300, ...config });
  open.push(c);
  return c;
}

/** How long each of `n` polls of `timeoutMs` took, in ms. */
async function timePolls(c: Consumer, n: number, timeoutMs: number): Promise<number[]> {
  const took: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = Date.now();
    await c.poll({ timeoutMs }).catch(() => []);
    took.push(Date.now() - started);
  }
  return took;
}

describe('poll keeps its deadline while the group cannot complete a join', () => {
  it('an eager rebalance held for a member that does not rejoin: each poll returns by its timeout, the join completes after', async () => {
    const cluster = new Cluster({ bootstrapServers: brokers() });
    await cluster.connect();
    const topic = uniqueTopic('held');
    await createTopic(cluster, topic, 2);
    await cluster.close();
    const producer = new Producer({ bootstrapServers: brokers() });
    await producer.send([{ topic, value: 'one' }]);
    await producer.close();
    const groupId = uniqueTopic('g');
    // The broker waits up to the largest rebalance timeout (maxPollIntervalMs) of the members
    // for each to rejoin: `stuck` stops polling once it is in, so it never rejoins.
    const base = {
      bootstrapServers: brokers(),
      groupId,
      sessionTimeoutMs: 30_000,
      maxPollIntervalMs: 40_000,
    };
    const a = consumer(base);
    const stuck = consumer(base);
    a.subscribe([topic]);
    stuck.subscribe([topic]);
    await waitFor(async () => {
      await Promise.all([a.poll({ timeoutMs: 100 }), stuck.poll({ timeoutMs: 100 })]);
      return a.assignment().length === 1 && stuck.assignment().length === 1;
    }, 'two members with a partition each');

    // A third member makes the group rebalance; `a` rejoins at its next poll, held by the broker.
    const late = consumer(base);
    late.subscribe([topic]);
    void late.poll({ timeoutMs: 100 }).catch(() => {});
    const took = await timePolls(a, 4, 1000);
    // Each poll used to wait in JoinGroup until `stuck` was dropped, 40 s later.
    for (const ms of took) expect(ms).toBeLessThan(2500);
    expect(a.assignment()).toEqual([]); // eager: everything revoked meanwhile

    // Once `stuck` leaves, the join completes and `a` reads again.
    await stuck.close();
    await waitFor(async () => {
      await Promise.all([a.poll({ timeoutMs: 200 }), late.poll({ timeoutMs: 200 })]);
      return a.assignment().length + late.assignment().length === 2;
    }, 'the two remaining members to share the partitions');
  });

  it('the coordinator is not available: four polls of 1000 ms return in time, no event, no busy loop', async () => {
    const log = new FakeLog({ topics: { events: 1 } });
    log.appendValues('events', 0, ['a', 'b']);
    let lookups = 0;
    const broker = await new FakeBroker({
      log,
      apis: [{ apiKey: 18, min: 0, max: 4 }, ...LOG_APIS, { apiKey: FIND_COORDINATOR, min: 4, max: 4 }],
      onRequest: (req) => {
        if (req.apiKey !== FIND_COORDINATOR) return;
        lookups++;
        const w = new Writer();
        w.int32(0); // throttleTimeMs
        w.arrayLength(1, true);
        w.string('g', true).int32(-1).string('', true).int32(-1);
        w.int16(ErrorCode.COORDINATOR_NOT_AVAILABLE).nullableString(null, true).emptyTaggedFields();
        w.emptyTaggedFields();
        req.reply(w.toBuffer(), { flexibleHeader: true });
      },
    }).start();
    fakes.push(broker);
    const c = consumer({
      bootstrapServers: `127.0.0.1:${broker.port}`,
      groupId: 'g',
      retryBackoffMs: 100,
      retryBackoffMaxMs: 1000,
    });
    c.subscribe(['events']);
    const started = Date.now();
    const took = await timePolls(c, 4, 1000);
    for (const ms of took) expect(ms).toBeLessThan(1600);
    // Lookups back off (about 100, 200, 400, 800, 1000 ms ...), they are not repeated in a loop.
    expect(lookups).toBeGreaterThan(0);
    expect(lookups).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 100));
  });
});
