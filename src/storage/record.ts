import CRC32 from 'crc-32';

// Plain JS (no Buffer, no zlib), so the simulator's disk runs in a browser too (the playground).
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
const crc32 = (bytes: Uint8Array): number => CRC32.buf(bytes) >>> 0;

/**
 * A write-ahead-log record as it lies on disk: `<length>:<crc32>:<payload>\n`, the
 * length and checksum in hex over the payload's UTF-8 bytes. A record cut short by a
 * crash (a torn write) or damaged in place fails the length or the checksum, so
 * recovery stops there and never reads it as valid.
 */
export function encodeRecord(payload: string): string {
  const bytes = utf8Encoder.encode(payload);
  return `${bytes.length.toString(16)}:${crc32(bytes).toString(16)}:${payload}\n`;
}

export type DecodedRecord = { readonly ok: true; readonly payload: string; readonly end: number } | { readonly ok: false; readonly reason: string };

/** Decodes the record starting at `offset`; `end` is where the next one starts. */
export function decodeRecord(text: string, offset = 0): DecodedRecord {
  const lengthEnd = text.indexOf(':', offset);
  const checksumEnd = lengthEnd < 0 ? -1 : text.indexOf(':', lengthEnd + 1);
  if (checksumEnd < 0) return { ok: false, reason: 'incomplete header' };
  const length = parseHex(text.slice(offset, lengthEnd));
  const checksum = parseHex(text.slice(lengthEnd + 1, checksumEnd));
  if (length === undefined || checksum === undefined) return { ok: false, reason: 'malformed header' };
  const bytes = utf8Encoder.encode(text.slice(checksumEnd + 1));
  if (bytes.length < length + 1) return { ok: false, reason: 'incomplete payload' };
  const payloadBytes = bytes.subarray(0, length);
  if (bytes[length] !== 0x0a) return { ok: false, reason: 'missing record end' };
  if (crc32(payloadBytes) !== checksum) return { ok: false, reason: 'checksum mismatch' };
  const payload = utf8Decoder.decode(payloadBytes);
  return { ok: true, payload, end: checksumEnd + 1 + payload.length + 1 };
}

function parseHex(text: string): number | undefined {
  return /^[0-9a-f]{1,8}$/.test(text) ? parseInt(text, 16) : undefined;
}
