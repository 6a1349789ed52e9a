import { describe, expect, it } from 'vitest';
import { Consumer, Producer } from '../../src/index.js';
import { closest, editDistance, optionHint } from '../../src/network/suggest.js';
import { ConfigError } from '../../src/protocol/errors.js';

describe('did-you-mean for option names', () => {
  it('measures edits ignoring case and . _ - (Java names against camelCase)', () => {
    expect(editDistance('linger.ms', 'lingerMs')).toBe(0);
    expect(editDistance('bootstrapServer', 'bootstrapServers')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only names within a third of the word in edits', () => {
    const known = ['bootstrapServers', 'groupId', 'autoOffsetReset', 'fetchMaxBytes'];
    expect(closest('bootstrapServer', known)).toBe('bootstrapServers');
    expect(closest('autoOfsetReset', known)).toBe('autoOffsetReset');
    expect(closest('groupid', known)).toBe('groupId');
    expect(closest('foo', known)).toBeUndefined();
    expect(closest('topic', known)).toBeUndefined();
  });

  it("points KafkaJS option names at kafkawire's", () => {
    expect(optionHint('brokers', [])).toContain('bootstrapServers');
    expect(optionHint('fromBeginning', [])).toContain("autoOffsetReset: 'earliest'");
  });

  it('a consumer or producer built with KafkaJS options says what to use instead', () => {
    const consumerError = (() => {
      try {
        new Consumer({ brokers: ['localhost:9092'], groupId: 'g' } as never);
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(consumerError).toBeInstanceOf(ConfigError);
    expect(consumerError.option).toBe('brokers');
    expect(consumerError.message).toMatch(/KafkaJS's brokers; kafkawire takes bootstrapServers/);
    expect(
      () => new Consumer({ bootstrapServers: 'h:1', groupId: 'g', fromBeginning: true } as never),
    ).toThrow(/autoOffsetReset: 'earliest'/);
    expect(() => new Producer({ bootstrapServers: 'h:1', idempotent: true } as never)).toThrow(
      /enableIdempotence/,
    );
    expect(() => new Producer({ bootstrapServers: 'h:1', lingerMS: 5 } as never)).toThrow(
      /did you mean lingerMs\?/,
    );
  });
});
