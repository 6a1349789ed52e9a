/**
 * SASL mechanisms and the exchange around them, without a broker: SCRAM's math against RFC 7677's
 * test vector, PLAIN and OAUTHBEARER framing, the OAUTHBEARER token cache, and the
 * SaslHandshake/SaslAuthenticate exchange against the fake broker (errors, a forged SCRAM server
 * signature). The real broker's side is in test/integration/security.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from '../../src/network/connection.js';
import { saslAuthenticate } from '../../src/network/sasl/authenticate.js';
import {
  jwtExpiry,
  OAuthBearerTokenCache,
  oauthBearerAuthenticator,
  oauthBearerInitialResponse,
} from '../../src/network/sasl/oauthbearer.js';
import { plainAuthenticator } from '../../src/network/sasl/plain.js';
import { scramAuthenticator } from '../../src/network/sasl/scram.js';
import { AuthenticationError } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { FakeBroker, type FakeRequest } from '../helpers/fake-broker.js';

const ctx = { host: 'broker.example', port: 9096, reauthentication: false };

describe('SCRAM', () => {
  // RFC 7677 §3: SCRAM-SHA-256 for user "user", password "pencil".
  const RFC7677 = {
    clientNonce: 'rOprNGfwEbeRWgbNEkqO',
    clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
    serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    clientFinal:
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  };

  async function rfcExchange() {
    return scramAuthenticator('SCRAM-SHA-256', 'user', 'pencil', { nonce: RFC7677.clientNonce })(ctx);
  }

  it("computes RFC 7677's SCRAM-SHA-256 client proof and accepts its server signature", async () => {
    const x = await rfcExchange();
    expect(Buffer.from(await x.initial()).toString()).toBe(RFC7677.clientFirst);
    const final = await x.next(Buffer.from(RFC7677.serverFirst));
    expect(Buffer.from(final!).toString()).toBe(RFC7677.clientFinal);
    expect(await x.next(Buffer.from(RFC7677.serverFinal))).toBeNull();
  });

  it('fails when the server signature is not the one the password gives', async () => {
    const x = await rfcExchange();
    await x.initial();
    await x.next(Buffer.from(RFC7677.serverFirst));
    const forged = `v=${Buffer.alloc(32, 7).toString('base64')}`;
    const err = await Promise.resolve(x.next(Buffer.from(forged))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/server signature does not match/);
    expect((err as Error).message).not.toContain('pencil');
  });

  it('fails when the server-final message has no signature, or an error', async () => {
    for (const [final, why] of [
      ['', /server signature does not match/],
      ['e=invalid-proof', /refused the proof: invalid-proof/],
    ] as const) {
      const x = await rfcExchange();
      await x.initial();
      await x.next(Buffer.from(RFC7677.serverFirst));
      await expect(Promise.resolve(x.next(Buffer.from(final)))).rejects.toThrow(why);
    }
  });

  it("refuses a server nonce that does not extend the client's, and too few iterations", async () => {
    for (const [serverFirst, why] of [
      ['r=somethingElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', /nonce does not extend ours/],
      [`r=${RFC7677.clientNonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`, /nonce does not extend ours/],
      [
        `r=${RFC7677.clientNonce}xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1024`,
        /1024 iterations, fewer than the minimum 4096/,
      ],
      [`r=${RFC7677.clientNonce}xyz,i=4096`, /malformed server-first/],
    ] as const) {
      const x = await rfcExchange();
      await x.initial();
      await expect(Promise.resolve(x.next(Buffer.from(serverFirst)))).rejects.toThrow(why);
    }
  });

  it('escapes = and , in the user name, makes a fresh nonce each time, and can ask for token auth', async () => {
    const a = await scramAuthenticator('SCRAM-SHA-512', 'a=b,c', 'pw')(ctx);
    const b = await scramAuthenticator('SCRAM-SHA-512', 'a=b,c', 'pw', { tokenAuth: true })(ctx);
    const first = Buffer.from(await a.initial()).toString();
    expect(first).toMatch(/^n,,n=a=3Db=2Cc,r=[A-Za-z0-9+/=]{32}$/);
    const second = Buffer.from(await b.initial()).toString();
    expect(second).toMatch(/,tokenauth=true$/);
    expect(second.split(',r=')[1]).not.toBe(first.split(',r=')[1]);
  });
});

describe('PLAIN and OAUTHBEARER framing', () => {
  it('PLAIN sends NUL user NUL password and is done on the empty answer', async () => {
    const x = await plainAuthenticator('alicé', 's3cret')(ctx);
    expect(Buffer.from(await x.initial())).toEqual(Buffer.from('\u0000alicé\u0000s3cret'));
    expect(await x.next(Buffer.alloc(0))).toBeNull();
  });

  it('OAUTHBEARER frames the token and extensions as RFC 7628 and Kafka (KIP-342) do', () => {
    expect(oauthBearerInitialResponse('tok', {}).toString()).toBe('n,,\u0001auth=Bearer tok\u0001\u0001');
    expect(oauthBearerInitialResponse('tok', { logicalCluster: 'lkc-1', a: 'b' }).toString()).toBe(
      'n,,\u0001auth=Bearer tok\u0001logicalCluster=lkc-1\u0001a=b\u0001\u0001',
    );
  });

  it("OAUTHBEARER acknowledges the broker's error status with a lone 0x01", async () => {
    const cache = new OAuthBearerTokenCache(() => ({ value: 'tok', lifetimeMs: Date.now() + 60_000 }));
    const x = await oauthBearerAuthenticator(cache)(ctx);
    await x.initial();
    expect(Buffer.from((await x.next(Buffer.from('{"status":"invalid_token"}')))!)).toEqual(Buffer.from([1]));
  });

  it("reads a JWT's exp claim", () => {
    const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expect(jwtExpiry(jwt({ exp: 1700000000 }))).toBe(1700000000_000);
    expect(jwtExpiry(jwt({ sub: 'x' }))).toBeUndefined();
    expect(jwtExpiry('opaque-token')).toBeUndefined();
  });
});

describe('OAuthBearerTokenCache', () => {
  function clock(start = 1_000_000) {
    let now = start;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  }

  it('reuses a token until 80 % of its life, then fetches a new one', async () => {
    const c = clock();
    let calls = 0;
    const cache = new OAuthBearerTokenCache(
      () => ({ value: `t${++calls}`, lifetimeMs: c.now() + 10_000 }),
      c.now,
    );
    expect((await cache.get('b')).value).toBe('t1');
    c.advance(7_999);
    expect((await cache.get('b')).value).toBe('t1');
    c.advance(2);
    expect((await cache.get('b')).value).toBe('t2');
    expect(calls).toBe(2);
  });

  it('refreshes in the background at 80 % of the life while in use, and stops once unused', async () => {
    // Regression: the next token was fetched only by the next authentication, so a
    // re-authentication that ran late (a loaded event loop) fetched it after the old one expired
    // (CI: a token issued 49 ms after the previous one's expiry).
    const issued: number[] = [];
    const cache = new OAuthBearerTokenCache(() => {
      issued.push(Date.now());
      return { value: `t${issued.length}`, lifetimeMs: Date.now() + 500 };
    });
    expect((await cache.get('b')).value).toBe('t1');
    await cache.get('b'); // in use since the fetch
    await new Promise((r) => setTimeout(r, 450));
    // Fetched at ~400 ms with no authentication asking for it.
    expect(issued).toHaveLength(2);
    expect(issued[1] - issued[0]).toBeLessThan(500);
    // Not used since: no further provider calls.
    await new Promise((r) => setTimeout(r, 500));
    expect(issued).toHaveLength(2);
  });

  it('shares one provider call between concurrent authentications', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const cache = new OAuthBearerTokenCache(async () => {
      calls++;
      await gate;
      return { value: 'shared', lifetimeMs: Date.now() + 60_000 };
    });
    const all = Promise.all([cache.get('a'), cache.get('b'), cache.get('c')]);
    release();
    expect((await all).map((t) => t.value)).toEqual(['shared', 'shared', 'shared']);
    expect(calls).toBe(1);
  });

  it('keeps a still-valid token when a refresh fails, and fails once it has expired', async () => {
    const c = clock();
    let fail = false;
    const cache = new OAuthBearerTokenCache(() => {
      if (fail) throw new Error('identity provider down');
      return { value: 'ok', lifetimeMs: c.now() + 10_000 };
    }, c.now);
    await cache.get('b');
    fail = true;
    c.advance(9_000);
    expect((await cache.get('b')).value).toBe('ok');
    c.advance(1_000);
    const err = await cache.get('b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/provider failed: identity provider down/);
  });

  it('refuses an expired or empty token before sending it, without quoting it', async () => {
    const expired = new OAuthBearerTokenCache(() => ({ value: 'SECRET-TOKEN', lifetimeMs: Date.now() - 1 }));
    const e1 = await expired.get('b').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(AuthenticationError);
    expect((e1 as Error).message).toMatch(/expired at/);
    expect((e1 as Error).message).not.toContain('SECRET-TOKEN');
    const empty = new OAuthBearerTokenCache(() => ({ value: '' }));
    await expect(empty.get('b')).rejects.toThrow(/returned no token/);
  });

  it('fetches a token of unknown expiry again for each authentication', async () => {
    let calls = 0;
    const cache = new OAuthBearerTokenCache(() => ({ value: `opaque${++calls}` }));
    expect((await cache.get('b')).value).toBe('opaque1');
    expect((await cache.get('b')).value).toBe('opaque2');
  });
});

/**
 * A fake broker speaking SaslHandshake v1 / SaslAuthenticate v2 through `onAuth` (null: accept
 * with an empty token), answering one request at a time in order as a broker does.
 */
