/**
 * The security options every client shares — `securityProtocol`, `ssl`, `sasl` — and their one
 * validator. Producer, Consumer and Admin take exactly these (Java: `security.protocol`,
 * `ssl.*`, `sasl.mechanism` + `sasl.jaas.config`) and hand the result to their Cluster.
 *
 * Invariants:
 * - A wrong value fails at construction with a ConfigError naming the option
 *   (`ssl.key`, `sasl.password`, ...); a secret is never quoted in the message.
 * - Certificates and keys are parsed once here (one SecureContext per client), so a bad PEM or
 *   passphrase is a ConfigError now rather than a failure on every connection later.
 * - SASL credentials live in the authenticator's closure, not in any object a user might print.
 */
import type * as tls from 'node:tls';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../protocol/errors.js';
import type { AuthResult, AuthSession } from './connection.js';
import { saslAuthenticate } from './sasl/authenticate.js';
import type { SaslAuthenticator } from './sasl/mechanism.js';
import {
  type OAuthBearerProvider,
  OAuthBearerTokenCache,
  oauthBearerAuthenticator,
} from './sasl/oauthbearer.js';
import { plainAuthenticator } from './sasl/plain.js';
import { scramAuthenticator } from './sasl/scram.js';
import { type PemInput, type SslConfig, tlsOptionsFor } from './tls.js';

/** Java's `security.protocol`. */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = [
  'PLAINTEXT',
  'SSL',
  'SASL_PLAINTEXT',
  'SASL_SSL',
];

/** PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 with a user name and password (Java: PlainLoginModule / ScramLoginModule). */
export interface SaslPasswordConfig {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
  /** SCRAM only: the credentials are a delegation token (Java: `tokenauth=true`, KIP-48). */
  tokenAuth?: boolean;
}

/** OAUTHBEARER with tokens from `oauthBearerProvider` (Java: `sasl.login.callback.handler.class`). */
export interface SaslOAuthBearerConfig {
  mechanism: 'OAUTHBEARER';
  /** Returns a token and when it expires; called again before it does. */
  oauthBearerProvider: OAuthBearerProvider;
}

/** Any other mechanism, through your own authenticator (see README, "Other SASL mechanisms"). */
export interface SaslCustomConfig {
  /** The mechanism's name as the broker enables it, e.g. `AWS_MSK_IAM`. */
  mechanism: string;
  authenticator: SaslAuthenticator;
}

export type SaslConfig = SaslPasswordConfig | SaslOAuthBearerConfig | SaslCustomConfig;

/** The security options of Producer, Consumer and Admin. */
export interface SecurityConfig {
  /**
   * How to talk to brokers (Java: `security.protocol`). Default: `SASL_SSL` with `sasl` and
   * `ssl`, `SSL` with `ssl` alone, `PLAINTEXT` with neither; `sasl` without `ssl` must say
   * `SASL_PLAINTEXT` explicitly (the credentials would travel unencrypted).
   */
  securityProtocol?: SecurityProtocol;
  /** TLS options (Java: `ssl.*`); `true` or `{}` for the defaults. Used with SSL and SASL_SSL. */
  ssl?: SslConfig | boolean;
  /** SASL mechanism and credentials (Java: `sasl.mechanism`, `sasl.jaas.config`). */
  sasl?: SaslConfig;
}

/** Option names of SecurityConfig, for the clients' unknown-option checks. */
export const SECURITY_OPTIONS = ['securityProtocol', 'ssl', 'sasl'] as const;

/** What a Cluster needs: TLS options and the authenticate step, each when the protocol uses it. */
export interface ResolvedSecurity {
  securityProtocol: SecurityProtocol;
  tls?: tls.ConnectionOptions;
  authenticate?: (session: AuthSession) => Promise<AuthResult>;
}

const SSL_KEYS = [
  'ca',
  'cert',
  'key',
  'passphrase',
  'servername',
  'rejectUnauthorized',
  'endpointIdentificationAlgorithm',
  'minVersion',
  'ciphers',
] as const;

