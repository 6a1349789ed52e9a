/**
 * The transaction manager's state machine against a fake coordinator (a TransactionChannel that
 * answers like a 4.x transaction and group coordinator, with scripted errors) and a fake clock:
 * every state, both flows (transaction version 2 and the classic AddPartitionsToTxn one), the
 * retriable / abortable / fatal split, fencing, timeouts, and calls in the wrong state.
 */
import { describe, expect, it } from 'vitest';
import type { CoordinatorTarget, TransactionChannel } from '../../src/producer/transaction-channel.js';
import {
  type Clock,
  MARKER_GRACE_MS,
  type TransactionHooks,
  TransactionManager,
  type TransactionOptions,
} from '../../src/producer/transaction-manager.js';
import type { ApiDescriptor } from '../../src/protocol/api.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import {
  ConnectionError,
  ProducerFencedError,
  TimeoutError,
  TransactionAbortableError,
  TransactionAbortedError,
  TransactionFatalError,
  TransactionStateError,
  TransactionTimedOutError,
} from '../../src/protocol/errors.js';

interface Sent {
  api: string;
  target: CoordinatorTarget;
  request: Record<string, unknown>;
  maxVersion?: number;
}

/** A transaction coordinator (and group coordinator) for one transactional id. */
class FakeCoordinator implements TransactionChannel {
  readonly sent: Sent[] = [];
  producerId = 4000n;
  epoch = -1;
  ongoing = false;
  v2: boolean;
  moved = 0;
  /** Scripted answers: api name → error codes (or thrown errors) for the next requests. */
  private readonly script = new Map<string, (number | Error)[]>();
  /** A request of this api waits until `release()` is called. */
  hold: string | null = null;
  private held: (() => void)[] = [];

  constructor(v2: boolean) {
    this.v2 = v2;
  }

  fail(api: string, ...codes: (number | Error)[]): void {
    this.script.set(api, [...(this.script.get(api) ?? []), ...codes]);
  }

  release(): void {
    this.hold = null;
    for (const f of this.held.splice(0)) f();
  }

  count(api: string): number {
    return this.sent.filter((s) => s.api === api).length;
  }

  async transactionV2(): Promise<boolean> {
    return this.v2;
  }

  coordinatorMoved(): void {
    this.moved++;
  }

  async send<Req, Res>(
    target: CoordinatorTarget,
    api: ApiDescriptor<Req, Res>,
    request: Req,
    maxVersion?: number,
  ): Promise<Res> {
    this.sent.push({ api: api.name, target, request: request as Record<string, unknown>, maxVersion });
    if (this.hold === api.name) await new Promise<void>((resolve) => this.held.push(resolve));
    const next = this.script.get(api.name)?.shift();
    if (next instanceof Error) throw next;
    const code = next ?? ErrorCode.NONE;
    return this.answer(api.name, request as Record<string, unknown>, code) as Res;
  }

