/**
 * SIP message framing on raw bytes: is there a SIP start line here, where does the header
 * section end, how long is the message (RFC 3261 §7.5, §18.3, §20.14).
 *
 * Pure byte functions over Uint8Array: no strings, no regexes, no allocation on the fast path
 * (rejecting non-SIP bytes and searching for the end of the header section). They are called for
 * every UDP datagram and every TCP chunk of a capture, most of which are RTP or bulk data.
 */

import type { Severity } from '../types';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;

/** `matchSipStart` results. */
export const SIP_START_NO = 0;
export const SIP_START_YES = 1;
/** The bytes end before the start line could be confirmed or rejected. */
export const SIP_START_NEED_MORE = 2;
export type SipStartMatch = typeof SIP_START_NO | typeof SIP_START_YES | typeof SIP_START_NEED_MORE;

/** Longest start line looked at (a Request-URI can be long, but not unboundedly). */
export const DEFAULT_MAX_START_LINE = 4096;
/** Longest method token accepted by the cheap recogniser (RFC 3261 methods are <= 9 chars; RFC 4475 §3.1.1.2 uses 43). */
const MAX_METHOD = 64;
/** Longest URI scheme accepted before its ':' (RFC 3986 §3.1 scheme). */
const MAX_SCHEME = 32;

export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
export const DEFAULT_MAX_CONTENT_LENGTH = 16 * 1024 * 1024;

