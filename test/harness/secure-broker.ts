/**
 * The secured broker of the security tests: one KRaft node (launcher.ts) with
 *
 * - `SASL_SSL` and `SASL_PLAINTEXT` listeners enabling PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and
 *   OAUTHBEARER, each with a short session (`connections.max.reauth.ms`, KIP-368) so that
 *   re-authentication happens during the tests;
 * - an `SSL` listener requiring client certificates (mutual TLS), the principal being the
 *   certificate's CN (`ssl.principal.mapping.rules`);
 * - the launcher's `PLAINTEXT` listener (its readiness probe, inter-broker traffic) and the
 *   PLAINTEXT controller listener; their principal is `User:ANONYMOUS`, a super user, because
 *   the broker registers with its controller that way (see shared/kafka-protocol/security-4x.md);
 * - the StandardAuthorizer, `User:admin` a super user, everyone else only what tests grant;
 * - a CA, a broker certificate (IP 127.0.0.1 and DNS localhost) and a client certificate with
 *   an encrypted key, made with openssl into the broker's temp folder, plus a second CA that
 *   signed nothing of ours (the "untrusted CA");
 * - SCRAM users made at format time (`kafka-storage format --add-scram`), PLAIN users in the
 *   listener's JAAS config, and OAUTHBEARER with the broker's unsecured JWS validator: tokens
 *   are `alg: none` JWTs anyone can mint (`unsecuredJwt`). That is for tests only; production
 *   brokers validate signed tokens against their identity provider.
 *
 * `useSecureBroker()` starts it once per test file (beforeAll) and stops it afterwards. With
 * `KAFKAWIRE_SECURE_BROKER=<dir>` the tests use one already running, started by
 * `tsx test/harness/secure-broker.ts start --dir <dir>` (it writes `<dir>/secure-broker.json`).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { CLIENT_KEY_PASSPHRASE, makeCertificates } from './certificates.js';
import { type KafkaCluster, startKafka } from './launcher.js';

const HOST = '127.0.0.1';

/** A user with a password, for PLAIN and SCRAM. */
export interface SecureUser {
  username: string;
  password: string;
}

/** What the tests need to reach and use the secured broker. */
export interface SecureBroker {
  readonly dir: string;
  /** Bootstrap strings of each listener. */
  readonly saslSsl: string;
  readonly saslPlaintext: string;
  /** Mutual TLS (client certificate required). */
  readonly ssl: string;
  /** The launcher's listener; principal User:ANONYMOUS (a super user here). */
  readonly plaintext: string;
  /** PEM of the CA that signed the broker's and the client's certificates. */
  readonly ca: string;
  readonly caPath: string;
  /** PEM of a CA that signed neither. */
  readonly otherCa: string;
  /** Client certificate (CN=mtls-client, principal User:mtls-client) and its encrypted key. */
  readonly clientCert: string;
  readonly clientCertPath: string;
  readonly clientKey: string;
  readonly clientKeyPath: string;
  readonly clientKeyPassphrase: string;
  /** admin is a super user; alice and bob have no ACLs until a test grants some. */
  readonly users: { admin: SecureUser; alice: SecureUser; bob: SecureUser };
  /** Session lifetime of each SASL listener (connections.max.reauth.ms). */
  readonly reauthMs: { saslSsl: number; saslPlaintext: number };
}

const USERS = {
  admin: { username: 'admin', password: 'admin-Pa55-s3cret' },
  alice: { username: 'alice', password: 'alice-Pa55-s3cret' },
  bob: { username: 'bob', password: 'bob-Pa55-s3cret' },
};
const REAUTH_MS = { saslSsl: 15_000, saslPlaintext: 3_000 };
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];

