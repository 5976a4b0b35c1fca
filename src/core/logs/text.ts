/**
 * Line-level helpers for finding SIP messages in text logs: start-line search, header-looking
 * lines, separators, log-record prefixes and their "shape". Everything works on one decoded log
 * line (a JS string) at a time; nothing here keeps state.
 */

/** RFC 3261 §25.1 `token` characters. */
const TOKEN = "A-Za-z0-9!%*_+`'.~\\-";

/** 1 at the ASCII codes of `token` characters: a cheap first-character test before a regex. */
const TOKEN_CHAR = new Uint8Array(128);
for (const ch of "!%*_+`'.~-") TOKEN_CHAR[ch.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN_CHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN_CHAR[c] = TOKEN_CHAR[c + 0x20] = 1;

/** A printable ASCII character other than space: never trimmed, never `\s`. */
function isVisibleAscii(c: number): boolean {
  return c > 0x20 && c < 0x7f;
}

/** `field-name ":"` (RFC 3261 §7.3.1: header-name HCOLON, HCOLON allows SP/HT before ':'). */
const HEADER_LIKE = new RegExp(`^[${TOKEN}]+[ \\t]*:`);

/** Request-Line (RFC 3261 §7.1): Method SP Request-URI SP SIP-Version, at the end of the line. */
const REQUEST_LINE = new RegExp(`(?<![${TOKEN}/])([A-Za-z][${TOKEN}]*) ([^ \\t]+) (SIP/\\d+\\.\\d+)[ \\t]*$`, 'i');
/** Status-Line (RFC 3261 §7.2): SIP-Version SP Status-Code SP Reason-Phrase. */
const STATUS_LINE = new RegExp(`(?<![${TOKEN}/])SIP/(\\d+\\.\\d+) [1-9]\\d\\d(?=[ \\t]|$)`, 'i');

/**
 * Where a SIP start line begins in `s`, or -1. The start line runs to the end of `s`.
 *
 * `strict` is for text with no marker around it (the generic detector): the method must be an
 * upper-case token (every registered method is), the Request-URI must contain ':' (an
 * absoluteURI, RFC 3261 §25.1) and the version must be SIP/2.0. When a log's own marker says a
 * message follows ("<--- Received SIP request", "recv N bytes from"), the start line is taken
 * whatever it looks like, so that the parser can report what is wrong with it.
 */
export function findStartLine(s: string, strict: boolean): number {
  if (s.indexOf('SIP/') < 0 && s.indexOf('sip/') < 0) return -1;
  const st = STATUS_LINE.exec(s);
  if (st && (!strict || st[1] === '2.0')) return st.index;
  const rq = REQUEST_LINE.exec(s);
  if (!rq) return -1;
  if (strict && (!/^[A-Z][A-Z_-]*$/.test(rq[1]) || rq[2].indexOf(':') < 0 || rq[3] !== 'SIP/2.0')) return -1;
  return rq.index;
}

/**
 * A line shaped like a header field. A name starting with a digit is a legal token but no real
 * header looks like a date ("2024-11-24T15:06:20 ..." would pass as "2024-11-24T15" ":"), so
 * such lines must not also look like the start of a log record.
 */
export function isHeaderLike(s: string): boolean {
  const c = s.charCodeAt(0);
  if (!(c < 0x80 && TOKEN_CHAR[c] === 1) || !HEADER_LIKE.test(s)) return false;
  return !(c >= 0x30 && c <= 0x39) || !looksLikeLogRecord(s);
}

/** A folded header line (RFC 3261 §7.3.1: LWS = [*WSP CRLF] 1*WSP) with something on it. */
export function isContinuation(s: string): boolean {
  const c = s.charCodeAt(0);
  return (c === 32 || c === 9) && s.trim() !== '';
}

export function isBlank(s: string): boolean {
  return s.length === 0 || (!isVisibleAscii(s.charCodeAt(0)) && s.trim() === '');
}

const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(\d{1,9})[ \t]*$/i;

/** Content-Length value of a header line (long or compact form `l`, RFC 3261 §20.14). */
export function contentLengthOf(s: string): number | undefined {
  const c = s.charCodeAt(0) | 0x20;
  if (c === 0x63) {
    // "Content-Length": skip Contact, Call-ID, CSeq, Content-Type without the regex.
    if (s.charCodeAt(7) !== 0x2d || (s.charCodeAt(8) | 0x20) !== 0x6c) return undefined;
  } else if (c === 0x6c) {
    const d = s.charCodeAt(1);
    if (d !== 0x3a && d !== 0x20 && d !== 9) return undefined; // compact "l" then HCOLON
  } else return undefined;
  const m = CONTENT_LENGTH.exec(s);
  return m ? Number(m[1]) : undefined;
}

/** UTF-8 byte length of a string (Content-Length counts bytes, RFC 3261 §20.14). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // the pair is 4 bytes: 2 units + 2
      i++;
    } else n += 2;
  }
  return n;
}

/**
 * A line made only of separator characters: `----`, `====`, `####`, `~~~~`, `||||`, `****`.
 * Used by plain dumps between messages, by FreeSWITCH/sofia-sip around a message (72 '-'), by
 * Kamailio's sipdump module ('=' / '~' / '|' x 20), by the Acme sipmsg.log (40 '-') and by
 * baresip (a lone '#'). A multipart boundary (`--` + token) is never made only of dashes.
 */
export function isSeparatorLine(s: string): boolean {
  const c0 = s.charCodeAt(0);
  if (isVisibleAscii(c0) && c0 !== 0x2d && c0 !== 0x3d && c0 !== 0x23 && c0 !== 0x7e && c0 !== 0x7c && c0 !== 0x2a && c0 !== 0x5f) return false;
  const t = s.trim();
  if (t.length === 0) return false;
  const c = t.charCodeAt(0);
  if (c !== 0x2d && c !== 0x3d && c !== 0x23 && c !== 0x7e && c !== 0x7c && c !== 0x2a && c !== 0x5f) return false;
  if (t.length < 3 && c !== 0x23) return false;
  for (let i = 1; i < t.length; i++) if (t.charCodeAt(i) !== c) return false;
  return true;
}

/** SIPp `-trace_msg` puts this line before each message: 47 '-', a space, a local date-time. */
export const SIPP_SEPARATOR = /^-{20,} (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s*$/;

/** chan_sip closes each dump with `<------------->` (sometimes one dash less). */
const CHAN_SIP_CLOSE = /^<-{5,}>$/;

/** Any line that ends the message being read (it is never part of a SIP message). */
export function isDelimiterLine(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c === 0x3c) return CHAN_SIP_CLOSE.test(s.trim());
  if (isSeparatorLine(s)) return true;
  return c === 0x2d && SIPP_SEPARATOR.test(s);
}

/**
 * The start of a new log record: a date or time stamp, a Kamailio `N(pid) LEVEL:` prefix, an
 * Asterisk verbose `  == ` / `    -- ` line or CLI prompt, a FreeSWITCH `EXECUTE` line. Used
 * where message lines are written without a prefix, to see where the message stops when its
 * length is not known. SIP header lines, SDP and XML bodies never start like this.
 */
const LOG_RECORD = new RegExp(
  [
    '^\\[?\\d{4}[-/]\\d\\d[-/]\\d\\d[ T]\\d\\d:\\d\\d', // 2022-02-02 19:17:07, [2024-01-02 10:15:00]
    '^\\[?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \\d]?\\d \\d\\d:\\d\\d:\\d\\d', // syslog, Asterisk
    '^\\[?\\d\\d:\\d\\d:\\d\\d[.,:]\\d', // time of day
    '^\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d', // Android logcat
    '^[ \\t]*\\d+\\(\\d+\\) [A-Z_]+:', // Kamailio " 0(4217) DEBUG:"
    '^[ \\t]+(?:==|--) ', // Asterisk verbose
    '^[^ ]*\\*CLI> ', // Asterisk CLI prompt
    '^EXECUTE \\[depth=', // FreeSWITCH dialplan trace
  ].join('|'),
);

export function looksLikeLogRecord(s: string): boolean {
  return LOG_RECORD.test(s);
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const BINARY_HINT = /[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffd]/;

/**
 * A line that is not text: a NUL, or at least a tenth of it control characters or U+FFFD (the
 * replacement for bytes that are not UTF-8). TAB, CR, LF, FF and ESC (colour codes) are text.
 */
export function isBinaryLine(s: string): boolean {
  if (!BINARY_HINT.test(s)) return false;
  let bad = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 0x20 && c !== 9 && c !== 0x0b && c !== 0x0c && c !== 0x1b) || c === 0xfffd) bad++;
  }
  return bad * 10 >= s.length;
}

