/**
 * Authentication against the secured broker: every SASL mechanism over SASL_SSL and mutual TLS
 * carry a produce and a group consume; each way of getting it wrong fails fast, typed, without
 * retrying in a loop and without a secret in any message.
 */
import { describe, expect, it } from 'vitest';
import { Admin, Consumer, Producer } from '../../../src/index.js';
import type { SecurityConfig } from '../../../src/network/security.js';
import {
  AuthenticationError,
  type KafkawireError,
  SslAuthenticationError,
} from '../../../src/protocol/errors.js';
import { uniqueTopic } from '../../harness/kafka.js';
import { type SecureBroker, unsecuredJwt } from '../../harness/secure-broker.js';
import { grant } from './acls.js';
import {
  countingProxy,
  createSecureTopic,
  errorText,
  type Mechanism,
  mtlsClient,
  produceAndConsumeInGroup,
  recordOutputs,
  saslClient,
} from './clients.js';

const MECHANISMS: Mechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];
const COUNT = 300;
const expected = Array.from({ length: COUNT }, (_, i) => `v${i}`).sort();

/** The error an Admin's connect fails with, and how long that took. */
async function connectError(
  config: { bootstrapServers: string } & SecurityConfig,
): Promise<{ err: Error; ms: number }> {
  const admin = new Admin({ ...config, connectTimeoutMs: 10_000 });
  const started = Date.now();
  try {
    const err = await admin.connect().then(
      () => new Error('connected, but should not have'),
      (e: unknown) => e as Error,
    );
    return { err, ms: Date.now() - started };
  } finally {
    await admin.close();
  }
}

