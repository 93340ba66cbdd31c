import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord } from '../../src/storage/record.js';

describe('write-ahead-log records', () => {
  it('keep their on-disk form: hex UTF-8 length, standard CRC-32 (IEEE) of the bytes, payload, newline', () => {
    // The check value of CRC-32 is cbf43926; logs written by earlier versions must still open.
    expect(encodeRecord('123456789')).toBe('9:cbf43926:123456789\n');
    expect(encodeRecord('é✓')).toBe(`5:${crc32(Buffer.from('é✓')).toString(16)}:é✓\n`);
  });

  it('read back whole what was written, and say where the next record starts', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 4 }), (payloads) => {
        const text = payloads.map(encodeRecord).join('');
        let offset = 0;
        for (const payload of payloads) {
          const record = decodeRecord(text, offset);
          expect(record).toMatchObject({ ok: true, payload });
          if (record.ok) offset = record.end;
        }
        expect(offset).toBe(text.length);
      }),
    );
  });

  it('never read a torn record (any proper prefix) as valid', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 0, maxLength: 40 }), fc.nat(), (payload, cut) => {
        const record = encodeRecord(payload);
        const torn = record.slice(0, cut % record.length);
        expect(decodeRecord(torn).ok).toBe(false);
      }),
    );
  });

  it('never read a record damaged in place (any one character changed) as valid', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (payload, at, replacement) => {
        const record = encodeRecord(payload);
        const i = at % (record.length - 1);
        fc.pre(record[i] !== replacement);
        const damaged = record.slice(0, i) + replacement + record.slice(i + 1);
        const decoded = decodeRecord(damaged);
        // A change in the header can still describe a valid record only if it decodes to the same payload.
        if (decoded.ok) expect(decoded.payload).toBe(payload);
      }),
    );
  });
});