  private answer(api: string, m: Record<string, unknown>, code: number): unknown {
    switch (api) {
      case 'InitProducerId': {
        if (code === ErrorCode.NONE) {
          this.epoch++;
          this.ongoing = false;
        }
        return {
          throttleTimeMs: 0,
          errorCode: code,
          producerId: code ? -1n : this.producerId,
          producerEpoch: code ? -1 : this.epoch,
        };
      }
      case 'AddPartitionsToTxn': {
        if (code === ErrorCode.NONE) this.ongoing = true;
        const topics = m.v3AndBelowTopics as { name: string; partitions: number[] }[];
        return {
          throttleTimeMs: 0,
          resultsByTopicV3AndBelow: topics.map((t) => ({
            name: t.name,
            resultsByPartition: t.partitions.map((p, i) => ({
              partitionIndex: p,
              partitionErrorCode: i === 0 ? code : code ? ErrorCode.OPERATION_NOT_ATTEMPTED : 0,
            })),
          })),
        };
      }
      case 'AddOffsetsToTxn':
        return { throttleTimeMs: 0, errorCode: code };
      case 'DescribeTransactions':
        return {
          throttleTimeMs: 0,
          transactionStates: [
            {
              errorCode: code,
              transactionalId: 'tx-1',
              transactionState: this.ongoing ? 'Ongoing' : 'CompleteAbort',
              transactionTimeoutMs: 60_000,
              transactionStartTimeMs: -1n,
              producerId: this.producerId,
              producerEpoch: this.epoch,
              topics: [],
            },
          ],
        };
      case 'TxnOffsetCommit': {
        const topics = m.topics as { name: string; partitions: { partitionIndex: number }[] }[];
        return {
          throttleTimeMs: 0,
          topics: topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })),
          })),
        };
      }
      case 'EndTxn': {
        if (code !== ErrorCode.NONE)
          return { throttleTimeMs: 0, errorCode: code, producerId: -1n, producerEpoch: -1 };
        this.ongoing = false;
        if (this.v2) this.epoch++;
        return {
          throttleTimeMs: 0,
          errorCode: 0,
          producerId: this.v2 ? this.producerId : -1n,
          producerEpoch: this.v2 ? this.epoch : -1,
        };
      }
      default:
        throw new Error(`fake coordinator: no ${api}`);
    }
  }
}

class FakeHooks implements TransactionHooks {
  flushes = 0;
  aborts: Error[] = [];
  ids: [bigint, number][] = [];
  wakeups = 0;
  /** Runs inside flush(), e.g. a batch failing. */
  duringFlush: (() => void) | null = null;
  async flush(): Promise<void> {
    this.flushes++;
    this.duringFlush?.();
  }
  async abortUnsent(err: Error): Promise<void> {
    this.aborts.push(err);
  }
  setProducerIdAndEpoch(producerId: bigint, producerEpoch: number): void {
    this.ids.push([producerId, producerEpoch]);
  }
  wakeup(): void {
    this.wakeups++;
  }
}

class FakeClock implements Clock {
  t = 1_000_000;
  sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
  }
}

const GROUP = { groupId: 'orders-app', generationId: 7, memberId: 'member-1', groupInstanceId: 'i-1' };
const OFFSETS = [
  { topic: 'in', partition: 0, offset: 10n },
  { topic: 'in', partition: 3, offset: 5 },
];

function setup(v2 = true, options: Partial<TransactionOptions> = {}) {
  const coordinator = new FakeCoordinator(v2);
  const hooks = new FakeHooks();
  const clock = new FakeClock();
  const tm = new TransactionManager(
    {
      transactionalId: 'tx-1',
      transactionTimeoutMs: 60_000,
      maxBlockMs: 2_000,
      retryBackoffMs: 100,
      retryBackoffMaxMs: 1000,
      ...options,
    },
    coordinator,
    hooks,
    clock,
  );
  return { coordinator, hooks, clock, tm };
}

async function ready(v2 = true, options: Partial<TransactionOptions> = {}) {
  const s = setup(v2, options);
  await s.tm.initTransactions();
  return s;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an exception');
}

