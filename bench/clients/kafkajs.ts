/**
 * KafkaJS in a bench run (bench/node_modules/kafkajs, pure JavaScript), driven by
 * lib/kafkajs-driver.ts.
 *
 * KafkaJS ships gzip only; lz4 and zstd are registered as codec plugins (its documented
 * extension point) on the same native codecs kafkawire uses, so the codec is not the difference.
 *
 * The package is loaded at run time: bench/node_modules is installed by bench/setup.sh only, and
 * the repository's typecheck must not depend on it.
 */
import { compress, decompress } from '../../src/protocol/codecs/index.js';
import { packageVersion, runClient } from '../lib/child.js';
import { type KafkaJsModule, kafkajsClient } from '../lib/kafkajs-driver.js';

const PACKAGE: string = 'kafkajs';
const LZ4 = 3;
const ZSTD = 4;
let loaded: KafkaJsModule | undefined;

async function load(): Promise<KafkaJsModule> {
  if (loaded) return loaded;
  const m = (await import(PACKAGE)) as { default?: KafkaJsModule } & KafkaJsModule;
  loaded = m.default ?? m;
  for (const codec of [LZ4, ZSTD]) {
    loaded.CompressionCodecs[codec] = () => ({
      compress: (encoder) => compress(codec, encoder.buffer),
      decompress: (buffer) => decompress(codec, buffer),
    });
  }
  return loaded;
}

await runClient(
  kafkajsClient(load, async () => {
    await load();
    return packageVersion(PACKAGE);
  }),
);
