/**
 * SASL OAUTHBEARER (RFC 7628) as Kafka speaks it (KIP-255): the client's initial response
 * `n,,\x01auth=Bearer <token>\x01[key=value\x01...]\x01`; an empty answer means success, an
 * error answer (a JSON status) is acknowledged with a lone `\x01` and the broker then fails the
 * exchange with SASL_AUTHENTICATION_FAILED.
 *
 * Tokens come from the user's provider and are shared by every connection of one client. A
 * token is reused until 80 % of its life has passed (Java's `sasl.login.refresh.window.factor`);
 * then, as Java's refreshing login does, a background refresh fetches the next one — if the cache
 * was used since the last fetch, so a closed client stops calling the provider — and an
 * authentication that comes first fetches it itself. Concurrent fetches share one provider call.
 * Refreshing on a timer rather than only at the next re-authentication (KIP-368) keeps a late
 * re-authentication (a loaded event loop) from fetching after the old token expired.
 *
 * Invariant: the token never appears in a message; provider failures are reported by their
 * own message, and an expired token fails before it is sent.
 */
import { AuthenticationError } from '../../protocol/errors.js';
import type { SaslAuthenticator } from './mechanism.js';

/** What an OAUTHBEARER token provider returns. */
export interface OAuthBearerToken {
  /** The token, e.g. a JWT (sent as `auth=Bearer <value>`). */
  value: string;
  /**
   * When the token expires, in ms since the epoch (Java: `OAuthBearerToken.lifetimeMs()`).
   * Default: the JWT's `exp` claim when the token is a JWT; otherwise the token is fetched
   * again for every authentication.
   */
  lifetimeMs?: number;
  /** SASL extensions sent with the token (Java: `SaslExtensions`, KIP-342), e.g. a logical cluster id. */
  extensions?: Record<string, string>;
}

/** Returns a token; called again before the current one expires. */
export type OAuthBearerProvider = () => OAuthBearerToken | Promise<OAuthBearerToken>;

/** Java's `sasl.login.refresh.window.factor` default. */
const REFRESH_WINDOW = 0.8;
const KVSEP = '\u0001';

interface CachedToken {
  value: string;
  extensions: Record<string, string>;
  expiresAt: number;
  refreshAt: number;
}

/** The client's token cache: one per client instance, shared by its connections. */
export class OAuthBearerTokenCache {
  /** The token in use; only one with a known expiry is kept. */
  private token: CachedToken | null = null;
  private fetching: Promise<CachedToken> | null = null;
  /** get() was called since the last fetch: the background refresh is still wanted. */
  private used = false;

  constructor(
    private readonly provider: OAuthBearerProvider,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token that has not reached its refresh time, fetching one if need be. */
  async get(broker: string): Promise<{ value: string; extensions: Record<string, string> }> {
    this.used = true;
    const t = this.token;
    if (t && this.now() < t.refreshAt) return t;
    try {
      return await this.fetchShared(broker);
    } catch (err) {
      // A refresh that fails while the old token is still valid keeps the old one for now.
      const old = this.token;
      if (old && this.now() < old.expiresAt) return old;
      throw err;
    }
  }

  private fetchShared(broker: string): Promise<CachedToken> {
    this.fetching ??= this.fetch(broker).finally(() => {
      this.fetching = null;
    });
    return this.fetching;
  }

  /** At the token's refresh time, fetches the next one if the cache is still in use. */
  private scheduleRefresh(token: CachedToken, broker: string): void {
    this.used = false;
    const timer = setTimeout(
      () => {
        if (this.token !== token || !this.used) return;
        // A failure here is the next get()'s to report (it keeps the old token while valid).
        this.fetchShared(broker).catch(() => {});
      },
      Math.max(0, token.refreshAt - this.now()),
    );
    timer.unref();
  }

  private async fetch(broker: string): Promise<CachedToken> {
    const details = { broker, mechanism: 'OAUTHBEARER' };
    let got: OAuthBearerToken;
    try {
      got = await this.provider();
    } catch (err) {
      throw new AuthenticationError(
        `OAUTHBEARER token provider failed: ${err instanceof Error ? err.message : String(err)}`,
        details,
        { cause: err },
      );
    }
    if (!got || typeof got.value !== 'string' || got.value === '') {
      throw new AuthenticationError(
        'OAUTHBEARER token provider returned no token (expected { value: string })',
        details,
      );
    }
    const obtained = this.now();
    const expiresAt = got.lifetimeMs ?? jwtExpiry(got.value);
    if (expiresAt !== undefined && !(expiresAt > obtained)) {
      throw new AuthenticationError(
        `OAUTHBEARER token from the provider expired at ${new Date(expiresAt).toISOString()}`,
        details,
      );
    }
    const extensions = got.extensions ?? {};
    for (const [k, v] of Object.entries(extensions)) {
      // RFC 7628 §3.1: key = 1*(ALPHA), value = *(VCHAR / SP / HTAB / CR / LF); "auth" is the token's.
      if (!/^[A-Za-z]+$/.test(k) || k === 'auth' || !/^[\x21-\x7E \t\r\n]*$/.test(v)) {
        throw new AuthenticationError(`OAUTHBEARER extension "${k}" is not a valid SASL extension`, details);
      }
    }
    if (expiresAt === undefined) {
      // Unknown expiry: good for the authentications waiting now, fetched again for the next.
      return { value: got.value, extensions, expiresAt: obtained, refreshAt: obtained };
    }
    const token = {
      value: got.value,
      extensions,
      expiresAt,
      refreshAt: obtained + (expiresAt - obtained) * REFRESH_WINDOW,
    };
    this.token = token;
    this.scheduleRefresh(token, broker);
    return token;
  }
}

/** The JWT `exp` claim in ms, when `token` is a JWT with a numeric one. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The RFC 7628 client initial response. */
export function oauthBearerInitialResponse(token: string, extensions: Record<string, string>): Buffer {
  let ext = '';
  for (const [k, v] of Object.entries(extensions)) ext += `${k}=${v}${KVSEP}`;
  return Buffer.from(`n,,${KVSEP}auth=Bearer ${token}${KVSEP}${ext}${KVSEP}`, 'utf8');
}

export function oauthBearerAuthenticator(cache: OAuthBearerTokenCache): SaslAuthenticator {
  return async (context) => {
    const broker = `${context.host}:${context.port}`;
    const token = await cache.get(broker);
    let answered = false;
    return {
      initial: () => oauthBearerInitialResponse(token.value, token.extensions),
      next: (brokerToken) => {
        if (brokerToken.length === 0) return null;
        if (answered) {
          throw new AuthenticationError('OAUTHBEARER: unexpected message from the broker', {
            broker,
            mechanism: 'OAUTHBEARER',
          });
        }
        // An error status (RFC 7628 §3.2.2): acknowledge it; the broker then fails the exchange
        // with SASL_AUTHENTICATION_FAILED, whose message authenticate.ts reports.
        answered = true;
        return Buffer.from(KVSEP, 'utf8');
      },
    };
  };
}
