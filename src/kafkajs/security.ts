/**
 * KafkaJS's `ssl` and `sasl` options as kafkawire's `securityProtocol` / `ssl` / `sasl`
 * (src/network/security.ts), for every client a `Kafka` makes.
 *
 * KafkaJS semantics kept: `ssl: true` or an object of tls.connect() options turns TLS on; `sasl`
 * without `ssl` is SASL over plaintext; mechanisms `plain`, `scram-sha-256`, `scram-sha-512`
 * and `oauthbearer` (its `oauthBearerProvider` returns `{ value }`, kafkawire's token shape).
 * Anything kafkawire cannot honour — a tls.connect() option it does not take, the `aws`
 * mechanism, a custom `authenticationProvider` — is refused naming it, never ignored: a program
 * must not run with less security than it asked for.
 */
import type { SaslConfig, SecurityConfig } from '../network/security.js';
import type { SslConfig } from '../network/tls.js';
import { KafkaJSNonRetriableError } from './errors.js';

/** tls.connect() options that map one to one onto kafkawire's `ssl`. */
const TLS_OPTIONS = [
  'ca',
  'cert',
  'key',
  'passphrase',
  'servername',
  'rejectUnauthorized',
  'minVersion',
  'ciphers',
];

/** The security options of kafkawire's clients for KafkaJS's `ssl` and `sasl`. */
export function securityOf(ssl: unknown, sasl: unknown): SecurityConfig {
  const out: SecurityConfig = {};
  const tls = sslOf(ssl);
  if (tls) out.ssl = tls;
  if (sasl !== undefined && sasl !== null) {
    out.sasl = saslOf(sasl);
    out.securityProtocol = tls ? 'SASL_SSL' : 'SASL_PLAINTEXT';
  } else if (tls) {
    out.securityProtocol = 'SSL';
  }
  return out;
}

function sslOf(ssl: unknown): SslConfig | undefined {
  if (ssl === undefined || ssl === false || ssl === null) return undefined;
  if (ssl === true) return {};
  if (typeof ssl !== 'object' || Array.isArray(ssl)) {
    throw new KafkaJSNonRetriableError('"ssl" must be true or an object of tls.connect() options');
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ssl)) {
    if (v === undefined) continue;
    if (!TLS_OPTIONS.includes(k)) {
      throw new KafkaJSNonRetriableError(
        `kafkawire/kafkajs does not support the TLS option "ssl.${k}" (supported: ${TLS_OPTIONS.join(', ')})`,
      );
    }
    out[k] = v;
  }
  return out as SslConfig;
}

function saslOf(sasl: unknown): SaslConfig {
  if (typeof sasl !== 'object' || sasl === null) {
    throw new KafkaJSNonRetriableError('"sasl" must be an object with a mechanism');
  }
  const s = sasl as Record<string, unknown>;
  const mechanism = typeof s.mechanism === 'string' ? s.mechanism.toLowerCase() : '';
  if (s.authenticationProvider !== undefined) {
    throw new KafkaJSNonRetriableError(
      "kafkawire/kafkajs does not support a custom sasl.authenticationProvider: use kafkawire's own clients with sasl: { mechanism, authenticator }",
    );
  }
  if (mechanism === 'plain' || mechanism === 'scram-sha-256' || mechanism === 'scram-sha-512') {
    return {
      mechanism: mechanism.toUpperCase() as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
      username: s.username as string,
      password: s.password as string,
    };
  }
  if (mechanism === 'oauthbearer') {
    return { mechanism: 'OAUTHBEARER', oauthBearerProvider: s.oauthBearerProvider as never };
  }
  throw new KafkaJSNonRetriableError(
    `kafkawire/kafkajs does not support the SASL mechanism "${String(s.mechanism)}" (plain, scram-sha-256, scram-sha-512 and oauthbearer are; for AWS IAM use kafkawire's own clients with a custom authenticator)`,
  );
}
