/**
 * kafkawire's KafkaJS-compatible entry (src/kafkajs) in a bench run: the very program that drives
 * KafkaJS (lib/kafkajs-driver.ts), with only the module changed, as an application moving from
 * KafkaJS would run it. Its codecs are built in, so no plugins are registered.
 */
import { readFileSync } from 'node:fs';
import { runClient } from '../lib/child.js';
import { type KafkaJsModule, kafkajsClient } from '../lib/kafkajs-driver.js';

async function load(): Promise<KafkaJsModule> {
  return (await import('../../src/kafkajs/index.js')) as unknown as KafkaJsModule;
}

await runClient(
  kafkajsClient(load, async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  }),
);
