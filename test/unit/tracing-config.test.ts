import { describe, expect, it } from 'vitest';
import { Consumer, Producer } from '../../src/index.js';
import { ConfigError } from '../../src/protocol/errors.js';

describe('tracing option', () => {
  it('is off by default and refuses what is not a boolean', async () => {
    expect(() => new Producer({ bootstrapServers: '127.0.0.1:1', tracing: 'yes' as never })).toThrow(
      ConfigError,
    );
    expect(() => new Consumer({ bootstrapServers: '127.0.0.1:1', tracing: 1 as never })).toThrow(/tracing/);
    const p = new Producer({ bootstrapServers: '127.0.0.1:1' });
    expect(p.config.tracing).toBeNull();
    await p.close();
    // With @opentelemetry/api installed (a devDependency here), turning it on works.
    const q = new Producer({ bootstrapServers: '127.0.0.1:1', tracing: true });
    expect(q.config.tracing).not.toBeNull();
    await q.close();
  });
});
