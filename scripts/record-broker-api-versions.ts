/**
 * Records what a real broker answers to ApiVersions into test/conformance/fixtures/broker-api-versions.json
 * (one entry per Kafka version, others kept), for the tests that check version negotiation and
 * feature checks against every broker version kafkawire supports without starting one
 * (test/conformance/negotiated-versions.test.ts, test/unit/broker-features.test.ts).
 *
 *   npx tsx scripts/record-broker-api-versions.ts              # starts a broker of KAFKA_VERSION
 *   KAFKA_VERSION=3.9 npx tsx scripts/record-broker-api-versions.ts
 *
 * With KAFKA_BROKERS it asks that broker instead; then KAFKA_VERSION must say its exact version.
 * The broker is one started by the test launcher, with its defaults (test/harness/launcher.ts).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Connection } from '../src/network/connection.js';
import type { ApiVersionsResponse } from '../src/protocol/apis/18-api-versions.js';
import { type KafkaCluster, parseBootstrap, startKafka } from '../test/harness/launcher.js';

const FIXTURE = fileURLToPath(
  new URL('../test/conformance/fixtures/broker-api-versions.json', import.meta.url),
);

async function main(): Promise<void> {
  let cluster: KafkaCluster | undefined;
  let bootstrap = process.env.KAFKA_BROKERS;
  let version = process.env.KAFKA_VERSION;
  if (!bootstrap) {
    cluster = await startKafka({ nodes: 1, dir: undefined });
    bootstrap = cluster.bootstrap;
    version = cluster.version;
  } else if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error('with KAFKA_BROKERS, set KAFKA_VERSION to the exact version of that broker (e.g. 3.9.2)');
  }
  try {
    const [{ host, port }] = parseBootstrap(bootstrap);
    const connection = new Connection({ host: host!, port: port! });
    let answer: ApiVersionsResponse | undefined;
    connection.on('versions', (res: ApiVersionsResponse) => {
      answer = res;
    });
    await connection.connect();
    connection.close();
    if (!answer) throw new Error('no ApiVersions answer');
    const entries: Record<string, unknown> = existsSync(FIXTURE)
      ? JSON.parse(readFileSync(FIXTURE, 'utf8'))
      : {};
    entries[version] = {
      recorded: 'scripts/record-broker-api-versions.ts against a broker of test/harness/launcher.ts',
      apiKeys: answer.apiKeys.map((k) => [k.apiKey, k.minVersion, k.maxVersion]),
      supportedFeatures: answer.supportedFeatures.map((f) => [f.name, f.minVersion, f.maxVersion]),
      // Epochs differ from run to run; the levels are what the tests need.
      finalizedFeatures: answer.finalizedFeatures
        .map((f) => [f.name, f.minVersionLevel, f.maxVersionLevel])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    };
    const sorted = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
    // One tuple per line: [key, min, max] / [name, min, max].
    const json = JSON.stringify(sorted, null, 2).replace(
      /\[\s+([^[\]{}]*?)\s+\]/g,
      (_, inner: string) => `[${inner.split(/,\s+/).join(', ')}]`,
    );
    writeFileSync(FIXTURE, `${json}\n`);
    process.stdout.write(`recorded Kafka ${version} (${answer.apiKeys.length} APIs) into ${FIXTURE}\n`);
  } finally {
    await cluster?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
