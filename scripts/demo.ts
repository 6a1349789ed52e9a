/**
 * The main job a newcomer runs first (`npm run demo`): with no KAFKA_BROKERS, start a local
 * Apache Kafka broker (jars from Maven Central, see scripts/kafka.sh), connect, and print the
 * cluster's brokers and the API versions each one supports next to the versions kafkawire speaks.
 * With KAFKA_BROKERS=host:port[,...] it uses that cluster instead.
 */
import { apiName, Cluster } from '../src/index.js';
import { IMPLEMENTED_APIS } from '../src/protocol/apis/index.js';
import { startKafka } from '../test/harness/launcher.js';

async function main(): Promise<void> {
  let stopBroker: (() => Promise<void>) | undefined;
  let bootstrap = process.env.KAFKA_BROKERS;
  if (!bootstrap) {
    process.stdout.write(
      'KAFKA_BROKERS is not set: starting a local Kafka broker (first run fetches its jars)...\n',
    );
    const started = Date.now();
    const kafka = await startKafka({ nodes: 1 });
    stopBroker = () => kafka.stop();
    bootstrap = kafka.bootstrap;
    process.stdout.write(`broker up at ${bootstrap} in ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`);
  }
  const cluster = new Cluster({ bootstrapServers: bootstrap, clientId: 'kafkawire-demo' });
  try {
    const md = await cluster.connect();
    process.stdout.write(`cluster ${md.clusterId}, controller ${md.controllerId}\n`);
    for (const b of md.brokers.values()) {
      process.stdout.write(`  broker ${b.nodeId} at ${b.host}:${b.port}${b.rack ? ` rack ${b.rack}` : ''}\n`);
    }
    const ours = new Map(IMPLEMENTED_APIS.map((a) => [a.key, a]));
    for (const id of md.brokers.keys()) {
      const conn = await cluster.connectionTo(id);
      process.stdout.write(`\nAPI versions of broker ${id} (${conn.apiVersions.size} APIs):\n`);
      process.stdout.write(`  ${'key'.padStart(3)}  ${'API'.padEnd(32)} ${'broker'.padEnd(8)} kafkawire\n`);
      const keys = [...conn.apiVersions.keys()].sort((a, b) => a - b);
      for (const key of keys) {
        const range = conn.apiVersions.get(key);
        const api = ours.get(key);
        const client = api ? `v${api.min}-v${api.max}, uses v${conn.versionFor(api)}` : '-';
        process.stdout.write(
          `  ${String(key).padStart(3)}  ${apiName(key).padEnd(32)} ${`v${range?.min}-v${range?.max}`.padEnd(8)} ${client}\n`,
        );
      }
    }
  } finally {
    await cluster.close();
    if (stopBroker) {
      process.stdout.write('\nstopping the local broker\n');
      await stopBroker();
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
