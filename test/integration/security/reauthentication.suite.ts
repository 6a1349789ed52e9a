/**
 * KIP-368 against the real broker: connections kept past the SASL_PLAINTEXT listener's short
 * session (connections.max.reauth.ms = 3 s) re-authenticate in place while records flow, with no
 * failed request and no reconnect (a client that ignored the session lifetime would "work" too,
 * because the broker closes the expired connection and the client reconnects: the check is that
 * the same connections stay up and renew). OAUTHBEARER tokens shorter than that are refreshed
 * before they expire.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { Consumer, Producer } from '../../../src/index.js';
import { uniqueTopic } from '../../harness/kafka.js';
import { type SecureBroker, unsecuredJwt } from '../../harness/secure-broker.js';
import { createSecureTopic, saslClient } from './clients.js';

interface AuthEvent {
  connectionId: number;
  reauthentication: boolean;
  sessionLifetimeMs: number;
  at: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function reauthenticationSuite(broker: () => SecureBroker): void {
  describe('re-authentication (KIP-368)', () => {
    it('renews sessions on the same connections while records flow, and refreshes OAUTHBEARER tokens', async () => {
      const b = broker();
      const topic = await createSecureTopic(b, 'reauth', 2);
      const events: AuthEvent[] = [];
      const onEvent = (m: unknown) => events.push({ ...(m as AuthEvent), at: Date.now() });
      subscribe('kafkawire:connection:authenticated', onEvent);
      // Tokens living 5 s: longer than one 3 s session, refreshed at 80 % of their life.
      const tokens: { issued: number; expires: number }[] = [];
      const oauth = saslClient(b, 'OAUTHBEARER', 'admin', 'SASL_PLAINTEXT');
      const producer = new Producer({
        ...saslClient(b, 'SCRAM-SHA-512', 'admin', 'SASL_PLAINTEXT'),
        lingerMs: 0,
      });
      const consumer = new Consumer({
        ...oauth,
        sasl: {
          mechanism: 'OAUTHBEARER',
          oauthBearerProvider: () => {
            const t = { issued: Date.now(), expires: Date.now() + 5_000 };
            tokens.push(t);
            return { value: unsecuredJwt('admin', t.expires, t.issued), lifetimeMs: t.expires };
          },
        },
        groupId: uniqueTopic('reauth-group'),
        autoOffsetReset: 'earliest',
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        fetchMaxWaitMs: 200,
      });
      const received = new Set<string>();
      let sent = 0;
      const sendErrors: unknown[] = [];
      try {
        consumer.subscribe([topic]);
        await producer.connect();
        // Warm-up: every connection of both clients is open once a first record went round (the
        // group joined, fetches and produce requests flowing); a loaded machine takes seconds.
        await producer.send({ topic, value: `r${sent++}` });
        const warmUntil = Date.now() + 30_000;
        while (received.size === 0 && Date.now() < warmUntil) {
          for (const batch of await consumer.poll({ timeoutMs: 200 }))
            for (const r of batch.records) received.add(r.value?.toString() ?? '');
        }
        expect(received.size, 'the warm-up record was read').toBe(1);
        const warm = Date.now();
        const until = warm + 7_500;
        const producing = (async () => {
          while (Date.now() < until) {
            const value = `r${sent++}`;
            await producer.send({ topic, value }).catch((e: unknown) => sendErrors.push(e));
            await sleep(20);
          }
        })();
        while (Date.now() < until + 1_000 || received.size < sent) {
          for (const batch of await consumer.poll({ timeoutMs: 200 })) {
            for (const r of batch.records) received.add(r.value?.toString() ?? '');
          }
          if (Date.now() > until + 15_000) break;
        }
        await producing;
        expect(sendErrors).toEqual([]);
        expect(received.size).toBe(sent);
        expect(sent).toBeGreaterThan(100);
        // Same connections throughout: none opened after the warm-up, and every connection
        // that lived through the run renewed its session at least twice.
        const opened = events.filter((e) => !e.reauthentication);
        const late = opened.filter((e) => e.at > warm);
        expect(late, 'connections (re)opened while records flowed').toEqual([]);
        const renewals = new Map<number, number>();
        for (const e of events)
          if (e.reauthentication) renewals.set(e.connectionId, (renewals.get(e.connectionId) ?? 0) + 1);
        const longLived = [...renewals.values()].filter((n) => n >= 2);
        expect(longLived.length, 'connections renewed at least twice').toBeGreaterThanOrEqual(3);
        // Every session was the broker's 3 s or the token's remaining life, whichever ended first.
        for (const e of events) expect(e.sessionLifetimeMs).toBeLessThanOrEqual(b.reauthMs.saslPlaintext);
        // Tokens were refreshed before they expired, never handed out expired.
        expect(tokens.length).toBeGreaterThanOrEqual(2);
        for (let i = 1; i < tokens.length; i++) expect(tokens[i].issued).toBeLessThan(tokens[i - 1].expires);
      } finally {
        unsubscribe('kafkawire:connection:authenticated', onEvent);
        await producer.close();
        await consumer.close();
      }
    }, 60_000);
  });
}