export function authenticationSuite(broker: () => SecureBroker): void {
  describe('authentication', () => {
    it.each(MECHANISMS)('produces and consumes in a group over SASL_SSL with %s', async (mechanism) => {
      const b = broker();
      const topic = await createSecureTopic(b, `sasl-${mechanism.toLowerCase()}`, 2);
      const got = await produceAndConsumeInGroup(saslClient(b, mechanism), topic, COUNT);
      expect(got.sort()).toEqual(expected);
    });

    it('produces and consumes in a group over SASL_PLAINTEXT', async () => {
      const b = broker();
      const topic = await createSecureTopic(b, 'sasl-plaintext');
      const got = await produceAndConsumeInGroup(
        saslClient(b, 'SCRAM-SHA-256', 'admin', 'SASL_PLAINTEXT'),
        topic,
        COUNT,
      );
      expect(got.sort()).toEqual(expected);
    });

    it('produces and consumes in a group over mutual TLS with an encrypted client key', async () => {
      const b = broker();
      const topic = await createSecureTopic(b, 'mtls');
      const groupId = uniqueTopic('mtls-group');
      await grant(b, 'User:mtls-client', [
        { resourceType: 'topic', resourceName: topic, operation: 'all' },
        { resourceType: 'group', resourceName: groupId, operation: 'read' },
      ]);
      const got = await produceAndConsumeInGroup(mtlsClient(b), topic, COUNT, groupId);
      expect(got.sort()).toEqual(expected);
    });

    it('fails fast with a non-retriable AuthenticationError on a wrong password, PLAIN and SCRAM', async () => {
      const b = broker();
      for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
        const wrong = 'Wr0ng-Pa55word-xyz';
        const { err, ms } = await connectError({
          ...saslClient(b, mechanism, 'alice'),
          sasl: { mechanism, username: 'alice', password: wrong },
        });
        expect(err, mechanism).toBeInstanceOf(AuthenticationError);
        expect((err as AuthenticationError).retriable).toBe(false);
        expect((err as AuthenticationError).code).toBe(58);
        expect(err.message).toMatch(
          new RegExp(`^${mechanism} authentication failed: .*\\[broker ${b.saslSsl}\\]$`),
        );
        expect(ms, 'well within connectTimeoutMs').toBeLessThan(5_000);
        expect(errorText(err)).not.toContain(wrong);
      }
    });

    it('fails the same way for a user the broker does not know', async () => {
      const b = broker();
      const { err } = await connectError({
        ...saslClient(b, 'SCRAM-SHA-512'),
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'mallory', password: 'whatever-pw' },
      });
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err.message).toMatch(/SCRAM-SHA-512 authentication failed/);
    });

    it('refuses a broker certificate from an untrusted CA, naming the broker and why', async () => {
      const b = broker();
      for (const ssl of [{ ca: b.otherCa }, {}]) {
        const { err, ms } = await connectError({ ...saslClient(b, 'PLAIN'), ssl });
        expect(err).toBeInstanceOf(SslAuthenticationError);
        expect((err as SslAuthenticationError).reason).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
        expect(err.message).toMatch(
          new RegExp(`TLS handshake with ${b.saslSsl} failed: its certificate is not signed by a trusted CA`),
        );
        expect((err as SslAuthenticationError).retriable).toBe(false);
        expect(ms).toBeLessThan(5_000);
      }
    });

    it('refuses a certificate for another host name unless host name verification is off', async () => {
      const b = broker();
      const { err } = await connectError({
        ...saslClient(b, 'PLAIN'),
        ssl: { ca: b.ca, servername: 'kafka.invalid' },
      });
      expect(err).toBeInstanceOf(SslAuthenticationError);
      expect((err as SslAuthenticationError).reason).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      expect(err.message).toMatch(/does not match the host name/);
      const admin = new Admin({
        ...saslClient(b, 'PLAIN'),
        ssl: { ca: b.ca, servername: 'kafka.invalid', endpointIdentificationAlgorithm: '' },
      });
      try {
        await admin.connect();
      } finally {
        await admin.close();
      }
    });

    it('refuses mutual TLS without a client certificate', async () => {
      const b = broker();
      const { err, ms } = await connectError({ bootstrapServers: b.ssl, ssl: { ca: b.ca } });
      expect(err).toBeInstanceOf(SslAuthenticationError);
      expect(err.message).toMatch(new RegExp(`\\[broker ${b.ssl}\\]`));
      expect(ms).toBeLessThan(5_000);
    });

    it('fails on an expired OAUTHBEARER token: refused by the broker, or before sending when known expired', async () => {
      const b = broker();
      const stale = unsecuredJwt('alice', Date.now() - 60_000, Date.now() - 120_000);
      const byBroker = await connectError({
        ...saslClient(b, 'OAUTHBEARER'),
        sasl: {
          mechanism: 'OAUTHBEARER',
          oauthBearerProvider: () => ({ value: stale, lifetimeMs: Date.now() + 60_000 }),
        },
      });
      expect(byBroker.err).toBeInstanceOf(AuthenticationError);
      expect((byBroker.err as AuthenticationError).code).toBe(58);
      expect(byBroker.err.message).toMatch(/^OAUTHBEARER authentication failed: /);
      expect(errorText(byBroker.err)).not.toContain(stale);
      const byClient = await connectError({
        ...saslClient(b, 'OAUTHBEARER'),
        sasl: { mechanism: 'OAUTHBEARER', oauthBearerProvider: () => ({ value: stale }) },
      });
      expect(byClient.err).toBeInstanceOf(AuthenticationError);
      expect(byClient.err.message).toMatch(/token from the provider expired at/);
    });

    it('lists the mechanisms the broker enables when ours is not one of them', async () => {
      const b = broker();
      const { err } = await connectError({
        ...saslClient(b, 'PLAIN'),
        sasl: {
          mechanism: 'GSSAPI',
          authenticator: () => ({ initial: () => Buffer.alloc(0), next: () => null }),
        },
      });
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(err.message).toMatch(
        /GSSAPI is not enabled on this listener; it enables (?=.*PLAIN)(?=.*SCRAM-SHA-256)(?=.*SCRAM-SHA-512)(?=.*OAUTHBEARER)/,
      );
    });

    it('fails a plaintext client on a TLS or SASL listener quickly, saying what to set', async () => {
      const b = broker();
      const tls = await connectError({ bootstrapServers: b.saslSsl });
      expect(tls.err.message).toMatch(
        /answered with TLS: this listener needs securityProtocol SSL or SASL_SSL/,
      );
      expect((tls.err as KafkawireError).retriable).toBe(false);
      expect(tls.ms).toBeLessThan(5_000);
      const sasl = await connectError({ bootstrapServers: b.saslPlaintext });
      expect(sasl.err.message).toMatch(/if this listener requires SASL, set securityProtocol/);
      expect(sasl.ms).toBeLessThan(5_000);
    });

    it('rejects every waiting send after one failed authentication: no retry storm', async () => {
      const b = broker();
      const proxy = await countingProxy(b.saslSsl);
      const producer = new Producer({
        ...saslClient(b, 'SCRAM-SHA-512', 'alice'),
        bootstrapServers: proxy.bootstrap,
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'not-alices-password' },
        ssl: { ca: b.ca, servername: 'localhost' },
      });
      try {
        const started = Date.now();
        const results = await Promise.allSettled(
          Array.from({ length: 200 }, (_, i) => producer.send({ topic: 'any-topic', value: `${i}` })),
        );
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(results.every((r) => r.status === 'rejected' && r.reason instanceof AuthenticationError)).toBe(
          true,
        );
        expect(proxy.connections(), 'connection attempts for 200 sends').toBeLessThanOrEqual(2);
        await new Promise((r) => setTimeout(r, 1_000));
        expect(proxy.connections(), 'nothing retries in the background').toBeLessThanOrEqual(2);
      } finally {
        await producer.close();
        await proxy.close();
      }
      const consumer = new Consumer({
        ...saslClient(b, 'PLAIN', 'alice'),
        sasl: { mechanism: 'PLAIN', username: 'alice', password: 'nope' },
        groupId: uniqueTopic('g'),
      });
      try {
        consumer.subscribe(['any-topic']);
        const started = Date.now();
        // A poll returns by its deadline; the failed attempt is reported by the poll that sees it.
        let err: unknown;
        while (err === undefined && Date.now() - started < 10_000) {
          err = await consumer.poll({ timeoutMs: 500 }).then(
            () => undefined,
            (e: unknown) => e,
          );
        }
        expect(err).toBeInstanceOf(AuthenticationError);
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        await consumer.close();
      }
    });

    it('puts no password, passphrase or token in any error, event or warning', async () => {
      const b = broker();
      const outputs = recordOutputs();
      const secrets = [
        ...Object.values(b.users).map((u) => u.password),
        b.clientKeyPassphrase,
        'Wr0ng-Pa55word-abc',
      ];
      const token = unsecuredJwt('admin', Date.now() + 60_000);
      secrets.push(token);
      const errors: unknown[] = [];
      try {
        const topic = await createSecureTopic(b, 'secrets');
        // Successful runs (events are published), then failures (errors are made).
        await produceAndConsumeInGroup(saslClient(b, 'SCRAM-SHA-256'), topic, 10);
        await produceAndConsumeInGroup(
          {
            ...saslClient(b, 'OAUTHBEARER'),
            sasl: { mechanism: 'OAUTHBEARER', oauthBearerProvider: () => ({ value: token }) },
          },
          topic,
          10,
        );
        for (const config of [
          {
            ...saslClient(b, 'PLAIN'),
            sasl: { mechanism: 'PLAIN' as const, username: 'admin', password: 'Wr0ng-Pa55word-abc' },
          },
          {
            ...saslClient(b, 'SCRAM-SHA-512'),
            sasl: { mechanism: 'SCRAM-SHA-512' as const, username: 'admin', password: 'Wr0ng-Pa55word-abc' },
          },
          { ...mtlsClient(b), ssl: { ...(mtlsClient(b).ssl as object), ca: b.otherCa } },
          {
            ...saslClient(b, 'OAUTHBEARER'),
            sasl: {
              mechanism: 'OAUTHBEARER' as const,
              oauthBearerProvider: () => ({
                value: unsecuredJwt('admin', Date.now() - 5_000),
                lifetimeMs: Date.now() + 60_000,
              }),
            },
          },
        ]) {
          errors.push((await connectError(config)).err);
        }
      } finally {
        outputs.stop();
      }
      const text = `${outputs.text()}\n${errors.map(errorText).join('\n')}`;
      expect(errors.every((e) => e instanceof AuthenticationError)).toBe(true);
      expect(outputs.text()).toMatch(/kafkawire:connection:authenticated/);
      for (const s of secrets) expect(text).not.toContain(s);
    });
  });
}
