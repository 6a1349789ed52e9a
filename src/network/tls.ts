/**
 * TLS for broker connections: the `ssl` client option turned into node:tls options, and TLS
 * failures turned into errors that name the broker and the reason.
 *
 * Invariants:
 * - Verification is on unless the user turns it off: the broker's chain against `ca` (or
 *   Node's bundled and system CAs when no `ca` is given) and its name against the host, as
 *   Java's `ssl.endpoint.identification.algorithm=https`. Turning `rejectUnauthorized` off
 *   warns once per process.
 * - A certificate problem is an SslAuthenticationError (not retriable: the same certificate
 *   fails the same way); a TLS connection cut before the handshake ends is a retriable
 *   ConnectionError whose message suggests the listener may not be TLS.
 * - No key, passphrase or certificate content appears in a message.
 */
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { ConnectionError, SslAuthenticationError } from '../protocol/errors.js';

/** PEM text or bytes, or several of them. */
export type PemInput = string | Buffer | readonly (string | Buffer)[];

/**
 * TLS options (Java: the `ssl.*` configs). Everything is optional: `{}` (or `true`) verifies
 * the broker against Node's CA bundle and the system's, which is what managed services need.
 */
export interface SslConfig {
  /**
   * Trusted CA certificates, PEM (Java: `ssl.truststore.certificates`, or a PEM
   * `ssl.truststore.location`). Default: Node's bundled CAs plus the system's.
   */
  ca?: PemInput;
  /** Client certificate chain for mutual TLS, PEM (Java: `ssl.keystore.certificate.chain`). */
  cert?: PemInput;
  /** Client private key for mutual TLS, PEM, possibly encrypted (Java: `ssl.keystore.key`). */
  key?: PemInput;
  /** Passphrase of an encrypted `key` (Java: `ssl.key.password`). */
  passphrase?: string;
  /** Name sent for SNI and checked against the certificate. Default: the broker's host (none for an IP). */
  servername?: string;
  /** Refuse a broker whose certificate does not verify. Default true; false warns once. */
  rejectUnauthorized?: boolean;
  /**
   * `'https'` checks the broker's certificate against its host name (default); `''` checks the
   * chain only (Java: `ssl.endpoint.identification.algorithm`).
   */
  endpointIdentificationAlgorithm?: 'https' | '';
  /** Lowest TLS version (Java: `ssl.enabled.protocols`). Default Node's (TLSv1.2). */
  minVersion?: tls.SecureVersion;
  /** OpenSSL cipher list (Java: `ssl.cipher.suites`). Default Node's. */
  ciphers?: string;
}

let insecureWarned = false;

/**
 * node:tls options for `ssl` (already checked by security.ts): one SecureContext, parsed now,
 * shared by every connection. Throws OpenSSL's error for PEM input it cannot read.
 */
export function tlsOptionsFor(ssl: SslConfig): tls.ConnectionOptions {
  const secureContext = tls.createSecureContext({
    ca: (ssl.ca as tls.SecureContextOptions['ca']) ?? defaultCAs(),
    cert: ssl.cert as tls.SecureContextOptions['cert'],
    key: ssl.key as tls.SecureContextOptions['key'],
    passphrase: ssl.passphrase,
    minVersion: ssl.minVersion,
    ciphers: ssl.ciphers,
  });
  const o: tls.ConnectionOptions = { secureContext, rejectUnauthorized: ssl.rejectUnauthorized ?? true };
  if (ssl.servername !== undefined) o.servername = ssl.servername;
  if (!o.rejectUnauthorized && !insecureWarned) {
    insecureWarned = true;
    process.emitWarning(
      'ssl.rejectUnauthorized is false: broker certificates are not verified, so the connection can be intercepted',
      { code: 'KAFKAWIRE_TLS_INSECURE' },
    );
  }
  // The chain is still verified; only the name check is skipped.
  if (ssl.endpointIdentificationAlgorithm === '') o.checkServerIdentity = () => undefined;
  return o;
}

let systemAndBundled: string[] | undefined;

/**
 * Node's bundled CAs plus the system's store (as a JVM trusts its cacerts), so a CA installed
 * on the machine works without `ssl.ca`. Computed once per process.
 */
function defaultCAs(): string[] | undefined {
  const get = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  if (typeof get !== 'function') return undefined; // Node < 22.15: Node's own defaults
  if (!systemAndBundled) {
    const all = new Set(get('default'));
    try {
      for (const c of get('system')) all.add(c);
    } catch {
      // No readable system store: the bundled CAs alone.
    }
    systemAndBundled = [...all];
  }
  return systemAndBundled;
}

/** The options for one connection: SNI only for a host name (Node warns for an IP, DEP0123). */
export function tlsConnectOptions(
  base: tls.ConnectionOptions,
  host: string,
  port: number,
): tls.ConnectionOptions {
  const servername = base.servername ?? (isIP(host) ? undefined : host);
  return servername === undefined ? { ...base, host, port } : { ...base, host, port, servername };
}

/** Node/OpenSSL codes that mean "this certificate is not acceptable", with what to tell the user. */
const CERTIFICATE_REASONS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'its certificate is not signed by a trusted CA (set ssl.ca to the CA that signed it)',
  UNABLE_TO_GET_ISSUER_CERT: 'its certificate is not signed by a trusted CA (set ssl.ca)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not signed by a trusted CA (set ssl.ca)',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in an untrusted self-signed CA (set ssl.ca)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it presents an untrusted self-signed certificate (set ssl.ca)',
  CERT_UNTRUSTED: 'its certificate is not trusted',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  CERT_REVOKED: 'its certificate is revoked',
  CERT_SIGNATURE_FAILURE: 'its certificate signature does not verify',
  INVALID_CA: 'a CA certificate in its chain is invalid',
  ERR_TLS_CERT_ALTNAME_INVALID:
    'its certificate does not match the host name (check the address, ssl.servername, or ssl.endpointIdentificationAlgorithm)',
  HOSTNAME_MISMATCH: 'its certificate does not match the host name',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'it does not trust our client certificate (ssl.cert)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'it refused our client certificate (ssl.cert)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'it refused our client certificate (ssl.cert)',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'it requires a client certificate (set ssl.cert and ssl.key)',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'it denied access to our client certificate',
  ERR_SSL_BAD_DECRYPT: 'our private key cannot be decrypted (check ssl.passphrase)',
  ERR_OSSL_BAD_DECRYPT: 'our private key cannot be decrypted (check ssl.passphrase)',
  ERR_OSSL_EVP_BAD_DECRYPT: 'our private key cannot be decrypted (check ssl.passphrase)',
};

/**
 * The error to report for a failure while opening a TLS connection to `broker`: an
 * SslAuthenticationError for certificate problems, else a ConnectionError.
 */
export function tlsError(err: Error, broker: string): Error {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const reason = CERTIFICATE_REASONS[code];
  if (reason) {
    return new SslAuthenticationError(
      `TLS handshake with ${broker} failed: ${reason} (${code}: ${err.message})`,
      broker,
      code,
      { cause: err },
    );
  }
  if (code === 'ECONNRESET' || /before secure TLS connection/.test(err.message)) {
    return new ConnectionError(
      `TLS handshake cut by the broker (${err.message}); is this listener TLS (securityProtocol SSL or SASL_SSL)?`,
      broker,
      { cause: err },
    );
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_')) {
    return new SslAuthenticationError(
      `TLS handshake with ${broker} failed: ${err.message} (${code})`,
      broker,
      code,
      {
        cause: err,
      },
    );
  }
  return new ConnectionError(`Cannot connect: ${err.message}`, broker, { cause: err });
}