function saslBroker(opts: {
  mechanisms?: string[];
  onAuth?: (
    token: Buffer,
    round: number,
  ) => { errorCode?: number; message?: string; token?: Buffer } | undefined;
  lifetimeMs?: bigint;
}) {
  const mechanisms = opts.mechanisms ?? ['PLAIN', 'SCRAM-SHA-512'];
  const received: string[] = [];
  let round = 0;
  const broker = new FakeBroker({
    apis: [
      { apiKey: 18, min: 0, max: 4 },
      { apiKey: 3, min: 0, max: 12 },
      { apiKey: 17, min: 0, max: 1 },
      { apiKey: 36, min: 0, max: 2 },
    ],
    onRequest: (req: FakeRequest) => {
      const r = new Reader(req.rest);
      if (req.apiKey === 17) {
        const mechanism = r.string(false);
        received.push(`handshake ${mechanism}`);
        const w = new Writer();
        w.int16(mechanisms.includes(mechanism) ? 0 : 33).int32(mechanisms.length);
        for (const m of mechanisms) w.string(m, false);
        req.reply(w.toBuffer());
      } else if (req.apiKey === 36) {
        r.taggedFields();
        const token = r.bytes(true);
        received.push(`authenticate ${token.length}`);
        const out = opts.onAuth?.(Buffer.from(token), round++) ?? {};
        const w = new Writer();
        w.int16(out.errorCode ?? 0)
          .nullableString(out.message ?? null, true)
          .bytes(out.token ?? Buffer.alloc(0), true)
          .int64(opts.lifetimeMs ?? 0n)
          .uvarint(0);
        req.reply(w.toBuffer(), { flexibleHeader: true });
      }
    },
  });
  return { broker, received };
}

