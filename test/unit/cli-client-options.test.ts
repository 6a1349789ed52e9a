/**
 * src/cli/client-options.ts without a broker: Java .properties and JAAS parsing, Java names to
 * camelCase, precedence (flags over -X over the file), each client getting only what it knows,
 * and the refusals (secrets on the command line, JKS, unknown -X options, no password).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  adminConfig,
  type ClientOptionFlags,
  camelName,
  consumerConfig,
  parseJaas,
  parseProperties,
  producerConfig,
  type ResolveEnv,
  resolveClientOptions,
  setClientOptions,
} from '../../src/cli/client-options.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { RoundRobinAssignor } from '../../src/group/assignors/round-robin.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----\n';

function io(
  files: Record<string, string>,
  env: Record<string, string> = {},
  prompt: string | null = null,
): ResolveEnv {
  return {
    env,
    readFile: (path) => {
      if (!(path in files)) throw new Error(`ENOENT: ${path}`);
      return files[path];
    },
    promptPassword: async () => prompt,
  };
}

async function usageError(flags: ClientOptionFlags, env: ResolveEnv): Promise<string> {
  const err = await resolveClientOptions(flags, env).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  return (err as Error).message;
}

afterEach(() => setClientOptions({ options: {}, ignored: [] }));

describe('Java properties', () => {
  it('reads separators, comments, continuations and escapes as java.util.Properties does', () => {
    const p = parseProperties(
      [
        '# comment',
        '! also a comment',
        'a=1',
        'b : two words ',
        'c three',
        '  d=  leading spaces go',
        'e=one \\',
        '   two',
        'f=tab\\there\\u00e9',
        'g\\=h=x',
        'empty=',
      ].join('\n'),
    );
    expect(Object.fromEntries(p)).toEqual({
      a: '1',
      b: 'two words ',
      c: 'three',
      d: 'leading spaces go',
      e: 'one two',
      f: 'tab\there\u00e9',
      'g=h': 'x',
      empty: '',
    });
  });

  it('reads JAAS login lines with quoted and bare options', () => {
    const j = parseJaas(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="al\\"ice" password="p w;=" tokenauth=true;',
    );
    expect(j.module).toBe('org.apache.kafka.common.security.scram.ScramLoginModule');
    expect(Object.fromEntries(j.options)).toEqual({
      username: 'al"ice',
      password: 'p w;=',
      tokenauth: 'true',
    });
    expect(() => parseJaas('nonsense')).toThrow(UsageError);
  });

  it('turns Java names into camelCase', () => {
    expect(camelName('linger.ms')).toBe('lingerMs');
    expect(camelName('max.in.flight.requests.per.connection')).toBe('maxInFlightRequestsPerConnection');
    expect(camelName('socket.connection.setup.timeout.ms')).toBe('connectTimeoutMs');
    expect(camelName('requestTimeoutMs')).toBe('requestTimeoutMs');
  });
});

describe('resolveClientOptions', () => {
  const properties = [
    'bootstrap.servers=broker-1:9093',
    'security.protocol=SASL_SSL',
    'sasl.mechanism=SCRAM-SHA-512',
    'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="svc" password="file-secret";',
    'ssl.truststore.type=PEM',
    'ssl.truststore.location=/certs/ca.pem',
    'ssl.endpoint.identification.algorithm=',
    'linger.ms=25',
    'acks=1',
    'enable.idempotence=false',
    'group.id=from-file',
    'partition.assignment.strategy=org.apache.kafka.clients.consumer.RoundRobinAssignor',
    'request.timeout.ms=7000',
    'key.serializer=org.apache.kafka.common.serialization.StringSerializer',
    'interceptor.classes=com.example.Audit',
  ].join('\n');

  it('maps a Java client file onto each client, each getting only the options it knows', async () => {
    const o = await resolveClientOptions(
      { 'command-config': '/etc/client.properties' },
      io({ '/etc/client.properties': properties, '/certs/ca.pem': PEM }),
    );
    expect(o.bootstrapServers).toBe('broker-1:9093');
    expect(o.ignored).toEqual(['interceptor.classes']);
    setClientOptions(o);
    const p = producerConfig({ bootstrapServers: 'x', clientId: 'cli', acks: 'all' });
    expect(p).toMatchObject({
      clientId: 'cli',
      acks: 1,
      lingerMs: 25,
      enableIdempotence: false,
      requestTimeoutMs: 7000,
      securityProtocol: 'SASL_SSL',
      ssl: { ca: PEM, endpointIdentificationAlgorithm: '' },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'svc', password: 'file-secret' },
    });
    expect(p).not.toHaveProperty('groupId');
    const c = consumerConfig({ bootstrapServers: 'x' });
    expect(c).toMatchObject({
      groupId: 'from-file',
      partitionAssignmentStrategy: [RoundRobinAssignor],
      requestTimeoutMs: 7000,
    });
    expect(c).not.toHaveProperty('lingerMs');
    const a = adminConfig({ bootstrapServers: 'x' });
    expect(Object.keys(a).sort()).toEqual([
      'bootstrapServers',
      'requestTimeoutMs',
      'sasl',
      'securityProtocol',
      'ssl',
    ]);
  });

  it('lets flags win over -X, and -X over the file', async () => {
    const o = await resolveClientOptions(
      {
        'command-config': '/f',
        'client-option': ['linger.ms=50', 'lingerMs=60', 'sasl.mechanism=PLAIN'],
        'sasl-mechanism': 'SCRAM-SHA-256',
        'sasl-username': 'flag-user',
      },
      io({ '/f': properties, '/certs/ca.pem': PEM }),
    );
    expect(o.options.lingerMs).toBe(60);
    expect(o.options.sasl).toMatchObject({
      mechanism: 'SCRAM-SHA-256',
      username: 'flag-user',
      password: 'file-secret',
    });
  });

  it('takes the password from KAFKAWIRE_SASL_PASSWORD, else the prompt, else refuses', async () => {
    const flags: ClientOptionFlags = {
      'security-protocol': 'SASL_PLAINTEXT',
      'sasl-mechanism': 'PLAIN',
      'sasl-username': 'alice',
    };
    expect(
      (await resolveClientOptions(flags, io({}, { KAFKAWIRE_SASL_PASSWORD: 'env-pw' }))).options.sasl,
    ).toMatchObject({
      password: 'env-pw',
    });
    expect((await resolveClientOptions(flags, io({}, {}, 'typed-pw'))).options.sasl).toMatchObject({
      password: 'typed-pw',
    });
    expect(await usageError(flags, io({}))).toMatch(/no password for alice: set \$KAFKAWIRE_SASL_PASSWORD/);
  });

  it('refuses secrets on the command line, without quoting them', async () => {
    for (const kv of [
      'sasl.jaas.config=X required password="Top-Secret";',
      'sasl.password=Top-Secret',
      'ssl.key.password=Top-Secret',
      'saslPassword=Top-Secret',
    ]) {
      const msg = await usageError({ 'client-option': [kv] }, io({}));
      expect(msg).toMatch(/secrets are not taken from the command line/);
      expect(msg).not.toContain('Top-Secret');
    }
  });

  it('refuses JKS and PKCS#12 stores with the command that converts them', async () => {
    expect(
      await usageError(
        { 'client-option': ['ssl.truststore.location=/t.jks'] },
        io({ '/t.jks': '\u00fe\u00ed\u00fe\u00ed' }),
      ),
    ).toMatch(/\/t.jks is not PEM \(type JKS\).*keytool -exportcert -rfc -keystore \/t.jks/);
    expect(
      await usageError(
        { 'client-option': ['ssl.keystore.location=/k.p12', 'ssl.keystore.type=PKCS12'] },
        io({ '/k.p12': 'x' }),
      ),
    ).toMatch(/not PEM \(type PKCS12\)/);
  });

  it('splits a PEM keystore into the key and its certificate chain', async () => {
    const o = await resolveClientOptions(
      {
        'client-option': ['security.protocol=SSL', 'ssl.keystore.type=PEM', 'ssl.keystore.location=/ks.pem'],
      },
      io({ '/ks.pem': `${KEY}${PEM}${PEM}` }),
    );
    expect(o.options.ssl).toEqual({ key: KEY, cert: `${PEM.trim()}\n${PEM.trim()}\n` });
  });

  it('names unknown -X options with a suggestion, and bad values', async () => {
    expect(await usageError({ 'client-option': ['linger.mss=5'] }, io({}))).toMatch(/did you mean lingerMs/);
    expect(await usageError({ 'client-option': ['linger.ms=soon'] }, io({}))).toMatch(
      /linger.ms \(-X\) expects an integer/,
    );
    expect(await usageError({ 'client-option': ['enable.idempotence=yes'] }, io({}))).toMatch(
      /expects true or false/,
    );
    expect(await usageError({ 'client-option': ['security.protocol=TLS'] }, io({}))).toMatch(
      /expects one of PLAINTEXT/,
    );
    expect(await usageError({ 'client-option': ['sasl.mechanism=PLAIN'] }, io({}))).toMatch(
      /no security protocol/,
    );
    expect(await usageError({ 'command-config': '/missing' }, io({}))).toMatch(/cannot read \/missing/);
  });

  it('ignores sasl.* keys with a non-SASL protocol, as Java does', async () => {
    const o = await resolveClientOptions(
      { 'client-option': ['security.protocol=SSL', 'sasl.mechanism=PLAIN'] },
      io({}),
    );
    expect(o.options).toEqual({ securityProtocol: 'SSL' });
  });

  it('makes unsecured OAUTHBEARER tokens from OAuthBearerLoginModule, or reads one from the environment', async () => {
    const unsecured = await resolveClientOptions(
      {
        'client-option': ['security.protocol=SASL_PLAINTEXT'],
        'command-config': '/f',
      },
      io({
        '/f': 'sasl.mechanism=OAUTHBEARER\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="svc";',
      }),
    );
    const sasl = unsecured.options.sasl as {
      oauthBearerProvider: () => { value: string; lifetimeMs: number };
    };
    const token = sasl.oauthBearerProvider();
    expect(JSON.parse(Buffer.from(token.value.split('.')[1], 'base64url').toString())).toMatchObject({
      sub: 'svc',
    });
    expect(token.lifetimeMs).toBeGreaterThan(Date.now() + 3_000_000);
    const fromEnv = await resolveClientOptions(
      { 'security-protocol': 'SASL_SSL', 'sasl-mechanism': 'OAUTHBEARER' },
      io({}, { KAFKAWIRE_SASL_OAUTHBEARER_TOKEN: 'tok' }),
    );
    expect(
      (fromEnv.options.sasl as { oauthBearerProvider: () => { value: string } }).oauthBearerProvider().value,
    ).toBe('tok');
  });
});
