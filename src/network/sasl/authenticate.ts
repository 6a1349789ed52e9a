/**
 * The SASL exchange on one connection (KIP-152, KIP-368): SaslHandshake naming the mechanism,
 * then SaslAuthenticate round trips carrying the mechanism's tokens until it is satisfied. Used
 * as the connection's `authenticate` step, at connect time and again to re-authenticate.
 *
 * Invariants:
 * - Every failure is an AuthenticationError (not retriable) naming the broker, the mechanism
 *   and the broker's reason; UNSUPPORTED_SASL_MECHANISM lists the mechanisms the broker enables.
 * - Tokens are passed through, never logged or quoted.
 * - The exchange is bounded: a broker that keeps answering cannot keep it going forever.
 */

import { SaslHandshake } from '../../protocol/apis/17-sasl-handshake.js';
import { SaslAuthenticate } from '../../protocol/apis/36-sasl-authenticate.js';
import { ErrorCode, errorCodeInfo } from '../../protocol/error-codes.js';
import { AuthenticationError } from '../../protocol/errors.js';
import type { AuthResult, AuthSession } from '../connection.js';
import type { SaslAuthenticator } from './mechanism.js';

/** More round trips than any real mechanism needs (SCRAM takes two). */
const MAX_ROUND_TRIPS = 16;

/** The connection's `authenticate` step for one mechanism. */
export function saslAuthenticate(
  mechanism: string,
  authenticator: SaslAuthenticator,
): (session: AuthSession) => Promise<AuthResult> {
  return async (session) => {
    const { host, port, address: broker } = session.connection;
    const hs = await session.send(SaslHandshake, { mechanism });
    if (hs.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM) {
      throw new AuthenticationError(
        `SASL mechanism ${mechanism} is not enabled on this listener; it enables ${hs.mechanisms.length ? hs.mechanisms.join(', ') : 'none'}`,
        { broker, mechanism, code: hs.errorCode, enabledMechanisms: hs.mechanisms },
      );
    }
    if (hs.errorCode === ErrorCode.ILLEGAL_SASL_STATE) {
      throw new AuthenticationError(
        'The broker does not expect a SASL handshake here: is this listener SASL (securityProtocol SASL_PLAINTEXT or SASL_SSL)?',
        { broker, mechanism, code: hs.errorCode },
      );
    }
    if (hs.errorCode !== ErrorCode.NONE) {
      throw new AuthenticationError(`SaslHandshake failed: ${describeCode(hs.errorCode)}`, {
        broker,
        mechanism,
        code: hs.errorCode,
      });
    }
    const exchange = await authenticator({ host, port, reauthentication: session.reauthentication });
    let token: Uint8Array | null = await exchange.initial();
    let sessionLifetimeMs = 0n;
    for (let round = 0; token !== null; round++) {
      if (round === MAX_ROUND_TRIPS) {
        throw new AuthenticationError(
          `${mechanism} exchange did not end after ${MAX_ROUND_TRIPS} round trips`,
          {
            broker,
            mechanism,
          },
        );
      }
      const res = await session.send(SaslAuthenticate, { authBytes: token });
      if (res.errorCode !== ErrorCode.NONE) {
        throw new AuthenticationError(
          `${mechanism} authentication failed: ${res.errorMessage || describeCode(res.errorCode)}`,
          { broker, mechanism, code: res.errorCode },
        );
      }
      sessionLifetimeMs = res.sessionLifetimeMs;
      token = await exchange.next(res.authBytes);
    }
    return { sessionLifetimeMs: Number(sessionLifetimeMs) };
  };
}

function describeCode(code: number): string {
  const info = errorCodeInfo(code);
  return `${info.name} (${code}): ${info.message}`;
}