/** An unsecured JWS (`alg: none`) the broker's default OAUTHBEARER validator accepts. */
export function unsecuredJwt(sub: string, expiresAtMs: number, issuedAtMs = Date.now()): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub, iat: Math.floor(issuedAtMs / 1000), exp: Math.floor(expiresAtMs / 1000) })}.`;
}

function jaas(listener: string): Record<string, string> {
  const plainUsers = Object.values(USERS)
    .map((u) => `user_${u.username}="${u.password}"`)
    .join(' ');
  const p = `listener.name.${listener}`;
  return {
    [`${p}.plain.sasl.jaas.config`]: `org.apache.kafka.common.security.plain.PlainLoginModule required username="${USERS.admin.username}" password="${USERS.admin.password}" ${plainUsers};`,
    [`${p}.scram-sha-256.sasl.jaas.config`]:
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    [`${p}.scram-sha-512.sasl.jaas.config`]:
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    // The broker's own login for OAUTHBEARER; client tokens go to the unsecured validator.
    [`${p}.oauthbearer.sasl.jaas.config`]:
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin";',
    [`${p}.sasl.enabled.mechanisms`]: MECHANISMS.join(','),
  };
}

/** Starts the secured broker in `dir` (default a fresh temp folder). */
export async function startSecureBroker(
  dir?: string,
): Promise<SecureBroker & { cluster: KafkaCluster; stop(): Promise<void> }> {
  const ownsDir = dir === undefined;
  const root = dir ?? (await mkdtemp(join(tmpdir(), 'kafkawire-secure-')));
  const certs = join(root, 'certs');
  await mkdir(certs, { recursive: true });
  await mkdir(join(root, 'kafka'), { recursive: true });
  await makeCertificates(certs);
  const ports = { saslSsl: 0, saslPlaintext: 0, ssl: 0, plaintext: 0 };
  const scram = Object.values(USERS).flatMap((u) =>
    ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => [
      '--add-scram',
      `${m}=[name=${u.username},password=${u.password}]`,
    ]),
  );
  const cluster = await startKafka({
    dir: join(root, 'kafka'),
    extraPorts: 3,
    formatArgs: scram,
    properties: (node) => {
      [ports.saslSsl, ports.saslPlaintext, ports.ssl] = node.extra;
      ports.plaintext = node.port;
      const listeners = `PLAINTEXT://${HOST}:${node.port},SASL_SSL://${HOST}:${ports.saslSsl},SASL_PLAINTEXT://${HOST}:${ports.saslPlaintext},SSL://${HOST}:${ports.ssl}`;
      return {
        listeners: `${listeners},CONTROLLER://${HOST}:${node.controllerPort}`,
        'advertised.listeners': listeners,
        'listener.security.protocol.map':
          'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL',
        'inter.broker.listener.name': 'PLAINTEXT',
        'sasl.enabled.mechanisms': MECHANISMS.join(','),
        ...jaas('sasl_ssl'),
        ...jaas('sasl_plaintext'),
        'listener.name.sasl_ssl.connections.max.reauth.ms': String(REAUTH_MS.saslSsl),
        'listener.name.sasl_plaintext.connections.max.reauth.ms': String(REAUTH_MS.saslPlaintext),
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': join(certs, 'broker-keystore.pem'),
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': join(certs, 'ca.pem'),
        'listener.name.ssl.ssl.client.auth': 'required',
        'ssl.principal.mapping.rules': 'RULE:^(?:.*,)?CN=([^,]+).*$/$1/,DEFAULT',
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'super.users': `User:${USERS.admin.username};User:ANONYMOUS`,
        'allow.everyone.if.no.acl.found': 'false',
      };
    },
  });
  try {
    // Listeners bind together, but check the secured ones before anyone relies on them.
    await Promise.all([ports.saslSsl, ports.saslPlaintext, ports.ssl].map((p) => tcpOpen(p, 30_000)));
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  const read = (f: string) => readFile(join(certs, f), 'utf8');
  const [ca, otherCa, clientCert, clientKey] = await Promise.all([
    read('ca.pem'),
    read('other-ca.pem'),
    read('client.pem'),
    read('client-encrypted.key'),
  ]);
  const info: SecureBroker = {
    dir: root,
    saslSsl: `${HOST}:${ports.saslSsl}`,
    saslPlaintext: `${HOST}:${ports.saslPlaintext}`,
    ssl: `${HOST}:${ports.ssl}`,
    plaintext: `${HOST}:${ports.plaintext}`,
    ca,
    caPath: join(certs, 'ca.pem'),
    otherCa,
    clientCert,
    clientCertPath: join(certs, 'client.pem'),
    clientKey,
    clientKeyPath: join(certs, 'client-encrypted.key'),
    clientKeyPassphrase: CLIENT_KEY_PASSPHRASE,
    users: USERS,
    reauthMs: REAUTH_MS,
  };
  await writeFile(join(root, 'secure-broker.json'), `${JSON.stringify(info, null, 2)}\n`);
  return {
    ...info,
    cluster,
    stop: async () => {
      await cluster.stop();
      if (ownsDir && !process.env.KAFKAWIRE_KEEP_KAFKA_DIR) await rm(root, { recursive: true, force: true });
    },
  };
}

function tcpOpen(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect({ host: HOST, port });
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline)
          reject(new Error(`secured listener ${HOST}:${port} not open after ${timeoutMs} ms`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

/**
 * Registers beforeAll/afterAll that run the secured broker for this test file (or use the one
 * named by KAFKAWIRE_SECURE_BROKER). The returned function gives it, from beforeAll on.
 */
export function useSecureBroker(): () => SecureBroker {
  let broker: SecureBroker | undefined;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const external = process.env.KAFKAWIRE_SECURE_BROKER;
    if (external) {
      broker = JSON.parse(await readFile(join(external, 'secure-broker.json'), 'utf8')) as SecureBroker;
      return;
    }
    const started = Date.now();
    const b = await startSecureBroker();
    console.log(`[kafka] secured broker at ${b.saslSsl} (SASL_SSL) ready in ${Date.now() - started} ms`);
    broker = b;
    stop = b.stop;
  }, 180_000);
  afterAll(async () => {
    await stop?.();
  }, 60_000);
  return () => {
    if (!broker)
      throw new Error(
        'the secured broker is not up: call useSecureBroker() at the top level of the test file',
      );
    return broker;
  };
}

/** `tsx test/harness/secure-broker.ts start [--dir DIR]`: runs it until Ctrl-C. */
async function main(args: string[]): Promise<void> {
  const at = args.indexOf('--dir');
  const dir = at >= 0 ? args[at + 1] : undefined;
  if (args[0] !== 'start' || (at >= 0 && !dir)) throw new Error('usage: secure-broker.ts start [--dir DIR]');
  if (dir) await mkdir(dir, { recursive: true });
  const started = Date.now();
  const b = await startSecureBroker(dir);
  process.stderr.write(
    `secured broker ready in ${Date.now() - started} ms; KAFKAWIRE_SECURE_BROKER=${b.dir}\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ saslSsl: b.saslSsl, saslPlaintext: b.saslPlaintext, ssl: b.ssl, plaintext: b.plaintext })}\n`,
  );
  const shutdown = async () => {
    await b.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