describe('SaslHandshake and SaslAuthenticate exchange', () => {
  let broker: FakeBroker | undefined;
  let conn: Connection | undefined;
  afterEach(async () => {
    conn?.destroy();
    await broker?.stop();
    broker = undefined;
    conn = undefined;
  });

  async function connectWith(
    fake: ReturnType<typeof saslBroker>,
    mechanism: string,
    auth: Parameters<typeof saslAuthenticate>[1],
  ) {
    broker = await fake.broker.start();
    conn = new Connection({
      host: '127.0.0.1',
      port: broker.port,
      authenticate: saslAuthenticate(mechanism, auth),
    });
    return conn.connect().then(
      () => null,
      (e: unknown) => e as Error,
    );
  }

  it('authenticates with PLAIN: handshake, one token, ready', async () => {
    let got = '';
    const fake = saslBroker({
      onAuth: (t) => {
        got = t.toString();
        return undefined;
      },
    });
    expect(await connectWith(fake, 'PLAIN', plainAuthenticator('alice', 'pw'))).toBeNull();
    expect(fake.received).toEqual(['handshake PLAIN', 'authenticate 9']);
    expect(got).toBe('\u0000alice\u0000pw');
    expect(conn!.ready).toBe(true);
  });

  it('names the mechanisms the broker enables when ours is not one of them', async () => {
    const fake = saslBroker({ mechanisms: ['SCRAM-SHA-512', 'OAUTHBEARER'] });
    const err = await connectWith(fake, 'PLAIN', plainAuthenticator('alice', 'pw'));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err!.message).toMatch(
      /PLAIN is not enabled on this listener; it enables SCRAM-SHA-512, OAUTHBEARER/,
    );
    expect((err as AuthenticationError).enabledMechanisms).toEqual(['SCRAM-SHA-512', 'OAUTHBEARER']);
    expect((err as AuthenticationError).retriable).toBe(false);
    expect(conn!.closed).toBe(true);
  });

  it("reports the broker's SASL_AUTHENTICATION_FAILED message, never the password", async () => {
    const fake = saslBroker({
      onAuth: () => ({ errorCode: 58, message: 'Authentication failed: Invalid username or password' }),
    });
    const err = await connectWith(fake, 'PLAIN', plainAuthenticator('alice', 'Hunter2-secret'));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err!.message).toBe(
      `PLAIN authentication failed: Authentication failed: Invalid username or password [broker 127.0.0.1:${broker!.port}]`,
    );
    expect((err as AuthenticationError).code).toBe(58);
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain('Hunter2-secret');
  });

  it('fails the connection when a SCRAM server forges the final signature', async () => {
    const fake = saslBroker({
      mechanisms: ['SCRAM-SHA-256'],
      onAuth: (t, round) => {
        if (round === 0) {
          const nonce = /,r=([^,]+)/.exec(t.toString())![1];
          return {
            token: Buffer.from(`r=${nonce}server,s=${Buffer.from('salt').toString('base64')},i=4096`),
          };
        }
        return { token: Buffer.from(`v=${Buffer.alloc(32).toString('base64')}`) };
      },
    });
    const err = await connectWith(fake, 'SCRAM-SHA-256', scramAuthenticator('SCRAM-SHA-256', 'u', 'p'));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err!.message).toMatch(/server signature does not match/);
    expect(fake.received).toEqual([
      'handshake SCRAM-SHA-256',
      expect.stringMatching(/^authenticate /),
      expect.stringMatching(/^authenticate /),
    ]);
    expect(conn!.closed).toBe(true);
  });

  it('fails fast within connectTimeoutMs when the broker never answers SaslAuthenticate', async () => {
    broker = await new FakeBroker({
      apis: [
        { apiKey: 18, min: 0, max: 4 },
        { apiKey: 17, min: 1, max: 1 },
        { apiKey: 36, min: 0, max: 2 },
      ],
      onRequest: (req) => {
        if (req.apiKey === 17) req.reply(Buffer.from([0, 0, 0, 0, 0, 1, 0, 5, ...Buffer.from('PLAIN')]));
      },
    }).start();
    conn = new Connection({
      host: '127.0.0.1',
      port: broker.port,
      connectTimeoutMs: 500,
      requestTimeoutMs: 30_000,
      authenticate: saslAuthenticate('PLAIN', plainAuthenticator('a', 'b')),
    });
    const started = Date.now();
    await expect(conn.connect()).rejects.toThrow(/SaslAuthenticate v2 .* got no response/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