/** RFC 3261 §25.1 token characters: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~". */
const TOKEN = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
for (const ch of "-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1;

/** RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
const SCHEME = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) SCHEME[c] = 2;
for (let c = 0x41; c <= 0x5a; c++) SCHEME[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) SCHEME[c] = 1;
SCHEME[0x2b] = 2;
SCHEME[0x2d] = 2;
SCHEME[0x2e] = 2;

const S = 0x73;
const I = 0x69;
const P = 0x70;
const SLASH = 0x2f;
const DOT = 0x2e;

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/** Most digits accepted in a status code: 3 is right (RFC 3261 §7.2); more is reported by the parser. */
const MAX_STATUS_DIGITS = 10;

/**
 * Does a SIP start line begin at `off`? Three-valued so that a stream reader can wait for more
 * bytes when a start line is cut by a segment boundary.
 *
 * Request-Line = Method SP Request-URI SP SIP-Version CRLF (RFC 3261 §7.1): a token, SP, a URI
 * scheme and ':', then `SIP/x.y` right before the first line break, within `maxLine` bytes.
 * Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF (§7.2): `SIP/x.y`, SP, digits,
 * then SP or the line break (an empty reason phrase without its SP is tolerated).
 *
 * Deliberately tolerant of what is plainly SIP but malformed (extra spaces, trailing white
 * space, a bracketed URI, another version, an over-long status code: RFC 4475 §3.1.2.7,
 * .9, .10, .16, .19): such a
 * message must reach the parser, which reports it, rather than vanish as "not SIP". The
 * version is matched case-insensitively (§7.1). Non-SIP payloads (RTP 0x80.., TLS 0x16..,
 * binary) fail on the first byte, HTTP on the URI scheme or the version.
 */
export function matchSipStart(bytes: Uint8Array, off: number, end: number, maxLine = DEFAULT_MAX_START_LINE): SipStartMatch {
  if (off >= end) return SIP_START_NEED_MORE;
  const first = bytes[off];
  if (TOKEN[first] === 0) return SIP_START_NO;

  if ((first | 0x20) === S) {
    const v = matchVersion(bytes, off, end);
    if (v === -2) return SIP_START_NEED_MORE;
    if (v > 0) {
      // Status line: SP Status-Code (SP Reason-Phrase | line end).
      let i = v;
      if (i >= end) return SIP_START_NEED_MORE;
      if (bytes[i] !== SP) return SIP_START_NO;
      i++;
      const codeStart = i;
      while (i < end && isDigit(bytes[i]) && i - codeStart <= MAX_STATUS_DIGITS) i++;
      if (i === end) return SIP_START_NEED_MORE;
      if (i === codeStart || i - codeStart > MAX_STATUS_DIGITS) return SIP_START_NO;
      const after = bytes[i];
      return after === SP || after === CR || after === LF ? SIP_START_YES : SIP_START_NO;
    }
    // Not a version: may still be a request whose method starts with S (SUBSCRIBE...).
  }

  // Method token.
  let i = off;
  const methodLimit = Math.min(end, off + MAX_METHOD + 1);
  while (i < methodLimit && TOKEN[bytes[i]] === 1) i++;
  if (i === end) return i - off <= MAX_METHOD ? SIP_START_NEED_MORE : SIP_START_NO;
  if (bytes[i] !== SP || i - off > MAX_METHOD) return SIP_START_NO;
  // One SP is right; a few more are tolerated (RFC 4475 §3.1.2.9).
  const spLimit = Math.min(end, i + 8);
  while (i < spLimit && bytes[i] === SP) i++;

  // Request-URI scheme (sip:, sips:, tel:, urn:, any absoluteURI); a URI wrongly enclosed in
  // <> is tolerated (RFC 4475 §3.1.2.7).
  if (i < end && bytes[i] === 0x3c) i++;
  const uriStart = i;
  if (i >= end) return SIP_START_NEED_MORE;
  if (SCHEME[bytes[i]] !== 1) return SIP_START_NO;
  i++;
  const schemeLimit = Math.min(end, uriStart + MAX_SCHEME + 1);
  while (i < schemeLimit && SCHEME[bytes[i]] !== 0) i++;
  if (i === end) return SIP_START_NEED_MORE;
  if (bytes[i] !== 0x3a) return SIP_START_NO;

  // The line must end with " SIP/x.y" (trailing white space tolerated), within maxLine bytes.
  const lineLimit = Math.min(end, off + maxLine);
  let e = i + 1;
  while (e < lineLimit) {
    const c = bytes[e];
    if (c === CR || c === LF) break;
    e++;
  }
  if (e === lineLimit) return lineLimit === end && end < off + maxLine ? SIP_START_NEED_MORE : SIP_START_NO;
  while (e > i && (bytes[e - 1] === SP || bytes[e - 1] === HTAB)) e--;
  // Backwards over 1*DIGIT "." 1*DIGIT "/" "SIP" SP.
  let k = e;
  while (k > i && isDigit(bytes[k - 1])) k--;
  if (k === e || bytes[k - 1] !== DOT) return SIP_START_NO;
  const minor = k - 1;
  k = minor;
  while (k > i && isDigit(bytes[k - 1])) k--;
  if (k === minor || k - 5 <= i) return SIP_START_NO;
  if (bytes[k - 1] !== SLASH || (bytes[k - 2] | 0x20) !== P || (bytes[k - 3] | 0x20) !== I || (bytes[k - 4] | 0x20) !== S) return SIP_START_NO;
  return bytes[k - 5] === SP ? SIP_START_YES : SIP_START_NO;
}

/**
 * Matches SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT at `off` (case-insensitive). Returns the
 * index after it, -1 when it is not one, -2 when the bytes end first.
 */
function matchVersion(bytes: Uint8Array, off: number, end: number): number {
  if (off + 4 > end) {
    for (let k = off; k < end; k++) if (!versionPrefixByte(bytes[k], k - off)) return -1;
    return -2;
  }
  for (let k = 0; k < 4; k++) if (!versionPrefixByte(bytes[off + k], k)) return -1;
  let i = off + 4;
  const majorStart = i;
  while (i < end && isDigit(bytes[i]) && i - majorStart < 4) i++;
  if (i === end) return -2;
  if (i === majorStart || bytes[i] !== DOT) return -1;
  i++;
  const minorStart = i;
  while (i < end && isDigit(bytes[i]) && i - minorStart < 4) i++;
  if (i === end) return -2;
  return i === minorStart ? -1 : i;
}

function versionPrefixByte(b: number, k: number): boolean {
  switch (k) {
    case 0:
      return (b | 0x20) === S;
    case 1:
      return (b | 0x20) === I;
    case 2:
      return (b | 0x20) === P;
    default:
      return b === SLASH;
  }
}

/** True when a complete SIP start line (request or status line) begins at `off`. */
export function sipStartAt(bytes: Uint8Array, off: number, end: number): boolean {
  return matchSipStart(bytes, off, end) === SIP_START_YES;
}

export interface FramingOptions {
  /**
   * Stream transport (TCP, TLS, WebSocket): Content-Length is mandatory (RFC 3261 §18.3) and a
   * message may continue in bytes not yet seen (result 'need-more'). Default false: datagram
   * (UDP, SCTP), where the message ends with the datagram at the latest.
   */
  stream?: boolean;
  /** Longest header section accepted (start line to empty line). Default 64 KiB. */
  maxHeaderBytes?: number;
  /** Largest Content-Length believed. Default 16 MiB. */
  maxContentLength?: number;
  /** Resume the search for the empty line here: the `resumeAt` of a previous 'need-more'. */
  scanFrom?: number;
}

/** A framing observation; `offset` is an index into the `bytes` given to `frameSipMessage`. */
export interface FramingProblem {
  code: string;
  message: string;
  severity: Severity;
  offset: number;
}

export type FrameResult =
  | {
      kind: 'complete';
      /** Index just past the empty line that ends the header section (first body byte). */
      headerEnd: number;
      /** Message length from `off`: header section plus body. */
      length: number;
      /** Content-Length value when present, valid and believed. */
      contentLength?: number;
      problems: readonly FramingProblem[];
    }
  | {
      kind: 'need-more';
      /** Known once the empty line has been seen. */
      headerEnd?: number;
      /** Total message length from `off`, once known. */
      needed?: number;
      /** Where to resume the search for the empty line (pass as `scanFrom`). */
      resumeAt?: number;
    }
  | { kind: 'invalid'; code: string; reason: string };

const NO_PROBLEMS: readonly FramingProblem[] = Object.freeze([]);

/**
 * Finds the end of the header section starting at `off` and the message length. `off` must be
 * the first byte of the start line (leading CRLFs already skipped, RFC 3261 §7.5).
 *
 * The header section ends at the first empty line. CRLF CRLF is the norm (§7); a bare LF line
 * end (logs, buggy stacks) is tolerated and reported. The body length is the Content-Length
 * (`Content-Length` or compact `l`, §20.14, §7.3.3), folded values and leading zeros allowed.
 * Without one, a datagram's body runs to the datagram's end (§18.3); on a stream the header is
 * mandatory, and the body is taken as empty.
 */
export function frameSipMessage(bytes: Uint8Array, off: number, end: number, opts?: FramingOptions): FrameResult {
  const stream = opts?.stream === true;
  const maxHeader = opts?.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const maxContent = opts?.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH;
  // +4: the empty line itself may straddle the limit.
  const searchEnd = Math.min(end, off + maxHeader + 4);

  // --- find the empty line -------------------------------------------------------------------
  let from = opts?.scanFrom !== undefined && opts.scanFrom > off ? opts.scanFrom : off;
  let headerEnd = -1;
  let bareLf = false;
  let pending = -1; // an LF whose following line could not be examined yet
  while (from < searchEnd) {
    const lf = bytes.indexOf(LF, from);
    if (lf === -1 || lf >= searchEnd) break;
    const q = lf + 1;
    if (q >= end) {
      pending = lf;
      break;
    }
    if (bytes[q] === LF) {
      headerEnd = q + 1;
      bareLf = true;
      break;
    }
    if (bytes[q] === CR) {
      if (q + 1 >= end) {
        pending = lf;
        break;
      }
      if (bytes[q + 1] === LF) {
        headerEnd = q + 2;
        bareLf = lf === off || bytes[lf - 1] !== CR;
        break;
      }
    }
    from = q;
  }

  if (headerEnd === -1 || headerEnd - off > maxHeader + 4) {
    if (end - off > maxHeader) {
      return {
        kind: 'invalid',
        code: 'sip-header-too-long',
        reason: `no empty line ends the header section within ${maxHeader} bytes`,
      };
    }
    if (stream) return { kind: 'need-more', resumeAt: pending !== -1 ? pending : end };
    // A datagram always ends its message: take it whole and say the empty line is missing.
    return {
      kind: 'complete',
      headerEnd: end,
      length: end - off,
      problems: [
        {
          code: 'sip-header-unterminated',
          severity: 'warning',
          offset: end,
          message: 'The datagram ends before the empty line that closes the SIP header section (RFC 3261 §7).',
        },
      ],
    };
  }

  // --- Content-Length ------------------------------------------------------------------------
  let problems: FramingProblem[] | undefined;
  const add = (p: FramingProblem): void => {
    (problems ??= []).push(p);
  };
  if (bareLf) {
    add({
      code: 'sip-bare-lf',
      severity: 'warning',
      offset: headerEnd - 1,
      message: 'The header section ends with bare LF line ends instead of CRLF CRLF (RFC 3261 §7); accepted.',
    });
  }

  let contentLength = -1; // first valid value
  let invalid = false;
  let conflictReported = false;
  // Skip the start line; then walk header fields (a field may be folded over several lines).
  let line = bytes.indexOf(LF, off) + 1;
  while (line < headerEnd) {
    const lineEndLf = bytes.indexOf(LF, line);
    const c = bytes[line];
    if (c === CR || c === LF) break; // the empty line
    const name = contentLengthNameEnd(bytes, line, lineEndLf);
    if (name === -1) {
      line = lineEndLf + 1;
      continue;
    }
    // Field value: to the end of the last continuation line (lines starting with SP / HTAB).
    let fieldEnd = lineEndLf;
    while (fieldEnd + 1 < headerEnd && (bytes[fieldEnd + 1] === SP || bytes[fieldEnd + 1] === HTAB)) {
      fieldEnd = bytes.indexOf(LF, fieldEnd + 1);
    }
    const value = parseDecimal(bytes, name, fieldEnd);
    if (value === -1) {
      invalid = true;
      add({
        code: 'sip-content-length-invalid',
        severity: 'error',
        offset: line,
        message: 'Content-Length is not a decimal number (RFC 3261 §20.14); ignored.',
      });
    } else if (contentLength === -1) {
      contentLength = value;
    } else if (value !== contentLength && !conflictReported) {
      conflictReported = true;
      add({
        code: 'sip-content-length-conflict',
        severity: 'error',
        offset: line,
        message: `Several Content-Length headers with different values (${contentLength} and ${value > maxContent ? 'a huge value' : value}); the first is used.`,
      });
    }
    line = fieldEnd + 1;
  }

  const headerLen = headerEnd - off;
  const available = end - headerEnd;
  let bodyLen: number;
  let reportedLength: number | undefined;
  if (contentLength > maxContent) {
    add({
      code: 'sip-content-length-too-large',
      severity: 'error',
      offset: off,
      message: `Content-Length ${contentLength >= 1e15 ? '(more than 15 digits)' : contentLength} exceeds the limit of ${maxContent} bytes; the message is treated as cut ${stream ? 'after its header section' : 'at the end of the datagram'}.`,
    });
    bodyLen = stream ? 0 : available;
  } else if (contentLength >= 0) {
    reportedLength = contentLength;
    if (contentLength > available) {
      if (stream) return { kind: 'need-more', headerEnd, needed: headerLen + contentLength };
      add({
        code: 'sip-body-truncated',
        severity: 'error',
        offset: end,
        message: `Content-Length is ${contentLength} but the datagram holds only ${available} body bytes (RFC 3261 §18.3).`,
      });
      bodyLen = available;
    } else {
      bodyLen = contentLength;
    }
  } else if (stream) {
    if (!invalid) {
      add({
        code: 'sip-content-length-missing',
        severity: 'error',
        offset: off,
        message: 'No Content-Length on a stream transport, where it is mandatory (RFC 3261 §18.3); the body is taken as empty.',
      });
    }
    bodyLen = 0;
  } else {
    // RFC 3261 §18.3: over UDP the body runs to the end of the datagram.
    bodyLen = available;
  }

  return {
    kind: 'complete',
    headerEnd,
    length: headerLen + bodyLen,
    contentLength: reportedLength,
    problems: problems ?? NO_PROBLEMS,
  };
}

/** "content-length" lowercased. */
const CONTENT_LENGTH = Array.from('content-length', (ch) => ch.charCodeAt(0));

/**
 * If the header line at `line` is Content-Length (long or compact `l` form, any case, RFC 3261
 * §7.3.1/§7.3.3), returns the index just past its ':'; otherwise -1.
 */
function contentLengthNameEnd(bytes: Uint8Array, line: number, lineEnd: number): number {
  const c = bytes[line] | 0x20;
  let i: number;
  if (c === 0x6c) {
    i = line + 1; // compact form "l"
  } else if (c === 0x63) {
    if (lineEnd - line < 15) return -1;
    for (let k = 1; k < 14; k++) {
      const want = CONTENT_LENGTH[k];
      const b = bytes[line + k];
      if (want === 0x2d ? b !== 0x2d : (b | 0x20) !== want) return -1;
    }
    i = line + 14;
  } else {
    return -1;
  }
  while (i < lineEnd && (bytes[i] === SP || bytes[i] === HTAB)) i++;
  return i < lineEnd && bytes[i] === 0x3a ? i + 1 : -1;
}

/**
 * Parses `1*DIGIT` surrounded by linear white space (folding included) in [from, to). Returns
 * -1 when anything else is there. Values past 1e15 stop growing (a huge value must not
 * overflow into something plausible).
 */
function parseDecimal(bytes: Uint8Array, from: number, to: number): number {
  let value = 0;
  let digits = 0;
  let done = false;
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b === SP || b === HTAB || b === CR || b === LF) {
      if (digits > 0) done = true;
      continue;
    }
    if (b < 0x30 || b > 0x39 || done) return -1;
    if (value < 1e15) value = value * 10 + (b - 0x30);
    digits++;
  }
  return digits > 0 ? value : -1;
}
