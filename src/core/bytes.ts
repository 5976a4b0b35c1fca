/** Byte helpers for the core (Uint8Array only; no Buffer, so the same code runs in a browser). */

/**
 * Decodes bytes one char per byte (ISO-8859-1), so that a string index equals a byte offset.
 * SIP header sections are ASCII/UTF-8; keeping one char per byte lets every header and parameter
 * keep its exact byte range in the packet. Use `utf8` for display.
 */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  // Pure ASCII (nearly every SIP message) decodes identically as UTF-8, and the native decoder is
  // several times faster than fromCharCode on a message-sized input. Short inputs are not worth
  // the extra pass.
  if (end - start >= 32 && isAscii(bytes, start, end)) return utf8Decoder.decode(bytes.subarray(start, end));
  let out = '';
  // String.fromCharCode.apply on chunks: fast, and bounded argument count.
  for (let i = start; i < end; i += 8192) {
    const stop = Math.min(end, i + 8192);
    out += String.fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return out;
}

const utf8Decoder = new TextDecoder('utf-8');

/** True when every byte of bytes[start, end) is below 0x80. */
function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  for (; i + 4 <= end; i += 4) if ((bytes[i] | bytes[i + 1] | bytes[i + 2] | bytes[i + 3]) & 0x80) return false;
  for (; i < end; i++) if (bytes[i] & 0x80) return false;
  return true;
}

/** Decodes UTF-8 (invalid sequences become U+FFFD). */
export function utf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return utf8Decoder.decode(bytes.subarray(start, end));
}

/** Index of `needle` (ASCII) in bytes[from, to), or -1. */
export function indexOfAscii(bytes: Uint8Array, needle: string, from = 0, to = bytes.length): number {
  const n = needle.length;
  if (n === 0) return from;
  const first = needle.charCodeAt(0);
  outer: for (let i = bytes.indexOf(first, from); i !== -1 && i + n <= to; i = bytes.indexOf(first, i + 1)) {
    for (let k = 1; k < n; k++) if (bytes[i + k] !== needle.charCodeAt(k)) continue outer;
    return i;
  }
  return -1;
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
