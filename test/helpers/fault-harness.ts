/**
 * The scaffolding every fault-injection test file shares: the fake brokers and the clients a
 * test started are torn down after it (brokers first, so a client whose close would wait on an
 * unanswered request does not), and no promise may have been rejected without a handler.
 */
import { afterAll, afterEach, expect } from 'vitest';
import type { FakeBroker } from './fake-broker.js';

export interface FaultHarness<C> {
  /** Brokers to stop after the test; a test that stops one itself may remove it. */
  brokers: FakeBroker[];
  /** Clients to close after the test. */
  clients: C[];
}

export function faultHarness<C>(close: (client: C) => Promise<unknown>): FaultHarness<C> {
  const harness: FaultHarness<C> = { brokers: [], clients: [] };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    await Promise.all(harness.brokers.splice(0).map((b) => b.stop()));
    await Promise.all(harness.clients.splice(0).map((c) => close(c).catch(() => {})));
    expect(unhandled).toEqual([]);
    unhandled.length = 0;
  });
  return harness;
}
