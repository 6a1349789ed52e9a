/**
 * The transactional producer against the shared 4.3 broker, which runs transaction version 2
 * (KIP-890 part 2): commit and abort, read_committed, fencing, wrong-state calls, offsets in the
 * transaction, and a transaction the coordinator aborts after its timeout (scenarios in
 * test/helpers/transactions.ts).
 * transactions-classic.test.ts runs the same scenarios on a broker without transaction version 2.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import { brokers } from '../harness/kafka.js';
import { transactionScenarios } from '../helpers/transactions.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

describe('Transactions (transaction version 2)', () => {
  transactionScenarios(brokers, () => cluster, true);
});
