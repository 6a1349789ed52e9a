/**
 * kafkawire/protocol: a raw request to a broker and a check of its answer, the way a protocol
 * conformance test is written. One Connection, the version negotiated by ApiVersions on connect,
 * then Metadata at every version both sides support, each answer checked.
 *
 *   KAFKA_BROKERS=localhost:9092 node examples/raw-request.ts
 */
import { ApiKey, Connection, ErrorCode, Metadata, pickVersion } from 'kafkawire/protocol';

const [host, port] = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',')[0]!.split(':');
const conn = new Connection({ host: host!, port: Number(port), clientId: 'conformance-example' });
await conn.connect(); // sends ApiVersions first; conn.apiVersions holds what the broker offers

const offered = conn.apiVersions.get(ApiKey.Metadata);
if (!offered) throw new Error('the broker offers no Metadata API');
const highest = pickVersion(Metadata, offered);
console.log(`Metadata: broker v${offered.min}-v${offered.max}, kafkawire v${Metadata.min}-v${Metadata.max}`);

for (let version = Math.max(Metadata.min, offered.min); version <= highest; version++) {
  // topics: null asks for every topic (v1+); [] for none.
  const res = await conn.send(
    Metadata,
    { topics: version >= 1 ? null : [], allowAutoTopicCreation: false },
    { version },
  );
  if (res.brokers.length === 0) throw new Error(`v${version}: no brokers in the answer`);
  const bad = res.topics.filter((t) => t.errorCode !== ErrorCode.NONE);
  if (bad.length > 0)
    throw new Error(`v${version}: topic errors ${bad.map((t) => `${t.name}:${t.errorCode}`).join(' ')}`);
  console.log(
    `  v${version}: ${res.brokers.length} broker(s), ${res.topics.length} topic(s), controller ${res.controllerId}`,
  );
}
await conn.close();
console.log('ok');
