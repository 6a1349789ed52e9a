/**
 * Client options from outside the command, for every CLI command: `--command-config FILE` (a
 * Java client .properties file, so the file people already have works), `-X key=value` (one
 * option, camelCase or Java name) and the security flags `--security-protocol`,
 * `--sasl-mechanism`, `--sasl-username` (the password comes from $KAFKAWIRE_SASL_PASSWORD or a
 * prompt on the terminal, never from the command line).
 *
 * Invariants:
 * - Precedence: the flags, then -X (in order), then the file; all of them override what a
 *   command sets for its own clients (e.g. `-X acks=1` for produce).
 * - An option no client knows is a UsageError on the command line (a typo must not pass) and
 *   a warning from a file (Java files carry serializers and such); each client gets only the
 *   options it knows.
 * - Secrets are refused on the command line (`ps` shows argv to every user); they come from
 *   the file, the environment or the prompt, and no message quotes them.
 * - main.ts resolves the options once per run, before the command starts (`setClientOptions`);
 *   the file formats are parsed in properties.ts, the password prompt is prompt.ts;
 *   the helpers below hand them to each client the command opens.
 */
import { readFileSync } from 'node:fs';
import type { ParseArgsOptionsConfig } from 'node:util';
import { ADMIN_OPTIONS, type AdminConfig } from '../admin/admin.js';
import { CONSUMER_OPTIONS, type ConsumerConfig } from '../consumer/config.js';
import { CooperativeStickyAssignor } from '../group/assignors/cooperative-sticky.js';
import { RangeAssignor } from '../group/assignors/range.js';
import { RoundRobinAssignor } from '../group/assignors/round-robin.js';
import { type SaslConfig, SECURITY_PROTOCOLS, type SecurityProtocol } from '../network/security.js';
import type { SslConfig } from '../network/tls.js';
import { PRODUCER_OPTIONS, type ProducerConfig } from '../producer/config.js';
import { promptPassword } from './prompt.js';
import { parseJaas, parseProperties } from './properties.js';
import { UsageError } from './usage-error.js';

export { parseJaas, parseProperties };