// eslint-disable-next-line no-control-regex -- ESC starts a colour code
const ANSI_LEAD = /^(?:\x1b\[[0-9;?]*[A-Za-z])+/;

/**
 * Colour codes around a line (baresip's SIP trace is wrapped in `ESC[36;1m` ... `ESC[;m`):
 * `[start, end)` of the text between them.
 */
export function ansiBounds(s: string): { start: number; end: number } {
  let start = 0;
  let end = s.length;
  if (s.indexOf('\x1b') < 0) return { start, end };
  const lead = ANSI_LEAD.exec(s);
  if (lead) start = lead[0].length;
  const trail = trailingAnsiStart(s);
  if (trail < s.length && trail >= start) end = trail;
  return { start, end };
}

/**
 * Where the run of colour codes that ends `s` starts (`s.length` when there is none). Scanned
 * backwards by hand: the regex /(?:ESC\[[0-9;?]*[A-Za-z])+$/ retries from every ESC of the line
 * and is quadratic on a line made of thousands of codes.
 */
function trailingAnsiStart(s: string): number {
  let end = s.length;
  for (;;) {
    let i = end - 1;
    const c = i >= 0 ? s.charCodeAt(i) | 0x20 : 0;
    if (c < 0x61 || c > 0x7a) return end;
    i--;
    while (i >= 0) {
      const d = s.charCodeAt(i);
      if ((d >= 0x30 && d <= 0x39) || d === 0x3b || d === 0x3f) i--;
      else break;
    }
    if (i < 1 || s.charCodeAt(i) !== 0x5b || s.charCodeAt(i - 1) !== 0x1b) return end;
    end = i - 1;
  }
}

/** Matches the prefix a log writes before each line of a message. */
export interface PrefixMatcher {
  /**
   * Length of the prefix at the start of `s`, or -1 when `s` does not start with it. A line made
   * of the prefix alone, trailing blanks trimmed (an empty message line), gives `s.length`.
   */
  match(s: string): number;
}

/** Longest prefix matched by its shape; longer ones must repeat exactly. */
const MAX_SHAPED_PREFIX = 256;

const MONTH_OR_DAY = /^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)$/i;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The prefix written before the start line, made into a matcher for the following lines of the
 * same message. Whitespace (an indent: sofia-sip's 3 spaces, journald or logcat continuation
 * lines) must repeat exactly. Any other prefix (a time stamp, `host prog[pid]:`, a level) is
 * matched by its shape: digit runs, month and weekday names and `0x` pointers may change from
 * line to line, blanks may vary in length, everything else must be the same. Undefined for an
 * empty prefix.
 */
