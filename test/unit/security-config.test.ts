/**
 * The shared security options (src/network/security.ts): the same checks on Producer, Consumer
 * and Admin, the protocol inferred or refused, TLS input parsed at construction, and no secret
 * quoted in any message.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Admin } from '../../src/admin/admin.js';
import { Consumer } from '../../src/consumer/consumer.js';
import { resolveSecurity, type SecurityConfig } from '../../src/network/security.js';
import { Producer } from '../../src/producer/producer.js';
import { ConfigError } from '../../src/protocol/errors.js';

const SECRET = 'Very-Secret-Pa55';

function configError(c: SecurityConfig): ConfigError {
  try {
    resolveSecurity(c);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain(SECRET);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(Object.keys(c))}`);
}

/** A self-signed certificate and its key, encrypted with SECRET (openssl, valid until 2125). */
const CERT = `-----BEGIN CERTIFICATE-----
MIIBkjCCATmgAwIBAgIUfep3lswi3QPu0KbyqxsLk5fHsKAwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTa2Fma2F3aXJlIHVuaXQgdGVzdDAgFw0yNjEyMDQyMjU3NDFa
GA8yMTI2MTExMDIyNTc0MVowHjEcMBoGA1UEAwwTa2Fma2F3aXJlIHVuaXQgdGVz
dDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABMdylaPjfzon0D+qX5KdSP+u7Cxt
B0+aFBVzQDj+mJi6Hqp01Ql7NViHi1IrwUvi4/d2FH+xBqDjP+cF1crgCJ2jUzBR
MB0GA1UdDgQWBBS/S1tMa3WkXRGqIwHbKMmoUEHPFjAfBgNVHSMEGDAWgBS/S1tM
a3WkXRGqIwHbKMmoUEHPFjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cA
MEQCIF3HLNdAW2N43IWIxlIqDn7teQ850fQuC3reSLNlKHPaAiAK7hVDPqqqxNfR
jIBYi6EDQsieGSg+1d/5eRimaYDLjw==
-----END CERTIFICATE-----
`;
const ENCRYPTED_KEY = `-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAiAvHVZNsyEvAICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEJ4IXSljGDOCYuQmDrrZ7EYEgZAQ
U58ZU6uLNakJAYMGDk8nlQtYidvCZTFYu10e3yp4Evv/UGmq9puDvS8S+Z4Le0Km
6wGU8wfKjD9rhMx+zbiGrY0qdIgLiNw07S8cogfWtQs4MI3lWBPiMFgN3BoK72MB
H3vjEKeau9LAFoF9J6OOLMbm762cEhbK3E01bW4mV0f/DuGLs/dsFSt+nXqOqLk=
-----END ENCRYPTED PRIVATE KEY-----
`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('securityProtocol', () => {
  it('is PLAINTEXT by default, SSL with ssl, SASL_SSL with ssl and sasl', () => {
    expect(resolveSecurity({})).toEqual({ securityProtocol: 'PLAINTEXT' });
    const ssl = resolveSecurity({ ssl: true });
    expect(ssl.securityProtocol).toBe('SSL');
    expect(ssl.tls?.rejectUnauthorized).toBe(true);
    expect(ssl.authenticate).toBeUndefined();
    const sasl = resolveSecurity({ ssl: {}, sasl: { mechanism: 'PLAIN', username: 'u', password: SECRET } });
    expect(sasl.securityProtocol).toBe('SASL_SSL');
    expect(typeof sasl.authenticate).toBe('function');
    expect(sasl.tls).toBeDefined();
  });

  it('uses TLS with system CAs when SSL is asked for without ssl options', () => {
    const r = resolveSecurity({
      securityProtocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: SECRET },
    });
    expect(r.tls?.secureContext).toBeDefined();
    // Host name verification stays Node's (on), unless turned off explicitly.
    expect(r.tls?.checkServerIdentity).toBeUndefined();
    expect(
      resolveSecurity({ ssl: { endpointIdentificationAlgorithm: '' } }).tls?.checkServerIdentity,
    ).toBeTypeOf('function');
  });

  it('refuses sasl without an explicit protocol when the credentials would travel in clear', () => {
    const err = configError({ sasl: { mechanism: 'PLAIN', username: 'u', password: SECRET } });
    expect(err.option).toBe('securityProtocol');
    expect(err.message).toMatch(/SASL_SSL.*SASL_PLAINTEXT/);
    expect(
      resolveSecurity({
        securityProtocol: 'SASL_PLAINTEXT',
        sasl: { mechanism: 'PLAIN', username: 'u', password: SECRET },
      }).tls,
    ).toBeUndefined();
  });

  it('refuses contradictions and unknown protocols', () => {
    expect(configError({ securityProtocol: 'PLAINTEXT', ssl: {} }).option).toBe('ssl');
    expect(configError({ securityProtocol: 'SASL_SSL' }).option).toBe('sasl');
    expect(
      configError({ securityProtocol: 'SSL', sasl: { mechanism: 'PLAIN', username: 'u', password: SECRET } })
        .option,
    ).toBe('sasl');
    expect(configError({ securityProtocol: 'TLS' as never }).message).toMatch(
      /PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/,
    );
  });
});

