/**
 * Zigzag varint (32-bit) and varlong (64-bit) encode and decode: kafkawire's Writer and Reader
 * against KafkaJS's Encoder and Decoder, the primitives every record field goes through.
 *
 * An operation encodes (or decodes) 1,000 values into a fresh Writer / Encoder (or from a fresh
 * Reader / Decoder), each side at its own default initial size. The values mix what records
 * carry: small offset deltas, -1 (null), lengths, and full-width values; for varlong, timestamp
 * deltas and absolute millisecond timestamps. Before the cases are built both sides are checked
 * to write the same bytes and read back the input.
 */
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { type Case, check, type KjsDecoderClass, type KjsEncoderClass, kafkaJs, T0 } from './lib.js';

const Encoder = kafkaJs<KjsEncoderClass>('protocol/encoder');
const Decoder = kafkaJs<KjsDecoderClass>('protocol/decoder');

const COUNT = 1000;

/** Offset deltas, nulls, value lengths and full 32-bit values, in turn. */
const varints = Array.from({ length: COUNT }, (_, i) => {
  switch (i % 4) {
    case 0:
      return i;
    case 1:
      return -1;
    case 2:
      return 100 + i;
    default:
      return Math.imul(i, 0x9e3779b1);
  }
});

/** Timestamp deltas (some negative) and absolute timestamps in milliseconds, in turn. */
const varlongs = Array.from({ length: COUNT }, (_, i) => {
  switch (i % 4) {
    case 0:
      return i;
    case 1:
      return -i * 1000;
    case 2:
      return i * 86_400_000;
    default:
      return T0 + i * 7919;
  }
});

function kwEncodeVarints(): Buffer {
  const w = new Writer();
  for (let i = 0; i < COUNT; i++) w.varint(varints[i]);
  return w.view();
}

function kjsEncodeVarints(): Buffer {
  const e = new Encoder();
  for (let i = 0; i < COUNT; i++) e.writeVarInt(varints[i]);
  return e.buffer;
}

function kwEncodeVarlongs(): Buffer {
  const w = new Writer();
  for (let i = 0; i < COUNT; i++) w.varlong(varlongs[i]);
  return w.view();
}

function kjsEncodeVarlongs(): Buffer {
  const e = new Encoder();
  for (let i = 0; i < COUNT; i++) e.writeVarLong(varlongs[i]);
  return e.buffer;
}

export async function cases(): Promise<Case[]> {
  const varintBytes = kwEncodeVarints();
  const varlongBytes = kwEncodeVarlongs();
  check(varintBytes.equals(kjsEncodeVarints()), 'varint: kafkawire and KafkaJS write different bytes');
  check(varlongBytes.equals(kjsEncodeVarlongs()), 'varlong: kafkawire and KafkaJS write different bytes');
  {
    const r = new Reader(varintBytes);
    const d = new Decoder(varintBytes);
    for (let i = 0; i < COUNT; i++) {
      check(r.varint() === varints[i] && d.readVarInt() === varints[i], `varint ${i}: read back`);
    }
    const r2 = new Reader(varlongBytes);
    const d2 = new Decoder(varlongBytes);
    for (let i = 0; i < COUNT; i++) {
      check(
        r2.varlong() === varlongs[i] && d2.readVarLong().toNumber() === varlongs[i],
        `varlong ${i}: read back`,
      );
    }
  }

  // The decoders return the sum of what they read, so the reads cannot be dropped.
  const kwDecodeVarints = () => {
    const r = new Reader(varintBytes);
    let sum = 0;
    for (let i = 0; i < COUNT; i++) sum += r.varint();
    return sum;
  };
  const kjsDecodeVarints = () => {
    const d = new Decoder(varintBytes);
    let sum = 0;
    for (let i = 0; i < COUNT; i++) sum += d.readVarInt();
    return sum;
  };
  const kwDecodeVarlongs = () => {
    const r = new Reader(varlongBytes);
    let sum = 0;
    for (let i = 0; i < COUNT; i++) sum += r.varlong();
    return sum;
  };
  // KafkaJS's record decoder keeps the Long and adds it to the batch's first timestamp; here it
  // only reads its low 32 bits.
  const kjsDecodeVarlongs = () => {
    const d = new Decoder(varlongBytes);
    let sum = 0;
    for (let i = 0; i < COUNT; i++) sum += d.readVarLong().toInt();
    return sum;
  };

  const items = { count: COUNT, unit: 'values' as const };
  const varintName = `1,000 values (${varintBytes.length} B)`;
  const varlongName = `1,000 values (${varlongBytes.length} B)`;
  return [
    {
      group: 'varint encode',
      name: varintName,
      items,
      bytes: varintBytes.length,
      unit: 'MB/s',
      entries: [
        { side: 'kafkawire', path: 'Writer.varint', fn: kwEncodeVarints, main: true },
        { side: 'KafkaJS', path: 'Encoder.writeVarInt', fn: kjsEncodeVarints },
      ],
    },
    {
      group: 'varint decode',
      name: varintName,
      items,
      bytes: varintBytes.length,
      unit: 'MB/s',
      entries: [
        { side: 'kafkawire', path: 'Reader.varint', fn: kwDecodeVarints, main: true },
        { side: 'KafkaJS', path: 'Decoder.readVarInt', fn: kjsDecodeVarints },
      ],
    },
    {
      group: 'varlong encode',
      name: varlongName,
      items,
      bytes: varlongBytes.length,
      unit: 'MB/s',
      entries: [
        { side: 'kafkawire', path: 'Writer.varlong (number)', fn: kwEncodeVarlongs, main: true },
        { side: 'KafkaJS', path: 'Encoder.writeVarLong (Long)', fn: kjsEncodeVarlongs },
      ],
    },
    {
      group: 'varlong decode',
      name: varlongName,
      items,
      bytes: varlongBytes.length,
      unit: 'MB/s',
      entries: [
        { side: 'kafkawire', path: 'Reader.varlong (number)', fn: kwDecodeVarlongs, main: true },
        { side: 'KafkaJS', path: 'Decoder.readVarLong (Long)', fn: kjsDecodeVarlongs },
      ],
    },
  ];
}
