/**
 * Tells a capture from a text log by its first bytes, never by the file name (`.cap`, `.pcap`,
 * `.log` and `.txt` are used loosely in the wild).
 */
export type DetectedFormat = 'pcap' | 'pcapng' | 'text' | 'unknown';

/** How many leading bytes the text check looks at. */
const TEXT_SAMPLE_BYTES = 4096;

export function detectFormat(head: Uint8Array): DetectedFormat {
  if (head.length >= 4) {
    const m = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
    // Classic pcap, µs / ns / Kuznetzov "modified", in big- and little-endian order.
    if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1 || m === 0xa1b2cd34 || m === 0x34cdb2a1) {
      return 'pcap';
    }
    // pcapng: the Section Header Block type is a byte palindrome, so one test covers both orders.
    if (m === 0x0a0d0d0a) return 'pcapng';
  }
  return looksLikeText(head) ? 'text' : 'unknown';
}

/**
 * Printable UTF-8 (ASCII included) with tabs, line breaks, form feeds and ESC (coloured log
 * output); an optional UTF-8 BOM; a multi-byte sequence cut by the end of the sample is fine.
 * A sample that turns binary after at least one whole line of text is a log with binary data in
 * it (NUL padding, a dumped packet): the log reader reports those lines and reads the rest. A
 * binary file (zip, gzip, ELF, PNG, an unknown capture format) has no clean first line.
 */
function looksLikeText(head: Uint8Array): boolean {
  const end = Math.min(head.length, TEXT_SAMPLE_BYTES);
  let i = end >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  if (i >= end) return false;
  let visible = false;
  let wholeLine = false;
  while (i < end) {
    const c = head[i];
    if (c < 0x80) {
      if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b) return wholeLine;
      if (c === 0x7f) return wholeLine;
      if (c > 0x20) visible = true;
      else if (c === 0x0a && visible) wholeLine = true;
      i++;
      continue;
    }
    let extra: number;
    if (c >= 0xc2 && c <= 0xdf) extra = 1;
    else if (c >= 0xe0 && c <= 0xef) extra = 2;
    else if (c >= 0xf0 && c <= 0xf4) extra = 3;
    else return wholeLine;
    for (let k = 1; k <= extra; k++) {
      if (i + k >= end) return true; // cut by the end of the sample
      if ((head[i + k] & 0xc0) !== 0x80) return wholeLine;
    }
    visible = true;
    i += extra + 1;
  }
  return true;
}
