/**
 * The transaction scenarios of transactions.test.ts on a broker formatted without transaction
 * version 2 (transaction.version=1, as a 3.x cluster or a 4.x one not upgraded): the producer
 * falls back to AddPartitionsToTxn before a partition's first batch, AddOffsetsToTxn before
 * TxnOffsetCommit ≤ v4, Produce ≤ v11 and a constant epoch. Starts its own single-node broker
 * (with KAFKA_VERSION=3.9 a 3.9 one, which has no transaction.version feature to set).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import { kafkaMajor } from '../harness/kafka.js';
import { type KafkaCluster, startKafka } from '../harness/launcher.js';
import { transactionScenarios } from '../helpers/transactions.js';

let kafka: KafkaCluster;
let cluster: Cluster;
beforeAll(async () => {
  kafka = await startKafka({
    nodes: 1,
    heapMb: 384,
    ...(kafkaMajor() >= 4 ? { features: { 'transaction.version': 1 } } : {}),
  });
  cluster = new Cluster({ bootstrapServers: kafka.bootstrap });
  await cluster.connect();
}, 180_000);
afterAll(async () => {
  await cluster?.close();
  await kafka?.stop();
}, 60_000);

describe('Transactions (classic flow, transaction.version=1)', () => {
  transactionScenarios(
    () => kafka.bootstrap,
    () => cluster,
    false,
  );
});
