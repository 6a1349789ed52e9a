/**
 * SASL PLAIN (RFC 4616): one message, `authzid NUL authcid NUL password`, with an empty authzid
 * as Kafka's PlainLoginModule sends it. The broker answers with an empty token on success. Only
 * safe over TLS: the password travels as is.
 */
import type { SaslAuthenticator } from './mechanism.js';

export function plainAuthenticator(username: string, password: string): SaslAuthenticator {
  return () => ({
    initial: () => Buffer.from(`\u0000${username}\u0000${password}`, 'utf8'),
    next: () => null,
  });
}
