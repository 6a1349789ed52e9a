/**
 * SASL SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), as Kafka's ScramSaslClient speaks
 * them: no channel binding (gs2 header `n,,`), no SASLprep of the password (its UTF-8 bytes, as
 * Java), `=` and `,` escaped in the user name.
 *
 * Invariants:
 * - The server's nonce must extend ours, and its iteration count be at least 4096 (Kafka's
 *   minimum), or the exchange fails before any proof is sent.
 * - The exchange succeeds only when the server's final message carries the signature that
 *   proves it knows the password's stored keys; a missing or different one fails it (a server
 *   that merely says "ok" could be anyone).
 * - The password and the salted keys stay in this closure; no message quotes them.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '../../protocol/errors.js';
import type { SaslAuthenticator, SaslExchange } from './mechanism.js';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

const HASH: Record<ScramMechanism, { name: 'sha256' | 'sha512'; length: number }> = {
  'SCRAM-SHA-256': { name: 'sha256', length: 32 },
  'SCRAM-SHA-512': { name: 'sha512', length: 64 },
};

/** Kafka's ScramMechanism.minIterations: a weaker server-first message is refused. */
const MIN_ITERATIONS = 4096;
/** gs2 header without channel binding or authzid, and its base64 for the c= attribute. */
const GS2_HEADER = 'n,,';

export interface ScramOptions {
  /** For tests only: the client nonce (RFC 7677's vector uses a fixed one). */
  nonce?: string;
  /** Kafka's `tokenauth=true` extension: authenticate with a delegation token (KIP-48). */
  tokenAuth?: boolean;
}

export function scramAuthenticator(
  mechanism: ScramMechanism,
  username: string,
  password: string,
  options: ScramOptions = {},
): SaslAuthenticator {
  return (context) =>
    new ScramExchange(mechanism, username, password, options, `${context.host}:${context.port}`);
}

class ScramExchange implements SaslExchange {
  private readonly clientNonce: string;
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | null = null;
  private step = 0;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly username: string,
    private readonly password: string,
    private readonly options: ScramOptions,
    private readonly broker: string,
  ) {
    // base64 never contains ',' (the attribute separator).
    this.clientNonce = options.nonce ?? randomBytes(24).toString('base64');
  }

  initial(): Uint8Array {
    const extensions = this.options.tokenAuth ? ',tokenauth=true' : '';
    this.clientFirstBare = `n=${saslName(this.username)},r=${this.clientNonce}${extensions}`;
    this.step = 1;
    return Buffer.from(GS2_HEADER + this.clientFirstBare, 'utf8');
  }

  async next(brokerToken: Buffer): Promise<Uint8Array | null> {
    if (this.step === 1) {
      this.step = 2;
      return this.clientFinal(brokerToken.toString('utf8'));
    }
    if (this.step === 2) {
      this.step = 3;
      this.verifyServerFinal(brokerToken.toString('utf8'));
      return null;
    }
    throw this.fail('the broker sent a message after the exchange ended');
  }

  private async clientFinal(serverFirst: string): Promise<Buffer> {
    const attrs = parseAttributes(serverFirst);
    if (attrs.has('e')) throw this.fail(`the broker refused the first message: ${attrs.get('e')}`);
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!nonce || salt === undefined || !Number.isInteger(iterations)) {
      throw this.fail('the broker sent a malformed server-first message');
    }
    if (!nonce.startsWith(this.clientNonce) || nonce.length === this.clientNonce.length) {
      throw this.fail("the broker's nonce does not extend ours");
    }
    if (iterations < MIN_ITERATIONS) {
      throw this.fail(
        `the broker asks for ${iterations} iterations, fewer than the minimum ${MIN_ITERATIONS}`,
      );
    }
    const keys = await scramKeys(this.mechanism, this.password, Buffer.from(salt, 'base64'), iterations);
    const clientFinalWithoutProof = `c=${Buffer.from(GS2_HEADER).toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
    const h = HASH[this.mechanism].name;
    const clientSignature = hmac(h, keys.storedKey, authMessage);
    const proof = Buffer.alloc(clientSignature.length);
    for (let i = 0; i < proof.length; i++) proof[i] = keys.clientKey[i] ^ clientSignature[i];
    this.expectedServerSignature = hmac(h, keys.serverKey, authMessage);
    return Buffer.from(`${clientFinalWithoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  private verifyServerFinal(serverFinal: string): void {
    const attrs = parseAttributes(serverFinal);
    if (attrs.has('e')) throw this.fail(`the broker refused the proof: ${attrs.get('e')}`);
    const v = attrs.get('v');
    const expected = this.expectedServerSignature;
    const got = v === undefined ? null : Buffer.from(v, 'base64');
    if (!expected || !got || got.length !== expected.length || !timingSafeEqual(got, expected)) {
      throw this.fail(
        "the broker's server signature does not match: it does not know this user's credentials",
      );
    }
  }

  private fail(why: string): AuthenticationError {
    return new AuthenticationError(`${this.mechanism} authentication failed: ${why}`, {
      broker: this.broker,
      mechanism: this.mechanism,
    });
  }
}

/** RFC 5802 §5.1 saslname: '=' as '=3D' and ',' as '=2C'. */
function saslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** `a=x,b=y` attributes (values may contain '='; extensions after the known ones are kept too). */
function parseAttributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length < 2 || part[1] !== '=') continue;
    out.set(part[0], part.slice(2));
  }
  return out;
}

function hmac(hash: string, key: Buffer, data: string): Buffer {
  return createHmac(hash, key).update(data, 'utf8').digest();
}

/** SaltedPassword and the keys derived from it (RFC 5802 §3). */
export async function scramKeys(
  mechanism: ScramMechanism,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<{ clientKey: Buffer; storedKey: Buffer; serverKey: Buffer }> {
  const { name, length } = HASH[mechanism];
  // Asynchronous: PBKDF2 runs on the thread pool, not the event loop (4096+ rounds).
  const salted = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(Buffer.from(password, 'utf8'), salt, iterations, length, name, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  const clientKey = hmac(name, salted, 'Client Key');
  return {
    clientKey,
    storedKey: createHash(name).update(clientKey).digest(),
    serverKey: hmac(name, salted, 'Server Key'),
  };
}
