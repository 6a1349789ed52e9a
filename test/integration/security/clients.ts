/**
 * Client set-up for the security tests: the configs of each listener and mechanism against the
 * secured broker (test/harness/secure-broker.ts), a produce-then-consume-in-a-group round trip,
 * and a recorder of everything a client could leak a secret through.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Admin, Consumer, Producer } from '../../../src/index.js';
import type { SecurityConfig } from '../../../src/network/security.js';
import { uniqueTopic } from '../../harness/kafka.js';
import { type SecureBroker, unsecuredJwt } from '../../harness/secure-broker.js';

export type Mechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';

/** Bootstrap and security options for `user` over SASL_SSL (default) or SASL_PLAINTEXT. */
export function saslClient(
  b: SecureBroker,
  mechanism: Mechanism,
  user: keyof SecureBroker['users'] = 'admin',
  listener: 'SASL_SSL' | 'SASL_PLAINTEXT' = 'SASL_SSL',
): { bootstrapServers: string } & SecurityConfig {
  const u = b.users[user];
  const sasl: SecurityConfig['sasl'] =
    mechanism === 'OAUTHBEARER'
      ? {
          mechanism,
          oauthBearerProvider: () => {
            const lifetimeMs = Date.now() + 60 * 60_000;
            return { value: unsecuredJwt(u.username, lifetimeMs), lifetimeMs };
          },
        }
      : { mechanism, username: u.username, password: u.password };
  return listener === 'SASL_SSL'
    ? { bootstrapServers: b.saslSsl, securityProtocol: 'SASL_SSL', ssl: { ca: b.ca }, sasl }
    : { bootstrapServers: b.saslPlaintext, securityProtocol: 'SASL_PLAINTEXT', sasl };
}

/** Mutual TLS as User:mtls-client, with the encrypted client key. */
export function mtlsClient(b: SecureBroker): { bootstrapServers: string } & SecurityConfig {
  return {
    bootstrapServers: b.ssl,
    securityProtocol: 'SSL',
    ssl: { ca: b.ca, cert: b.clientCert, key: b.clientKey, passphrase: b.clientKeyPassphrase },
  };
}

/** Creates a topic as the broker's super user (over SASL_SSL, SCRAM-SHA-512). */
export async function createSecureTopic(b: SecureBroker, prefix: string, partitions = 1): Promise<string> {
  const topic = uniqueTopic(prefix);
  const admin = new Admin(saslClient(b, 'SCRAM-SHA-512'));
  try {
    const [r] = await admin.createTopics([{ name: topic, numPartitions: partitions }]);
    if (r.error) throw r.error;
    // Until every partition has a leader, producers would only wait.
    for (let i = 0; i < 100; i++) {
      const [d] = await admin.describeTopics([topic]);
      if (!d.error && d.partitions.length === partitions && d.partitions.every((p) => p.leader >= 0))
        return topic;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`topic ${topic} has no leader`);
  } finally {
    await admin.close();
  }
}

/** Produces `count` records to `topic` and reads them back in a new group; returns the values read. */
export async function produceAndConsumeInGroup(
  config: { bootstrapServers: string } & SecurityConfig,
  topic: string,
  count: number,
  groupId = uniqueTopic('group'),
): Promise<string[]> {
  const producer = new Producer(config);
  try {
    await producer.send(Array.from({ length: count }, (_, i) => ({ topic, value: `v${i}` })));
  } finally {
    await producer.close();
  }
  const consumer = new Consumer({
    ...config,
    groupId,
    autoOffsetReset: 'earliest',
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
  });
  const got: string[] = [];
  try {
    consumer.subscribe([topic]);
    const until = Date.now() + 30_000;
    while (got.length < count && Date.now() < until) {
      for (const batch of await consumer.poll({ timeoutMs: 500 })) {
        for (const r of batch.records) got.push(r.value?.toString() ?? '');
      }
    }
    await consumer.commit();
  } finally {
    await consumer.close();
  }
  return got;
}

/**
 * Everything published on kafkawire's diagnostics channels and every process warning while
 * recording, as text, for "no secret anywhere" checks.
 */
export function recordOutputs(): { text(): string; stop(): void } {
  const lines: string[] = [];
  const channels = ['kafkawire:connection:authenticated'];
  const onMessage = (m: unknown, name: string | symbol) => lines.push(`${String(name)} ${JSON.stringify(m)}`);
  const onWarning = (w: Error) => lines.push(`warning ${w.name} ${w.message}`);
  for (const c of channels) subscribe(c, onMessage);
  process.on('warning', onWarning);
  return {
    text: () => lines.join('\n'),
    stop: () => {
      for (const c of channels) unsubscribe(c, onMessage);
      process.off('warning', onWarning);
    },
  };
}

/** An error with its whole cause chain and every own property, as text. */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  for (
    let e = err as { cause?: unknown } | undefined, depth = 0;
    e && depth < 10;
    e = e.cause as never, depth++
  ) {
    parts.push(String(e), JSON.stringify(e, Object.getOwnPropertyNames(e)));
  }
  return parts.join('\n');
}

/** A TCP proxy to `target` that counts the connections made through it. */
export async function countingProxy(
  target: string,
): Promise<{ bootstrap: string; connections(): number; close(): Promise<void> }> {
  const { createServer, connect } = await import('node:net');
  const [host, port] = [
    target.slice(0, target.lastIndexOf(':')),
    Number(target.slice(target.lastIndexOf(':') + 1)),
  ];
  let count = 0;
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    count++;
    const upstream = connect({ host, port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as import('node:net').AddressInfo;
  return {
    bootstrap: `127.0.0.1:${address.port}`,
    connections: () => count,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