/** The flags, accepted by every command before or after its name. */
export const CLIENT_OPTION_FLAGS = {
  'command-config': { type: 'string' },
  'client-option': { type: 'string', short: 'X', multiple: true },
  'security-protocol': { type: 'string' },
  'sasl-mechanism': { type: 'string' },
  'sasl-username': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

export const CLIENT_OPTIONS_HELP = `Client options (every command, before or after its name):
      --command-config FILE   a Java client .properties file (bootstrap.servers,
                              security.protocol, sasl.mechanism, sasl.jaas.config,
                              ssl.truststore.location as PEM, ...)
  -X, --client-option K=V     one client option, camelCase or Java name, e.g.
                              -X linger.ms=20 -X requestTimeoutMs=5000 (repeatable)
      --security-protocol P   PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL
      --sasl-mechanism M      PLAIN|SCRAM-SHA-256|SCRAM-SHA-512|OAUTHBEARER
      --sasl-username NAME    the password comes from $KAFKAWIRE_SASL_PASSWORD, else a
                              prompt on the terminal (never from the command line)
`;

/** The flags' values as parsed. */
export interface ClientOptionFlags {
  'command-config'?: string;
  'client-option'?: string[];
  'security-protocol'?: string;
  'sasl-mechanism'?: string;
  'sasl-username'?: string;
}

/** What the run's clients get. */
export interface ClientOptions {
  /** `bootstrap.servers` from the file or -X (the --brokers flag wins over it). */
  bootstrapServers?: string;
  /** Options by their camelCase name, security ones included. */
  options: Record<string, unknown>;
  /** Options of a file that no client knows, ignored (printed as warnings). */
  ignored: string[];
}

export const PASSWORD_ENV = 'KAFKAWIRE_SASL_PASSWORD';
/** An OAUTHBEARER token for the CLI (its JWT `exp` says when it expires). */
export const OAUTHBEARER_TOKEN_ENV = 'KAFKAWIRE_SASL_OAUTHBEARER_TOKEN';

/** Java names that are not the camelCase of ours. */
const RENAMED: Record<string, string> = {
  'socket.connection.setup.timeout.ms': 'connectTimeoutMs',
};

/** Keys of the SSL / SASL sections, handled by `security()` below. */
const SECURITY_KEYS = new Set([
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'sasl.username',
  'sasl.password',
  'ssl.truststore.location',
  'ssl.truststore.type',
  'ssl.truststore.certificates',
  'ssl.truststore.password',
  'ssl.keystore.location',
  'ssl.keystore.type',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
]);

/** What a file may hold but the command line may not: anyone can read argv with `ps`. */
const SECRET_KEYS = new Set([
  'sasl.jaas.config',
  'sasl.password',
  'ssl.key.password',
  'ssl.keystore.password',
  'ssl.truststore.password',
  'ssl.keystore.key',
]);

const STRING_OPTIONS = new Set([
  'clientId',
  'groupId',
  'groupInstanceId',
  'compressionType',
  'autoOffsetReset',
  'isolationLevel',
  'groupProtocol',
  'groupRemoteAssignor',
]);
const BOOLEAN_OPTIONS = new Set(['enableIdempotence', 'checkCrcs', 'enableAutoCommit']);
/** Options a file or -X cannot give: functions and objects. */
const CODE_OPTIONS = new Set([
  'partitioner',
  'keySerializer',
  'valueSerializer',
  'securityProtocol',
  'ssl',
  'sasl',
]);
const ASSIGNORS: Record<string, unknown> = {
  RangeAssignor,
  RoundRobinAssignor,
  CooperativeStickyAssignor,
};

const ALL_OPTIONS = new Set<string>([...PRODUCER_OPTIONS, ...CONSUMER_OPTIONS, ...ADMIN_OPTIONS]);

/** `linger.ms` → `lingerMs`; a camelCase name stays as it is. */
export function camelName(key: string): string {
  if (RENAMED[key]) return RENAMED[key];
  return key.replace(/[.-]([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Where the values come from, for messages. */
type Source = string;

interface RawOption {
  value: string;
  source: Source;
}

export interface ResolveEnv {
  env: NodeJS.ProcessEnv;
  readFile(path: string): string;
  /** Asks for the password without echo; null when there is no terminal to ask on. */
  promptPassword(question: string): Promise<string | null>;
}

const DEFAULT_ENV: ResolveEnv = {
  env: process.env,
  readFile: (path) => readFileSync(path, 'utf8'),
  promptPassword,
};

/** Resolves the flags (file, -X, security flags, password) into the run's client options. */
export async function resolveClientOptions(
  flags: ClientOptionFlags,
  io: ResolveEnv = DEFAULT_ENV,
): Promise<ClientOptions> {
  const raw = new Map<string, RawOption>();
  const file = flags['command-config'];
  if (file !== undefined) {
    let text: string;
    try {
      text = io.readFile(file);
    } catch (err) {
      throw new UsageError(`--command-config: cannot read ${file}: ${(err as Error).message}`);
    }
    for (const [k, value] of parseProperties(text)) raw.set(k, { value, source: file });
  }
  for (const kv of flags['client-option'] ?? []) {
    const at = kv.indexOf('=');
    if (at <= 0) throw new UsageError(`-X expects key=value, got '${kv}'`);
    const key = kv.slice(0, at);
    if (SECRET_KEYS.has(key) || SECRET_KEYS.has(javaName(key))) {
      throw new UsageError(
        `-X ${key}: secrets are not taken from the command line (other users can see it); put it in --command-config or $${PASSWORD_ENV}`,
      );
    }
    raw.set(key, { value: kv.slice(at + 1), source: '-X' });
  }
  const flag = (name: keyof ClientOptionFlags, key: string) => {
    const v = flags[name];
    if (typeof v === 'string') raw.set(key, { value: v, source: `--${name}` });
  };
  flag('security-protocol', 'security.protocol');
  flag('sasl-mechanism', 'sasl.mechanism');
  flag('sasl-username', 'sasl.username');

  const out: ClientOptions = { options: {}, ignored: [] };
  const security = new Map<string, RawOption>();
  for (const [key, o] of raw) {
    const java = javaName(key);
    if (SECURITY_KEYS.has(java)) {
      security.set(java, o);
      continue;
    }
    const name = camelName(key);
    if (name === 'bootstrapServers') {
      out.bootstrapServers = o.value;
      continue;
    }
    if (!ALL_OPTIONS.has(name) || CODE_OPTIONS.has(name)) {
      // Java's serde classes: the CLI reads and writes bytes and text itself.
      if (o.source !== '-X' && /^(key|value)\.(de)?serializer$/.test(key)) continue;
      if (o.source === '-X') {
        throw new UsageError(`-X ${key}: not a client option kafkawire knows${suggest(name)}`);
      }
      out.ignored.push(key);
      continue;
    }
    out.options[name] = convert(name, key, o);
  }
  Object.assign(out.options, await securityOptions(security, io));
  return out;
}

/** `securityProtocol` → `security.protocol`, for matching either spelling of a Java key. */
function javaName(key: string): string {
  if (key.includes('.')) return key;
  const known: Record<string, string> = {
    securityProtocol: 'security.protocol',
    saslMechanism: 'sasl.mechanism',
    saslUsername: 'sasl.username',
    saslPassword: 'sasl.password',
    saslJaasConfig: 'sasl.jaas.config',
  };
  return known[key] ?? key;
}

function suggest(name: string): string {
  const lower = name.toLowerCase();
  const near = [...ALL_OPTIONS].find(
    (k) => k.toLowerCase() === lower || distance(k.toLowerCase(), lower) <= 2,
  );
  return near ? ` (did you mean ${near}?)` : '';
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

function convert(name: string, key: string, o: RawOption): unknown {
  const v = o.value.trim();
  if (STRING_OPTIONS.has(name)) return v;
  if (BOOLEAN_OPTIONS.has(name)) {
    if (v === 'true' || v === 'false') return v === 'true';
    throw new UsageError(`${key} (${o.source}) expects true or false, got '${v}'`);
  }
  if (name === 'acks') {
    if (v === 'all') return 'all';
    if (v === '0' || v === '1' || v === '-1') return Number(v);
    throw new UsageError(`${key} (${o.source}) expects 0, 1, -1 or all, got '${v}'`);
  }
  if (name === 'partitionAssignmentStrategy') {
    return v.split(',').map((s) => {
      const simple = s.trim().split('.').pop() ?? '';
      const a = ASSIGNORS[simple];
      if (!a)
        throw new UsageError(
          `${key}: unknown assignor '${s.trim()}' (known: ${Object.keys(ASSIGNORS).join(', ')})`,
        );
      return a;
    });
  }
  if (/^-?\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  throw new UsageError(`${key} (${o.source}) expects an integer, got '${v}'`);
}

const PLAIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const SCRAM_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';
const OAUTH_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';

/** securityProtocol, ssl and sasl from the Java keys. */
async function securityOptions(
  keys: Map<string, RawOption>,
  io: ResolveEnv,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const get = (k: string) => keys.get(k)?.value.trim();
  const protocol = get('security.protocol')?.toUpperCase();
  if (protocol !== undefined) {
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol)) {
      throw new UsageError(
        `security.protocol expects one of ${SECURITY_PROTOCOLS.join('|')}, got '${protocol}'`,
      );
    }
    out.securityProtocol = protocol as SecurityProtocol;
  }
  const ssl = sslOptions(keys, io);
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  if (ssl && (usesTls || protocol === undefined)) out.ssl = ssl;
  // As Java: the sasl.* keys only matter with a SASL protocol (a file may carry them anyway).
  const saslKeys = [...keys.keys()].filter((k) => k.startsWith('sasl.'));
  if (protocol === undefined && saslKeys.length > 0) {
    throw new UsageError(
      `${saslKeys.join(', ')} given but no security protocol: set security.protocol (--security-protocol SASL_SSL, or SASL_PLAINTEXT for an unencrypted listener)`,
    );
  }
  if (protocol === 'SASL_SSL' || protocol === 'SASL_PLAINTEXT') {
    const sasl = await saslOptions(keys, io);
    if (!sasl) throw new UsageError(`security.protocol ${protocol} needs sasl.mechanism (--sasl-mechanism)`);
    out.sasl = sasl;
  }
  return out;
}

function sslOptions(keys: Map<string, RawOption>, io: ResolveEnv): SslConfig | undefined {
  const get = (k: string) => keys.get(k)?.value.trim();
  const ssl: SslConfig = {};
  const read = (k: string, path: string) => {
    try {
      return io.readFile(path);
    } catch (err) {
      throw new UsageError(`${k}: cannot read ${path}: ${(err as Error).message}`);
    }
  };
  const trustType = get('ssl.truststore.type')?.toUpperCase();
  const trust = get('ssl.truststore.location');
  if (trust) {
    if (trustType !== undefined && trustType !== 'PEM') throw notPem('ssl.truststore', trust, trustType);
    const pem = read('ssl.truststore.location', trust);
    if (!pem.includes('-----BEGIN ')) throw notPem('ssl.truststore', trust, trustType ?? 'JKS');
    ssl.ca = pem;
  }
  const inlineCa = get('ssl.truststore.certificates');
  if (inlineCa) ssl.ca = inlineCa;
  const keyType = get('ssl.keystore.type')?.toUpperCase();
  const store = get('ssl.keystore.location');
  if (store) {
    if (keyType !== undefined && keyType !== 'PEM') throw notPem('ssl.keystore', store, keyType);
    const pem = read('ssl.keystore.location', store);
    const blocks = pem.match(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
    const key = blocks.filter((b) => b.includes('PRIVATE KEY'));
    const certs = blocks.filter((b) => b.includes('CERTIFICATE'));
    if (key.length !== 1 || certs.length === 0) {
      throw blocks.length === 0
        ? notPem('ssl.keystore', store, keyType ?? 'JKS')
        : new UsageError(
            `ssl.keystore.location: ${store} must hold one private key and its certificate chain (PEM)`,
          );
    }
    ssl.key = `${key[0]}\n`;
    ssl.cert = `${certs.join('\n')}\n`;
  }
  const inlineKey = get('ssl.keystore.key');
  if (inlineKey) ssl.key = inlineKey;
  const chain = get('ssl.keystore.certificate.chain');
  if (chain) ssl.cert = chain;
  const passphrase = keys.get('ssl.key.password')?.value;
  if (passphrase !== undefined) ssl.passphrase = passphrase;
  const algorithm = get('ssl.endpoint.identification.algorithm');
  if (algorithm !== undefined) {
    if (algorithm !== '' && algorithm.toLowerCase() !== 'https') {
      throw new UsageError(
        `ssl.endpoint.identification.algorithm expects https or nothing, got '${algorithm}'`,
      );
    }
    ssl.endpointIdentificationAlgorithm = algorithm === '' ? '' : 'https';
  }
  return Object.keys(ssl).length > 0 ? ssl : undefined;
}

function notPem(prefix: string, path: string, type: string): UsageError {
  const how =
    prefix === 'ssl.truststore'
      ? `keytool -exportcert -rfc -keystore ${path} -alias <CA alias> -file ca.pem`
      : `keytool -importkeystore -srckeystore ${path} -destkeystore client.p12 -deststoretype PKCS12, then openssl pkcs12 -in client.p12 -out client.pem`;
  return new UsageError(
    `${prefix}.location: ${path} is not PEM (type ${type}); kafkawire reads PEM only, not JKS or PKCS#12. Convert it: ${how}, and set ${prefix}.type=PEM`,
  );
}

async function saslOptions(keys: Map<string, RawOption>, io: ResolveEnv): Promise<SaslConfig | undefined> {
  const get = (k: string) => keys.get(k)?.value.trim();
  let mechanism = get('sasl.mechanism')?.toUpperCase();
  const jaasText = get('sasl.jaas.config');
  const jaas = jaasText ? parseJaas(jaasText) : undefined;
  let username = get('sasl.username');
  let password = keys.get('sasl.password')?.value;
  let tokenAuth: boolean | undefined;
  if (jaas) {
    const simple = jaas.module.split('.').pop();
    if (
      jaas.module === PLAIN_MODULE ||
      jaas.module === SCRAM_MODULE ||
      simple === 'PlainLoginModule' ||
      simple === 'ScramLoginModule'
    ) {
      username ??= jaas.options.get('username');
      password ??= jaas.options.get('password');
      if (jaas.options.get('tokenauth') === 'true') tokenAuth = true;
      mechanism ??= simple === 'PlainLoginModule' ? 'PLAIN' : undefined;
      if (mechanism === undefined)
        throw new UsageError(
          'sasl.jaas.config has a ScramLoginModule: set sasl.mechanism to SCRAM-SHA-256 or SCRAM-SHA-512',
        );
    } else if (jaas.module === OAUTH_MODULE || simple === 'OAuthBearerLoginModule') {
      mechanism ??= 'OAUTHBEARER';
      const sub = jaas.options.get('unsecuredLoginStringClaim_sub');
      if (sub !== undefined) {
        // Java's default login callback: an unsecured JWS, accepted only by brokers that use the
        // unsecured validator (tests). Lifetime: unsecuredLoginLifetimeSeconds, default 3600.
        const seconds = Number(jaas.options.get('unsecuredLoginLifetimeSeconds') ?? 3600);
        return { mechanism: 'OAUTHBEARER', oauthBearerProvider: () => unsecuredToken(sub, seconds) };
      }
    } else {
      throw new UsageError(
        `sasl.jaas.config: ${jaas.module} is not supported by the CLI (PlainLoginModule, ScramLoginModule and OAuthBearerLoginModule are)`,
      );
    }
  }
  if (mechanism === undefined) {
    if (username !== undefined)
      throw new UsageError('--sasl-username needs --sasl-mechanism (or sasl.mechanism)');
    return undefined;
  }
  if (mechanism === 'OAUTHBEARER') {
    const token = io.env[OAUTHBEARER_TOKEN_ENV];
    if (!token) {
      throw new UsageError(
        `OAUTHBEARER from the CLI: set $${OAUTHBEARER_TOKEN_ENV} to the token (or use OAuthBearerLoginModule with unsecuredLoginStringClaim_sub for a test broker)`,
      );
    }
    return { mechanism: 'OAUTHBEARER', oauthBearerProvider: () => ({ value: token }) };
  }
  if (!['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].includes(mechanism)) {
    throw new UsageError(
      `sasl.mechanism ${mechanism} is not supported by the CLI (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)`,
    );
  }
  if (username === undefined || username === '') {
    throw new UsageError(`SASL ${mechanism} needs a user name: --sasl-username NAME (or sasl.jaas.config)`);
  }
  password ??= io.env[PASSWORD_ENV];
  if (password === undefined) {
    const typed = await io.promptPassword(`Password for ${username} (${mechanism}): `);
    if (typed === null) {
      throw new UsageError(
        `no password for ${username}: set $${PASSWORD_ENV}, put it in --command-config, or run in a terminal to be asked`,
      );
    }
    password = typed;
  }
  return {
    mechanism: mechanism as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
    username,
    password,
    ...(tokenAuth && mechanism !== 'PLAIN' ? { tokenAuth } : {}),
  };
}

function unsecuredToken(sub: string, seconds: number) {
  const now = Date.now();
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const lifetimeMs = now + seconds * 1000;
  return {
    value: `${part({ alg: 'none' })}.${part({ sub, iat: Math.floor(now / 1000), exp: Math.floor(lifetimeMs / 1000) })}.`,
    lifetimeMs,
  };
}

let current: ClientOptions = { options: {}, ignored: [] };

/** Set by main.ts for the run. */
export function setClientOptions(options: ClientOptions): void {
  current = options;
}

export function clientOptions(): ClientOptions {
  return current;
}

function pick(known: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(current.options)) if (known.includes(k)) out[k] = v;
  return out;
}

/** A producer config: the command's, overridden by the run's client options. */
export function producerConfig(base: ProducerConfig): ProducerConfig {
  return { ...base, ...pick(PRODUCER_OPTIONS) };
}

/** A consumer config: the command's, overridden by the run's client options. */
export function consumerConfig(base: ConsumerConfig): ConsumerConfig {
  return { ...base, ...pick(CONSUMER_OPTIONS) };
}

/** An admin config: the command's, overridden by the run's client options. */
export function adminConfig(base: AdminConfig): AdminConfig {
  return { ...base, ...pick(ADMIN_OPTIONS) };
}
