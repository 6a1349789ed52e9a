/**
 * The share consumer's own checks, without a broker: config values refused with a ConfigError
 * naming the option, calls in the wrong state refused with IllegalStateError (acknowledge in
 * implicit mode, poll before subscribe, a closed consumer), and a poll against a closed port
 * failing by its deadline instead of hanging. The broker-facing behaviour is in
 * test/integration/share-groups.test.ts.
 */
import * as net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError, IllegalStateError, ShareConsumer, type ShareRecord } from '../../src/index.js';

const base = { bootstrapServers: '127.0.0.1:1', groupId: 'g' };

describe('ShareConsumer config and state', () => {
  it('refuses wrong config values, naming the option', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ groupId: undefined }, 'groupId'],
      [{ shareAcknowledgementMode: 'sometimes' }, 'shareAcknowledgementMode'],
      [{ maxPollRecords: 0 }, 'maxPollRecords'],
      [{ fetchMaxWaitMs: -1 }, 'fetchMaxWaitMs'],
      [{ valueDeserializer: 'utf8' }, 'valueDeserializer'],
      [{ maxPollInterval: 5 }, 'maxPollInterval'],
    ];
    for (const [extra, option] of bad) {
      let err: unknown;
      try {
        new ShareConsumer({ ...base, ...extra } as never);
      } catch (e) {
        err = e;
      }
      expect(err, option).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).option ?? (err as Error).message).toContain(option);
    }
  });

  it('refuses calls in the wrong state', async () => {
    const c = new ShareConsumer(base);
    await expect(c.poll({ timeoutMs: 10 })).rejects.toBeInstanceOf(IllegalStateError); // not subscribed
    expect(() => c.subscribe([])).toThrow(ConfigError);
    expect(() => c.acknowledge({} as ShareRecord)).toThrow(/explicit/); // implicit mode
    await c.close();
    expect(() => c.subscribe(['t'])).toThrow(IllegalStateError);
    await expect(c.poll()).rejects.toBeInstanceOf(IllegalStateError);
    await c.close(); // twice is fine
    const explicit = new ShareConsumer({ ...base, shareAcknowledgementMode: 'explicit' });
    expect(() => explicit.acknowledge({} as ShareRecord)).toThrow(/last poll/);
    await explicit.close();
  });

  it('returns from a poll against a server that never answers by its deadline, and closes promptly', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const c = new ShareConsumer({
      bootstrapServers: `127.0.0.1:${port}`,
      groupId: 'g',
      requestTimeoutMs: 60_000,
    });
    try {
      c.subscribe(['t']);
      const started = Date.now();
      const out = await c.poll({ timeoutMs: 1500 }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(3000);
      // Nothing came back: either an empty poll or the typed error of a connection that timed out.
      if (Array.isArray(out)) expect(out).toEqual([]);
      else expect((out as { retriable?: boolean }).retriable).toBe(true);
      const closing = Date.now();
      await c.close();
      expect(Date.now() - closing).toBeLessThan(2000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
