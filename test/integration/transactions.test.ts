/**
 * The transactional producer against the shared 4.3 broker, which runs transaction version 2
 * (KIP-890 part 2): commit and abort, read_committed, fencing, wrong-state calls, offsets in the
 * transaction, and a transaction the coordinator aborts after its timeout (scenarios in
 * test/helpers/transactions.ts).
 * transactions-classic.test.ts runs the same scenarios on a broker without transaction version 2.
 * Against a 3.x shared broker (KAFKA_VERSION=3.9), which has no transaction version 2, the same
 * scenarios expect the classic flow.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, kafkaMajor } from '../harness/kafka.js';
import { transactionScenarios } from '../helpers/transactions.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

const v2 = kafkaMajor() >= 4;
describe(`Transactions (${v2 ? 'transaction version 2' : 'classic flow, Kafka 3.x'})`, () => {
  transactionScenarios(brokers, () => cluster, v2);
});