export function makePrefixMatcher(prefix: string): PrefixMatcher | undefined {
  if (prefix.length === 0) return undefined;
  if (/^[ \t]+$/.test(prefix)) {
    return {
      match(s: string): number {
        if (s.startsWith(prefix)) return prefix.length;
        return /^[ \t]*$/.test(s) ? s.length : -1;
      },
    };
  }
  let bodyEnd = prefix.length;
  while (bodyEnd > 0 && (prefix.charCodeAt(bodyEnd - 1) === 32 || prefix.charCodeAt(bodyEnd - 1) === 9)) bodyEnd--;
  const body = prefix.slice(0, bodyEnd);
  const trail = prefix.slice(body.length);
  if (prefix.length > MAX_SHAPED_PREFIX) {
    // No log writes a prefix this long: whatever precedes the start line here is matched as it
    // is. Shaping it would build a regex of one term per token, which V8 cannot compile ("stack
    // overflow", thrown) or runs slowly, for a line of a few thousand words.
    return {
      match(s: string): number {
        if (s.startsWith(prefix)) return prefix.length;
        if (!s.startsWith(body)) return -1;
        for (let i = body.length; i < s.length; i++) if (s.charCodeAt(i) !== 32 && s.charCodeAt(i) !== 9) return -1;
        return s.length;
      },
    };
  }
  let src = '^';
  const tokens = /0x[0-9A-Fa-f]+|\d+|[A-Za-z]+|[ \t]+|[^0-9A-Za-z \t]/g;
  for (let m = tokens.exec(body); m; m = tokens.exec(body)) {
    const t = m[0];
    const c = t.charCodeAt(0);
    if (t.length > 2 && t.startsWith('0x')) src += '0x[0-9A-Fa-f]+';
    else if (c >= 0x30 && c <= 0x39) src += '\\d+';
    else if (c === 32 || c === 9) src += '[ \\t]+';
    else if (MONTH_OR_DAY.test(t)) src += '[A-Za-z]{3}';
    else src += escapeRegExp(t);
  }
  const full = new RegExp(src + trail);
  const bare = new RegExp(src + '[ \\t]*$');
  return {
    match(s: string): number {
      const m = full.exec(s);
      if (m) return m[0].length;
      return bare.test(s) ? s.length : -1;
    },
  };
}