/** Checks `securityProtocol`, `ssl` and `sasl` and builds what the connections use. */
export function resolveSecurity(c: SecurityConfig): ResolvedSecurity {
  const ssl = c.ssl === true ? {} : c.ssl === false ? undefined : c.ssl;
  if (ssl !== undefined && (ssl === null || typeof ssl !== 'object' || Array.isArray(ssl))) {
    throw new ConfigError('ssl', 'expected an object of TLS options, or true');
  }
  const sasl = c.sasl;
  if (sasl !== undefined && (sasl === null || typeof sasl !== 'object')) {
    throw new ConfigError('sasl', 'expected { mechanism, ... }');
  }
  let protocol = c.securityProtocol;
  if (protocol === undefined) {
    if (sasl && !ssl) {
      throw new ConfigError(
        'securityProtocol',
        "sasl is set without ssl: set securityProtocol to 'SASL_SSL' (with ssl) or, for an unencrypted listener, 'SASL_PLAINTEXT'",
      );
    }
    protocol = sasl ? 'SASL_SSL' : ssl ? 'SSL' : 'PLAINTEXT';
  }
  if (!SECURITY_PROTOCOLS.includes(protocol)) {
    throw new ConfigError(
      'securityProtocol',
      `expected one of ${SECURITY_PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`,
    );
  }
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  if (!usesTls && c.ssl !== undefined && c.ssl !== false) {
    throw new ConfigError(
      'ssl',
      `is set but securityProtocol is ${protocol}; use 'SSL' or 'SASL_SSL' for TLS`,
    );
  }
  if (usesSasl && !sasl) throw new ConfigError('sasl', `is required with securityProtocol ${protocol}`);
  if (!usesSasl && sasl) {
    throw new ConfigError(
      'sasl',
      `is set but securityProtocol is ${protocol}; use 'SASL_SSL' or 'SASL_PLAINTEXT'`,
    );
  }
  const out: ResolvedSecurity = { securityProtocol: protocol };
  if (usesTls) out.tls = resolveSsl(ssl ?? {});
  if (usesSasl && sasl) out.authenticate = resolveSasl(sasl);
  return out;
}