describe('ssl', () => {
  it('names an unknown TLS option and bad PEM input', () => {
    expect(configError({ ssl: { cafile: 'x' } as never }).option).toBe('ssl.cafile');
    expect(configError({ ssl: { ca: 42 } as never }).option).toBe('ssl.ca');
    expect(configError({ ssl: { ca: 'not a certificate' } }).message).toMatch(/expected PEM/);
    expect(configError({ ssl: { ca: Buffer.from([0x30, 0x82, 1, 2]) } }).message).toMatch(/JKS or PKCS#12/);
    expect(configError({ ssl: { cert: CERT } }).option).toBe('ssl.key');
    expect(configError({ ssl: { key: ENCRYPTED_KEY, passphrase: SECRET } }).option).toBe('ssl.cert');
  });

  it('decrypts an encrypted key with its passphrase, and says so when the passphrase is wrong', () => {
    const ok = resolveSecurity({ ssl: { ca: CERT, cert: CERT, key: ENCRYPTED_KEY, passphrase: SECRET } });
    expect(ok.tls?.secureContext).toBeDefined();
    expect(configError({ ssl: { cert: CERT, key: ENCRYPTED_KEY, passphrase: 'nope' } }).option).toBe(
      'ssl.passphrase',
    );
    expect(configError({ ssl: { cert: CERT, key: ENCRYPTED_KEY } }).option).toBe('ssl.passphrase');
  });

  it('warns once when certificate verification is turned off', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    resolveSecurity({ ssl: { rejectUnauthorized: false } });
    resolveSecurity({ ssl: { rejectUnauthorized: false } });
    const ours = warn.mock.calls.filter((c) => JSON.stringify(c).includes('KAFKAWIRE_TLS_INSECURE'));
    expect(ours.length).toBeLessThanOrEqual(1);
    expect(resolveSecurity({ ssl: { rejectUnauthorized: false } }).tls?.rejectUnauthorized).toBe(false);
  });
});

describe('sasl', () => {
  it('accepts the built-in mechanisms in any case', () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'SCRAM-SHA-512']) {
      expect(
        resolveSecurity({ ssl: true, sasl: { mechanism, username: 'u', password: SECRET } as never })
          .authenticate,
      ).toBeTypeOf('function');
    }
    expect(
      resolveSecurity({
        ssl: true,
        sasl: { mechanism: 'oauthbearer', oauthBearerProvider: () => ({ value: 't' }) } as never,
      }).authenticate,
    ).toBeTypeOf('function');
  });

  it('names what is missing or wrong, never quoting the password', () => {
    expect(
      configError({ ssl: true, sasl: { mechanism: 'PLAIN', username: '', password: SECRET } }).option,
    ).toBe('sasl.username');
    expect(
      configError({ ssl: true, sasl: { mechanism: 'PLAIN', username: 'u', password: 42 } as never }).message,
    ).toMatch(/expected a string, got number/);
    expect(
      configError({
        ssl: true,
        sasl: { mechanism: 'PLAIN', username: 'u', password: SECRET, pasword: 'x' } as never,
      }).option,
    ).toBe('sasl.pasword');
    expect(configError({ ssl: true, sasl: { mechanism: 'OAUTHBEARER' } as never }).option).toBe(
      'sasl.oauthBearerProvider',
    );
    expect(configError({ ssl: true, sasl: { mechanism: 'AWS_MSK_IAM' } as never }).message).toMatch(
      /not built in .*pass an authenticator/,
    );
    expect(configError({ ssl: true, sasl: { username: 'u', password: SECRET } as never }).option).toBe(
      'sasl.mechanism',
    );
  });

  it('takes any other mechanism with an authenticator', () => {
    const r = resolveSecurity({
      ssl: true,
      sasl: {
        mechanism: 'AWS_MSK_IAM',
        authenticator: () => ({ initial: () => Buffer.from('{}'), next: () => null }),
      },
    });
    expect(r.securityProtocol).toBe('SASL_SSL');
  });
});

describe('Producer, Consumer and Admin', () => {
  const bootstrapServers = '127.0.0.1:1';
  const make = [
    (c: object) => new Producer({ bootstrapServers, ...c }),
    (c: object) => new Consumer({ bootstrapServers, ...c }),
    (c: object) => new Admin({ bootstrapServers, ...c }),
  ];

  it('all take the same security options and refuse the same mistakes', async () => {
    for (const client of make) {
      const ok = client({
        securityProtocol: 'SASL_SSL',
        ssl: {},
        sasl: { mechanism: 'SCRAM-SHA-256', username: 'u', password: SECRET },
      });
      await (ok as { close(): Promise<void> }).close();
      expect(() => client({ sasl: { mechanism: 'PLAIN', username: 'u', password: SECRET } })).toThrow(
        /securityProtocol/,
      );
      expect(() => client({ tls: {} })).toThrow(ConfigError);
    }
  });
});
