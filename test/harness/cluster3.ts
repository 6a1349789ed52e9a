/**
 * The 3-node cluster of the failover tests. A test file calls `useThreeNodeCluster()` at top level:
 * the cluster starts in beforeAll and is killed in afterAll, one cluster per file, so a file can
 * stop, kill and restart nodes without disturbing any other file.
 *
 * `KAFKA_BROKERS_3NODE` points these tests at an external 3-node cluster instead. Its bootstrap
 * works, but nodes cannot be stopped or restarted from here, so doing so fails the test with a
 * message saying why — a failover test that cannot fail a node must not pass.
 */
import { afterAll, beforeAll } from 'vitest';
import { type KafkaCluster, startKafka } from './launcher.js';

/** What a failover test gets from {@link useThreeNodeCluster}; usable from beforeAll on. */
export interface ThreeNodeCluster {
  /** "host:port,host:port,host:port" of the launched cluster, or KAFKA_BROKERS_3NODE. */
  bootstrap(): string;
  /** The launched cluster, to stop / kill / restart nodes; throws under KAFKA_BROKERS_3NODE. */
  cluster(): KafkaCluster;
}

/** Registers beforeAll/afterAll that run a fresh 3-node cluster (RF 3, min ISR 2) for this file. */
export function useThreeNodeCluster(): ThreeNodeCluster {
  const external = process.env.KAFKA_BROKERS_3NODE;
  let launched: KafkaCluster | undefined;
  if (!external) {
    beforeAll(async () => {
      launched = await startKafka({ nodes: 3 });
    }, 180_000);
    afterAll(async () => {
      await launched?.stop();
    }, 60_000);
  }
  const cluster = (): KafkaCluster => {
    if (external) {
      throw new Error(
        `KAFKA_BROKERS_3NODE=${external} is an external cluster whose nodes cannot be stopped or restarted ` +
          'from here, and this failover test needs to; unset KAFKA_BROKERS_3NODE to let the launcher run one',
      );
    }
    if (!launched) {
      throw new Error(
        'the 3-node cluster is not up: call useThreeNodeCluster() at the top level of the test file',
      );
    }
    return launched;
  };
  return { bootstrap: () => external ?? cluster().bootstrap, cluster };
}
