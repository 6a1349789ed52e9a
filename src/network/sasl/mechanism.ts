/**
 * The SASL mechanism interface: what PLAIN, SCRAM and OAUTHBEARER implement, and what a user
 * implements to add another (AWS MSK IAM, Kerberos through a native binding, ...).
 *
 * One `SaslExchange` serves one authentication of one connection (a re-authentication gets a
 * new one). The exchange only makes and checks tokens; the connection carries them in
 * SaslAuthenticate requests (authenticate.ts), so a mechanism never touches a socket.
 */

/** What a mechanism knows about the connection it authenticates. */
export interface SaslContext {
  /** The broker's host as the client connects to it (bootstrap or metadata address). */
  readonly host: string;
  readonly port: number;
  /** True when an authenticated connection renews its session (KIP-368). */
  readonly reauthentication: boolean;
}

/**
 * One client side of a SASL exchange. `initial` gives the first token; each broker answer goes
 * to `next`, which returns the next token to send, or `null` when the exchange is complete on
 * the client side (after checking whatever the broker proved, e.g. SCRAM's server signature).
 * Throwing fails the authentication; throw an `AuthenticationError` to choose the message.
 */
export interface SaslExchange {
  initial(): Uint8Array | Promise<Uint8Array>;
  next(brokerToken: Buffer): Uint8Array | null | Promise<Uint8Array | null>;
}

/**
 * A SASL mechanism: its name as the broker knows it (SaslHandshake) and how to start an
 * exchange. Pass one as `sasl: { mechanism: 'NAME', authenticator }`.
 */
export type SaslAuthenticator = (context: SaslContext) => SaslExchange | Promise<SaslExchange>;
