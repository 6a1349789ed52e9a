/**
 * Admin options are checked like the producer's and consumer's (one shared validator), and
 * every admin call keeps one deadline, defaultApiTimeoutMs, however many steps and retries it
 * takes: against a closed port and against a peer that accepts connections but never answers.
 */
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/admin/admin.js';
import { ConfigError, TimeoutError } from '../../src/protocol/errors.js';

describe('Admin options', () => {
  it.each([
    [{ requestTimeout: 1000 }, 'requestTimeout', /requestTimeoutMs/],
    [{ clientId: 42 }, 'clientId', /expected a string/],
    [{ retryBackoffMs: 'x' }, 'retryBackoffMs', /expected an integer/],
    [{ connectTimeoutMs: -1 }, 'connectTimeoutMs', /out of range/],
    [{ requestTimeoutMs: 'abc' }, 'requestTimeoutMs', /expected an integer/],
    [{ defaultApiTimeoutMs: 0 }, 'defaultApiTimeoutMs', /out of range/],
  ])('refuses %o naming %s', (bad, option, message) => {
    let err: unknown;
    try {
      new Admin({ bootstrapServers: '127.0.0.1:9', ...(bad as object) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain(option);
    expect((err as ConfigError).message).toMatch(message);
  });
});

describe('Admin call deadlines', () => {
  let closedPort: number;
  let silent: net.Server;
  let silentPort: number;
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    silent = net.createServer((s) => sockets.push(s)); // accepts, reads, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  async function timed(
    port: number,
    call: (a: Admin) => Promise<unknown>,
  ): Promise<{ err: unknown; ms: number }> {
    const admin = new Admin({
      bootstrapServers: `127.0.0.1:${port}`,
      requestTimeoutMs: 500,
      defaultApiTimeoutMs: 1500,
      connectTimeoutMs: 300,
    });
    const started = performance.now();
    try {
      const err = await call(admin).then(
        () => undefined,
        (e: unknown) => e,
      );
      return { err, ms: performance.now() - started };
    } finally {
      await admin.close();
    }
  }

  for (const [peer, port] of [
    ['a closed port', () => closedPort],
    ['a peer that never answers', () => silentPort],
  ] as const) {
    it(`listTopics against ${peer} rejects with a TimeoutError at defaultApiTimeoutMs`, async () => {
      const { err, ms } = await timed(port(), (a) => a.listTopics());
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).message).toMatch(/defaultApiTimeoutMs \(1500 ms\)/);
      expect(ms).toBeGreaterThanOrEqual(1400);
      expect(ms).toBeLessThan(2500);
    });

    it(`groupLag (several steps) against ${peer} keeps the same single deadline`, async () => {
      const { err, ms } = await timed(port(), (a) => a.groupLag('some-group'));
      expect(err).toBeInstanceOf(TimeoutError);
      expect(ms).toBeLessThan(2500);
    });
  }

  it('takes defaultApiTimeoutMs of at least requestTimeoutMs, as Java', async () => {
    const admin = new Admin({
      bootstrapServers: `127.0.0.1:${closedPort}`,
      requestTimeoutMs: 1200,
      defaultApiTimeoutMs: 100,
    });
    const started = performance.now();
    const err = await admin.describeCluster().catch((e: unknown) => e);
    await admin.close();
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/1200 ms/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1100);
  });
});

// A JavaScript caller's wrong shape (KafkaJS's `{ topic }`, an array for createPartitions) got a
// TypeError from inside the CreateTopics encoder, or a request for a topic named "0".
// Regression test for src/admin/arguments.ts: each is refused before any I/O, naming the field.
describe('Admin call arguments', () => {
  const admin = new Admin({
    bootstrapServers: '127.0.0.1:9',
    requestTimeoutMs: 1000,
    defaultApiTimeoutMs: 1000,
  });
  const loose = admin as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

  it.each([
    ['createTopics', [[{ topic: 't', numPartitions: 3 }]], 'topics[0].name', /not `topic`/],
    ['createTopics', [[{ name: '' }]], 'topics[0].name', /non-empty topic name/],
    ['createTopics', [{ name: 't' }], 'topics', /expected an array/],
    ['createTopics', [[{ name: 't', numPartitions: 0 }]], 'topics[0].numPartitions', /positive integer/],
    ['createTopics', [[{ name: 't', replicationFactor: 1.5 }]], 'topics[0].replicationFactor', /positive/],
    [
      'createTopics',
      [[{ name: 't', configs: { 'retention.ms': 1000 } }]],
      'topics[0].configs.retention.ms',
      /string/,
    ],
    ['deleteTopics', ['t'], 'names', /expected an array/],
    ['deleteTopics', [['a', 7]], 'names[1]', /got 7/],
    ['describeTopics', [[undefined]], 'names[0]', /got undefined/],
    ['createPartitions', [[{ topic: 't', count: 4 }]], 'counts', /expected an object/],
    ['createPartitions', [{ t: '4' }], 'counts.t', /positive integer/],
    ['createPartitions', [{}], 'counts', /no topic/],
  ])('%s refuses %j naming %s', async (call, args, option, message) => {
    const started = Date.now();
    const err = await (loose[call] as (...a: unknown[]) => Promise<unknown>)
      .apply(admin, args)
      .catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).option).toBe(option);
    expect((err as ConfigError).message).toMatch(message);
    expect(Date.now() - started).toBeLessThan(500); // refused before any connection attempt
  });

  it('lets well-formed arguments through to the broker (here: none answers)', async () => {
    const err = await admin
      .createTopics([{ name: 't', numPartitions: -1, configs: { 'retention.ms': '1000' } }])
      .catch((e) => e);
    expect(err).not.toBeInstanceOf(ConfigError);
  });
});