function resolveSsl(ssl: SslConfig): tls.ConnectionOptions {
  for (const key of Object.keys(ssl)) {
    if (!(SSL_KEYS as readonly string[]).includes(key)) {
      throw new ConfigError(`ssl.${key}`, `unknown TLS option (known: ${SSL_KEYS.join(', ')})`);
    }
  }
  for (const name of ['ca', 'cert', 'key'] as const) {
    const v = ssl[name];
    if (v === undefined) continue;
    if (!isPemInput(v)) {
      throw new ConfigError(
        `ssl.${name}`,
        'expected PEM text or bytes (a string, a Buffer, or an array of them)',
      );
    }
    if (![v].flat().every((x) => x.includes('-----BEGIN '))) {
      throw new ConfigError(
        `ssl.${name}`,
        'expected PEM ("-----BEGIN ..."); a JKS or PKCS#12 keystore is not PEM: convert it (keytool -exportcert -rfc, openssl pkcs12 -nodes)',
      );
    }
  }
  for (const name of ['passphrase', 'servername', 'ciphers'] as const) {
    if (ssl[name] !== undefined && typeof ssl[name] !== 'string')
      throw new ConfigError(`ssl.${name}`, 'expected a string');
  }
  if (ssl.rejectUnauthorized !== undefined && typeof ssl.rejectUnauthorized !== 'boolean') {
    throw new ConfigError('ssl.rejectUnauthorized', 'expected true or false');
  }
  if (
    ssl.endpointIdentificationAlgorithm !== undefined &&
    !['https', ''].includes(ssl.endpointIdentificationAlgorithm)
  ) {
    throw new ConfigError(
      'ssl.endpointIdentificationAlgorithm',
      `expected 'https' or '' (no host name check)`,
    );
  }
  if (ssl.minVersion !== undefined && !['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].includes(ssl.minVersion)) {
    throw new ConfigError('ssl.minVersion', "expected 'TLSv1.2' or 'TLSv1.3'");
  }
  if ((ssl.cert === undefined) !== (ssl.key === undefined)) {
    throw new ConfigError(
      ssl.cert === undefined ? 'ssl.cert' : 'ssl.key',
      'mutual TLS needs both ssl.cert and ssl.key',
    );
  }
  try {
    return tlsOptionsFor(ssl);
  } catch (err) {
    throw pemError(ssl, err);
  }
}

function isPemInput(v: unknown): v is PemInput {
  const one = (x: unknown) => typeof x === 'string' || Buffer.isBuffer(x);
  return one(v) || (Array.isArray(v) && v.length > 0 && v.every(one));
}

/**
 * A ConfigError for PEM input OpenSSL refused, naming the option at fault: found by parsing
 * each part alone (only on this failure path).
 */
function pemError(ssl: SslConfig, err: unknown): ConfigError {
  const reason = (e: unknown) => {
    const x = e as NodeJS.ErrnoException;
    return x.code ? `${x.code}: ${x.message}` : String(x.message ?? e);
  };
  const text = reason(err);
  if (/bad decrypt|bad password|interrupted or cancelled/i.test(text)) {
    return new ConfigError(
      'ssl.passphrase',
      `cannot decrypt ssl.key with it${ssl.passphrase === undefined ? ' (none given)' : ''}`,
    );
  }
  if (/key values mismatch/i.test(text))
    return new ConfigError('ssl.key', 'does not match the certificate in ssl.cert');
  const parts: [string, tls.SecureContextOptions][] = [
    ['ssl.ca', { ca: ssl.ca as tls.SecureContextOptions['ca'] }],
    ['ssl.cert', { cert: ssl.cert as tls.SecureContextOptions['cert'] }],
    ['ssl.key', { key: ssl.key as tls.SecureContextOptions['key'], passphrase: ssl.passphrase }],
  ];
  for (const [option, part] of parts) {
    if (Object.values(part)[0] === undefined) continue;
    try {
      createSecureContext(part);
    } catch (e) {
      return new ConfigError(option, `cannot be read as PEM (${reason(e)})`);
    }
  }
  return new ConfigError('ssl', `TLS options refused (${text})`);
}

const PASSWORD_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

function resolveSasl(sasl: SaslConfig): (session: AuthSession) => Promise<AuthResult> {
  const raw = (sasl as { mechanism?: unknown }).mechanism;
  if (typeof raw !== 'string' || raw === '') {
    throw new ConfigError('sasl.mechanism', 'expected a mechanism name such as SCRAM-SHA-512');
  }
  const upper = raw.toUpperCase();
  const keys = Object.keys(sasl);
  const allow = (known: string[]) => {
    for (const k of keys) {
      if (!known.includes(k))
        throw new ConfigError(`sasl.${k}`, `unknown option for ${upper} (known: ${known.join(', ')})`);
    }
  };
  if ((PASSWORD_MECHANISMS as readonly string[]).includes(upper)) {
    const s = sasl as SaslPasswordConfig;
    allow(
      upper === 'PLAIN'
        ? ['mechanism', 'username', 'password']
        : ['mechanism', 'username', 'password', 'tokenAuth'],
    );
    if (typeof s.username !== 'string' || s.username === '')
      throw new ConfigError('sasl.username', 'expected a non-empty string');
    // The value is a secret: say what is wrong with it, never what it is.
    if (typeof s.password !== 'string')
      throw new ConfigError('sasl.password', `expected a string, got ${typeofValue(s.password)}`);
    if (s.tokenAuth !== undefined && typeof s.tokenAuth !== 'boolean')
      throw new ConfigError('sasl.tokenAuth', 'expected true or false');
    const authenticator =
      upper === 'PLAIN'
        ? plainAuthenticator(s.username, s.password)
        : scramAuthenticator(upper as 'SCRAM-SHA-256' | 'SCRAM-SHA-512', s.username, s.password, {
            tokenAuth: s.tokenAuth,
          });
    return saslAuthenticate(upper, authenticator);
  }
  if (upper === 'OAUTHBEARER' && !('authenticator' in sasl)) {
    allow(['mechanism', 'oauthBearerProvider']);
    const provider = (sasl as SaslOAuthBearerConfig).oauthBearerProvider;
    if (typeof provider !== 'function') {
      throw new ConfigError(
        'sasl.oauthBearerProvider',
        'OAUTHBEARER needs a function returning { value, lifetimeMs }',
      );
    }
    return saslAuthenticate(upper, oauthBearerAuthenticator(new OAuthBearerTokenCache(provider)));
  }
  allow(['mechanism', 'authenticator']);
  const authenticator = (sasl as SaslCustomConfig).authenticator;
  if (typeof authenticator !== 'function') {
    throw new ConfigError(
      'sasl.authenticator',
      `mechanism ${raw} is not built in (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER): pass an authenticator for it`,
    );
  }
  // A custom mechanism's name is sent as given: brokers compare mechanism names exactly.
  return saslAuthenticate(raw, authenticator);
}

function typeofValue(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