describe('TransactionManager: initTransactions', () => {
  it('gets the id and epoch of the transactional id and hands them to the sender', async () => {
    const { tm, coordinator, hooks } = setup();
    expect(tm.state).toBe('uninitialized');
    await tm.initTransactions();
    expect(tm.state).toBe('ready');
    expect(coordinator.sent[0]).toMatchObject({
      api: 'InitProducerId',
      target: 'transaction',
      request: { transactionalId: 'tx-1', transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 },
    });
    expect(hooks.ids).toEqual([[4000n, 0]]);
    expect(tm.transactionV2).toBe(true);
    expect(tm.produceMaxVersion).toBeUndefined();
  });

  it('retries a moved, loading or busy coordinator, looking a moved one up again', async () => {
    const { tm, coordinator, clock } = setup();
    coordinator.fail(
      'InitProducerId',
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      ErrorCode.NOT_COORDINATOR,
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      ErrorCode.CONCURRENT_TRANSACTIONS,
      new ConnectionError('reset', 'node 1'),
    );
    await tm.initTransactions();
    expect(tm.state).toBe('ready');
    expect(coordinator.count('InitProducerId')).toBe(6);
    expect(coordinator.moved).toBe(3);
    expect(clock.sleeps).toHaveLength(5);
    expect(clock.sleeps.every((ms) => ms > 0)).toBe(true);
  });

  it('is fatal when the broker refuses the transactional id', async () => {
    const { tm, coordinator } = setup();
    coordinator.fail('InitProducerId', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const err = await rejection(tm.initTransactions());
    expect(err).toBeInstanceOf(TransactionFatalError);
    expect(tm.state).toBe('fatal-error');
    expect(thrown(() => tm.beginTransaction())).toBe(err);
  });

  it('names transaction.max.timeout.ms when the timeout is refused', async () => {
    const { tm, coordinator } = setup();
    coordinator.fail('InitProducerId', ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const err = await rejection(tm.initTransactions());
    expect(err).toBeInstanceOf(TransactionFatalError);
    expect(err.message).toMatch(/transaction\.max\.timeout\.ms/);
  });

  it('uses the classic flow when the cluster has no transaction version 2', async () => {
    const { tm } = await ready(false);
    expect(tm.transactionV2).toBe(false);
    expect(tm.produceMaxVersion).toBe(11);
  });
});

describe('TransactionManager: calls in the wrong state fail typed, with nothing sent', () => {
  it('refuses begin and send before initTransactions, and a second initTransactions', async () => {
    const { tm, coordinator } = setup();
    const begin = thrown(() => tm.beginTransaction());
    expect(begin).toBeInstanceOf(TransactionStateError);
    expect(begin.message).toMatch(/initTransactions\(\) first/);
    expect(tm.sendError()).toBeInstanceOf(TransactionStateError);
    expect(coordinator.sent).toHaveLength(0);
    await tm.initTransactions();
    expect(await rejection(tm.initTransactions())).toBeInstanceOf(TransactionStateError);
  });

  it('refuses send, sendOffsets, commit and abort outside a transaction', async () => {
    const { tm, coordinator } = await ready();
    const before = coordinator.sent.length;
    const send = tm.sendError();
    expect(send).toBeInstanceOf(TransactionStateError);
    expect(send?.message).toMatch(/beginTransaction\(\) first/);
    expect(await rejection(tm.sendOffsetsToTransaction(OFFSETS, GROUP))).toBeInstanceOf(
      TransactionStateError,
    );
    expect(await rejection(tm.commitTransaction())).toBeInstanceOf(TransactionStateError);
    expect(await rejection(tm.abortTransaction())).toBeInstanceOf(TransactionStateError);
    expect(coordinator.sent.length).toBe(before);
    expect(tm.state).toBe('ready');
  });

  it('refuses a second commit and a second begin', async () => {
    const { tm } = await ready();
    tm.beginTransaction();
    expect(thrown(() => tm.beginTransaction())).toBeInstanceOf(TransactionStateError);
    expect(tm.mayDrain('out', 0)).toBe(true);
    await tm.commitTransaction();
    const again = await rejection(tm.commitTransaction());
    expect(again).toBeInstanceOf(TransactionStateError);
    expect(again.message).toMatch(/no transaction is open/);
  });

  it('refuses bad offsets and group metadata before sending anything', async () => {
    const { tm, coordinator } = await ready();
    tm.beginTransaction();
    const before = coordinator.sent.length;
    for (const [offsets, group] of [
      [[{ topic: 'in', partition: 0, offset: -1 }], GROUP],
      [[{ topic: '', partition: 0, offset: 1 }], GROUP],
      [[{ topic: 'in', partition: 1.5, offset: 1 }], GROUP],
      [OFFSETS, { ...GROUP, groupId: '' }],
      [OFFSETS, null],
    ] as const) {
      const err = await rejection(tm.sendOffsetsToTransaction(offsets as never, group as never));
      expect(err.name).toBe('ConfigError');
    }
    expect(coordinator.sent.length).toBe(before);
    expect(tm.state).toBe('in-transaction');
  });

  it('refuses another operation while one is in progress', async () => {
    const { tm, coordinator } = await ready();
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    coordinator.hold = 'EndTxn';
    const commit = tm.commitTransaction();
    await Promise.resolve();
    await Promise.resolve();
    expect(await rejection(tm.abortTransaction())).toBeInstanceOf(TransactionStateError);
    expect(await rejection(tm.sendOffsetsToTransaction(OFFSETS, GROUP))).toBeInstanceOf(
      TransactionStateError,
    );
    expect(thrown(() => tm.beginTransaction())).toBeInstanceOf(TransactionStateError);
    coordinator.release();
    await commit;
    expect(tm.state).toBe('ready');
  });
});

describe('TransactionManager: transaction version 2', () => {
  it("holds the next transaction's sends for MARKER_GRACE_MS after each EndTxn, not before the first", async () => {
    const { tm, clock } = await ready();
    expect(tm.sendableAt).toBe(0);
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    const before = clock.now();
    await tm.commitTransaction();
    expect(tm.sendableAt).toBe(clock.now() + MARKER_GRACE_MS);
    expect(tm.sendableAt).toBeGreaterThanOrEqual(before + MARKER_GRACE_MS);
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    await tm.abortTransaction();
    expect(tm.sendableAt).toBe(clock.now() + MARKER_GRACE_MS);
  });

  it('does not hold sends without transaction version 2 (no marker race at the partition leaders)', async () => {
    const { tm } = await ready(false);
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    await new Promise((r) => setTimeout(r, 0));
    tm.mayDrain('out', 0);
    await tm.commitTransaction();
    expect(tm.sendableAt).toBe(0);
  });

  it('adds partitions through produce, commits with EndTxn and takes the bumped epoch', async () => {
    const { tm, coordinator, hooks } = await ready();
    tm.beginTransaction();
    expect(tm.sendError()).toBeNull();
    expect(tm.mayDrain('out', 0)).toBe(true);
    expect(tm.mayDrain('out', 1)).toBe(true);
    await tm.commitTransaction();
    expect(coordinator.count('AddPartitionsToTxn')).toBe(0);
    expect(coordinator.sent.at(-1)).toMatchObject({
      api: 'EndTxn',
      request: { transactionalId: 'tx-1', producerId: 4000n, producerEpoch: 0, committed: true },
    });
    expect(hooks.flushes).toBe(1);
    expect(hooks.ids.at(-1)).toEqual([4000n, 1]);
    // The next transaction runs under the new epoch.
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    await tm.commitTransaction();
    expect(coordinator.sent.at(-1)?.request).toMatchObject({ producerEpoch: 1 });
    expect(hooks.ids.at(-1)).toEqual([4000n, 2]);
  });

  it('sends no EndTxn for a transaction that added nothing', async () => {
    const { tm, coordinator } = await ready();
    tm.beginTransaction();
    await tm.commitTransaction();
    tm.beginTransaction();
    await tm.abortTransaction();
    expect(coordinator.count('EndTxn')).toBe(0);
    expect(tm.state).toBe('ready');
  });

  it('commits offsets with TxnOffsetCommit v5 alone, with the member identity (KIP-447)', async () => {
    const { tm, coordinator } = await ready();
    tm.beginTransaction();
    await tm.sendOffsetsToTransaction(OFFSETS, GROUP);
    expect(coordinator.count('AddOffsetsToTxn')).toBe(0);
    const commit = coordinator.sent.find((s) => s.api === 'TxnOffsetCommit');
    expect(commit).toMatchObject({
      target: { groupId: 'orders-app' },
      maxVersion: 5,
      request: {
        transactionalId: 'tx-1',
        groupId: 'orders-app',
        producerId: 4000n,
        producerEpoch: 0,
        generationId: 7,
        memberId: 'member-1',
        groupInstanceId: 'i-1',
        topics: [
          {
            name: 'in',
            partitions: [
              { partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: -1, committedMetadata: null },
              { partitionIndex: 3, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null },
            ],
          },
        ],
      },
    });
    await tm.commitTransaction();
    expect(coordinator.count('EndTxn')).toBe(1); // offsets alone make a transaction to end
  });

  it('retries EndTxn through CONCURRENT_TRANSACTIONS and a moved coordinator', async () => {
    const { tm, coordinator, clock } = await ready();
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    coordinator.fail(
      'EndTxn',
      ErrorCode.CONCURRENT_TRANSACTIONS,
      ErrorCode.NOT_COORDINATOR,
      new ConnectionError('gone'),
    );
    await tm.commitTransaction();
    expect(coordinator.count('EndTxn')).toBe(4);
    expect(coordinator.moved).toBe(2);
    expect(clock.sleeps[clock.sleeps.length - 3]).toBe(20); // CONCURRENT_TRANSACTIONS: a short wait
    expect(tm.state).toBe('ready');
  });
});

describe('TransactionManager: the classic flow (no transaction version 2)', () => {
  it('adds partitions with one AddPartitionsToTxn before draining them', async () => {
    const { tm, coordinator, hooks } = await ready(false);
    tm.beginTransaction();
    coordinator.hold = 'AddPartitionsToTxn';
    expect(tm.mayDrain('out', 0)).toBe(false);
    expect(tm.mayDrain('out', 1)).toBe(false);
    expect(tm.mayDrain('other', 2)).toBe(false);
    await new Promise((r) => setImmediate(r));
    coordinator.release();
    await new Promise((r) => setImmediate(r));
    const adds = coordinator.sent.filter((s) => s.api === 'AddPartitionsToTxn');
    expect(adds).toHaveLength(1);
    expect(adds[0].request).toEqual({
      v3AndBelowTransactionalId: 'tx-1',
      v3AndBelowProducerId: 4000n,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [
        { name: 'out', partitions: [0, 1] },
        { name: 'other', partitions: [2] },
      ],
    });
    expect(hooks.wakeups).toBe(1);
    expect(tm.mayDrain('out', 0)).toBe(true);
    expect(tm.mayDrain('other', 2)).toBe(true);
    await tm.commitTransaction();
    // The epoch stays: no bump without transaction version 2.
    expect(coordinator.sent.at(-1)?.request).toMatchObject({ producerEpoch: 0, committed: true });
    expect(hooks.ids).toEqual([[4000n, 0]]);
  });

  it('retries CONCURRENT_TRANSACTIONS and UNKNOWN_TOPIC_OR_PARTITION on AddPartitionsToTxn', async () => {
    const { tm, coordinator } = await ready(false);
    tm.beginTransaction();
    coordinator.fail(
      'AddPartitionsToTxn',
      ErrorCode.CONCURRENT_TRANSACTIONS,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    expect(tm.mayDrain('out', 0)).toBe(false);
    await new Promise((r) => setTimeout(r, 10));
    expect(coordinator.count('AddPartitionsToTxn')).toBe(3);
    expect(tm.mayDrain('out', 0)).toBe(true);
    expect(tm.state).toBe('in-transaction');
  });

  it('turns abortable when a partition is refused, and aborts with EndTxn', async () => {
    const { tm, coordinator } = await ready(false);
    tm.beginTransaction();
    coordinator.fail('AddPartitionsToTxn', ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    tm.mayDrain('secret', 0);
    await new Promise((r) => setTimeout(r, 10));
    expect(tm.state).toBe('abortable-error');
    expect(tm.queueError?.message).toMatch(/TOPIC_AUTHORIZATION_FAILED/);
    const commit = await rejection(tm.commitTransaction());
    expect(commit).toBeInstanceOf(TransactionAbortableError);
    expect(tm.sendError()).toBeInstanceOf(TransactionAbortableError);
    await tm.abortTransaction();
    expect(tm.state).toBe('ready');
    expect(coordinator.count('EndTxn')).toBe(0); // nothing was added, nothing to end
  });

  it('adds the group with AddOffsetsToTxn, then TxnOffsetCommit at most v4', async () => {
    const { tm, coordinator } = await ready(false);
    tm.beginTransaction();
    await tm.sendOffsetsToTransaction(OFFSETS, GROUP);
    const names = coordinator.sent.map((s) => s.api);
    expect(names.slice(-2)).toEqual(['AddOffsetsToTxn', 'TxnOffsetCommit']);
    expect(coordinator.sent.at(-2)?.request).toMatchObject({ groupId: 'orders-app', producerEpoch: 0 });
    expect(coordinator.sent.at(-1)?.maxVersion).toBe(4);
    await tm.commitTransaction();
    expect(coordinator.count('EndTxn')).toBe(1);
  });
});

describe('TransactionManager: abortable errors', () => {
  it('makes the transaction abortable when a batch fails, and commit says so', async () => {
    const { tm, coordinator, hooks } = await ready();
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    hooks.duringFlush = () => tm.onBatchFailed(new Error('MESSAGE_TOO_LARGE'), false);
    const err = await rejection(tm.commitTransaction());
    expect(err).toBeInstanceOf(TransactionAbortableError);
    expect(err.message).toMatch(/MESSAGE_TOO_LARGE/);
    expect(coordinator.count('EndTxn')).toBe(0);
    expect(tm.queueError).not.toBeNull();
    await tm.abortTransaction();
    expect(hooks.aborts.at(-1)).toBeInstanceOf(TransactionAbortedError);
    expect(coordinator.sent.at(-1)?.request).toMatchObject({ committed: false });
    expect(tm.state).toBe('ready');
    tm.beginTransaction(); // and it carries on
  });

  it('bumps the epoch at the abort when a failed batch had been sent (its outcome unknown)', async () => {
    const { tm, coordinator, hooks } = await ready();
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    tm.onBatchFailed(new TimeoutError('expired'), true);
    await tm.abortTransaction();
    expect(coordinator.count('EndTxn')).toBe(0);
    expect(coordinator.sent.at(-1)).toMatchObject({
      api: 'InitProducerId',
      request: { producerId: 4000n, producerEpoch: 0 },
    });
    expect(hooks.ids.at(-1)).toEqual([4000n, 1]);
    expect(tm.state).toBe('ready');
  });

  it('treats a fenced consumer (ILLEGAL_GENERATION, FENCED_INSTANCE_ID) as abortable', async () => {
    for (const code of [
      ErrorCode.ILLEGAL_GENERATION,
      ErrorCode.UNKNOWN_MEMBER_ID,
      ErrorCode.FENCED_INSTANCE_ID,
    ]) {
      const { tm, coordinator } = await ready();
      tm.beginTransaction();
      coordinator.fail('TxnOffsetCommit', code);
      const err = await rejection(tm.sendOffsetsToTransaction(OFFSETS, GROUP));
      expect(err).toBeInstanceOf(TransactionAbortableError);
      expect(tm.state).toBe('abortable-error');
      await tm.abortTransaction();
      expect(tm.state).toBe('ready');
    }
  });

  it('retries TxnOffsetCommit on a moved group coordinator', async () => {
    const { tm, coordinator } = await ready();
    tm.beginTransaction();
    coordinator.fail('TxnOffsetCommit', ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    await tm.sendOffsetsToTransaction(OFFSETS, GROUP);
    expect(coordinator.count('TxnOffsetCommit')).toBe(3);
    expect(coordinator.moved).toBe(1);
  });

  it('reports the first failure of a transaction, not a later one', async () => {
    const { tm } = await ready();
    tm.beginTransaction();
    tm.onBatchFailed(new Error('first'), false);
    tm.onBatchFailed(new Error('second'), false);
    expect((await rejection(tm.commitTransaction())).message).toMatch(/first/);
  });
});

describe('TransactionManager: fencing and timeouts', () => {
  it('is fatal with ProducerFencedError when EndTxn and InitProducerId say PRODUCER_FENCED', async () => {
    const { tm, coordinator } = await ready();
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    coordinator.fail('EndTxn', ErrorCode.PRODUCER_FENCED);
    coordinator.fail('InitProducerId', ErrorCode.PRODUCER_FENCED);
    const err = await rejection(tm.commitTransaction());
    expect(err).toBeInstanceOf(ProducerFencedError);
    expect(err).toBeInstanceOf(TransactionFatalError);
    expect(tm.state).toBe('fatal-error');
    expect(thrown(() => tm.beginTransaction())).toBe(err);
    expect(tm.sendError()).toBe(err);
    expect(await rejection(tm.abortTransaction())).toBe(err);
    expect(tm.queueError).toBe(err);
  });

  it('asks the coordinator after INVALID_PRODUCER_EPOCH: fenced means ProducerFencedError from commit', async () => {
    const { tm, coordinator } = await ready();
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    tm.onBatchFailed(
      new (await import('../../src/protocol/errors.js')).KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH),
      true,
    );
    coordinator.fail('InitProducerId', ErrorCode.PRODUCER_FENCED);
    const err = await rejection(tm.commitTransaction());
    expect(err).toBeInstanceOf(ProducerFencedError);
    expect(coordinator.sent.at(-1)).toMatchObject({
      api: 'InitProducerId',
      request: { producerId: 4000n, producerEpoch: 0 },
    });
    expect(coordinator.count('EndTxn')).toBe(0);
    expect(tm.state).toBe('fatal-error');
  });

  it('reports TransactionTimedOutError when the coordinator aborted a transaction older than its timeout', async () => {
    const { tm, coordinator, clock, hooks } = await ready(true, { transactionTimeoutMs: 10_000 });
    tm.beginTransaction();
    expect(tm.sendError()).toBeNull(); // the first send starts the clock
    tm.mayDrain('out', 0);
    clock.t += 15_000;
    coordinator.fail('EndTxn', ErrorCode.INVALID_TXN_STATE); // what a 4.3 coordinator answers then
    const err = await rejection(tm.commitTransaction());
    expect(err).toBeInstanceOf(TransactionTimedOutError);
    expect(err).toBeInstanceOf(TransactionAbortableError);
    expect(err.message).toMatch(/open for 15000 ms, longer than transactionTimeoutMs \(10000 ms\)/);
    expect(tm.state).toBe('abortable-error');
    expect(hooks.ids.at(-1)).toEqual([4000n, 1]);
    const sentBefore = coordinator.sent.length;
    await tm.abortTransaction();
    expect(coordinator.sent.length).toBe(sentBefore); // already aborted by the coordinator
    expect(tm.state).toBe('ready');
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    await tm.commitTransaction();
    expect(coordinator.sent.at(-1)?.request).toMatchObject({ producerEpoch: 1, committed: true });
  });

  it('survives PRODUCER_FENCED from EndTxn when the coordinator takes the epoch back (KIP-588)', async () => {
    const { tm, coordinator, clock } = await ready(false, { transactionTimeoutMs: 5_000 });
    tm.beginTransaction();
    tm.sendError();
    await tm.sendOffsetsToTransaction(OFFSETS, GROUP);
    clock.t += 6_000;
    coordinator.fail('EndTxn', ErrorCode.PRODUCER_FENCED);
    const err = await rejection(tm.commitTransaction());
    expect(err).toBeInstanceOf(TransactionTimedOutError);
    expect(coordinator.sent.at(-1)).toMatchObject({ api: 'InitProducerId', request: { producerEpoch: 0 } });
    await tm.abortTransaction();
    expect(tm.state).toBe('ready');
    expect(tm.producerEpoch).toBe(1);
  });

  it('says a classic-flow transaction was fenced for its timeout when the coordinator bumped the epoch once', async () => {
    const { tm, coordinator, clock } = await ready(false, { transactionTimeoutMs: 5_000 });
    tm.beginTransaction();
    tm.sendError();
    tm.mayDrain('out', 0);
    await new Promise((r) => setImmediate(r)); // AddPartitionsToTxn
    clock.t += 6_000;
    coordinator.epoch++; // the coordinator's own fence when it aborts a timed-out transaction
    coordinator.fail('EndTxn', ErrorCode.PRODUCER_FENCED);
    coordinator.fail('InitProducerId', ErrorCode.PRODUCER_FENCED);
    const err = await rejection(tm.commitTransaction());
    expect(err).toBeInstanceOf(ProducerFencedError);
    expect(err.message).toMatch(/open for 6000 ms, longer than transactionTimeoutMs \(5000 ms\)/);
    expect(coordinator.count('DescribeTransactions')).toBe(1);
    // A newer producer (two bumps over the open transaction) is reported as the fencer.
    const other = await ready(false, { transactionTimeoutMs: 5_000 });
    other.tm.beginTransaction();
    other.tm.sendError();
    other.clock.t += 6_000;
    other.coordinator.epoch += 2;
    other.coordinator.fail('TxnOffsetCommit', ErrorCode.PRODUCER_FENCED);
    other.coordinator.fail('InitProducerId', ErrorCode.PRODUCER_FENCED);
    const fenced = await rejection(other.tm.sendOffsetsToTransaction(OFFSETS, GROUP));
    expect(fenced).toBeInstanceOf(ProducerFencedError);
    expect(fenced.message).toMatch(/another producer/);
  });

  it('reports a young transaction the coordinator aborted as abortable, not as timed out', async () => {
    const { tm, coordinator } = await ready();
    tm.beginTransaction();
    tm.sendError();
    tm.mayDrain('out', 0);
    coordinator.fail('EndTxn', ErrorCode.INVALID_PRODUCER_EPOCH);
    const err = await rejection(tm.commitTransaction());
    expect(err).toBeInstanceOf(TransactionAbortableError);
    expect(err).not.toBeInstanceOf(TransactionTimedOutError);
  });

  it('lets a commit that outlived maxBlockMs be waited for again, once', async () => {
    const { tm, coordinator } = await ready(true, { maxBlockMs: 30 });
    tm.beginTransaction();
    tm.mayDrain('out', 0);
    coordinator.hold = 'EndTxn';
    const first = await rejection(tm.commitTransaction());
    expect(first).toBeInstanceOf(TimeoutError);
    expect(first.message).toMatch(/call commitTransaction\(\) again/);
    expect(tm.state).toBe('committing');
    coordinator.release();
    await new Promise((r) => setTimeout(r, 5));
    expect(tm.state).toBe('ready');
    await tm.commitTransaction(); // the outcome of the one that timed out
    expect(await rejection(tm.commitTransaction())).toBeInstanceOf(TransactionStateError);
    expect(coordinator.count('EndTxn')).toBe(1);
  });

  it('stops retrying when the producer closes', async () => {
    const { tm, coordinator, clock } = setup();
    clock.sleep = () => new Promise((r) => setTimeout(r, 1));
    for (let i = 0; i < 1000; i++) coordinator.fail('InitProducerId', ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const init = tm.initTransactions();
    await new Promise((r) => setImmediate(r));
    tm.close();
    const err = await rejection(init);
    expect(err.message).toMatch(/closed/);
    expect(coordinator.count('InitProducerId')).toBeLessThan(1000);
  });
});
