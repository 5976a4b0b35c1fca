/**
 * Lexical layer of the SIP parser: character classes, linear scanners over a string range,
 * parameter lists and URIs (RFC 3261 §19.1, §25.1; RFC 3966 for tel:; RFC 5118 for IPv6).
 *
 * Everything works on `[start, end)` ranges of one text with `charCodeAt`, so each result keeps
 * exact offsets (Spans) into the message text and no intermediate strings are built. Folded
 * lines (CRLF/LF + WSP) inside a header value count as linear whitespace wherever the grammar
 * allows LWS, so spans stay exact in the raw text.
 */
import type { SipParam, SipParseProblem, SipUri, Span } from '../types';

/** Catalog rule for an unparseable message, header or value (register-rules.md §4). */
export const PARSE_ERROR = 'SIP-PARSE-001';
/** Catalog rule for a single-valued header given more than once (register-rules.md P-2). */
export const DUPLICATE_ERROR = 'SIP-PARSE-002';

/** Longest parameter list kept per value: bounds memory on hostile input. */
export const MAX_PARAMS = 1000;

// ---------------------------------------------------------------------------------------------
// Character classes (RFC 3261 §25.1), as bit flags over ASCII
// ---------------------------------------------------------------------------------------------

const TOKEN = 1; // alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
const UNRESERVED = 2; // alphanum / mark ("-" "_" "." "!" "~" "*" "'" "(" ")")
const USER_EXTRA = 4; // user-unreserved: "&" "=" "+" "$" "," ";" "?" "/"
const PASS_EXTRA = 8; // password: "&" "=" "+" "$" ","
const PARAM_EXTRA = 16; // param-unreserved: "[" "]" "/" ":" "&" "+" "$"
const HNV_EXTRA = 32; // hnv-unreserved: "[" "]" "/" "?" ":" "+" "$"
const WORD = 64; // word (Call-ID): token chars plus ( ) < > : \ " / [ ] ? { }
const HOST = 128; // hostname / IPv4: alphanum "-" "."

const CLASS = new Uint8Array(128);
function mark(chars: string, flag: number): void {
  for (let i = 0; i < chars.length; i++) CLASS[chars.charCodeAt(i)] |= flag;
}
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch)) CLASS[c] |= TOKEN | UNRESERVED | WORD | HOST;
}
mark("-.!%*_+`'~", TOKEN | WORD);
mark("-_.!~*'()", UNRESERVED);
mark('&=+$,;?/', USER_EXTRA);
mark('&=+$,', PASS_EXTRA);
mark('[]/:&+$', PARAM_EXTRA);
mark('[]/?:+$', HNV_EXTRA);
mark('()<>:\\"/[]?{}', WORD);
mark('-.', HOST);

function has(c: number, flag: number): boolean {
  return c < 128 && (CLASS[c] & flag) !== 0;
}

export function isTokenChar(c: number): boolean {
  return has(c, TOKEN);
}
export function isWordChar(c: number): boolean {
  return has(c, WORD);
}
export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
/** SP / HTAB. */
export function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
/** SP / HTAB / CR / LF: inside a header value a line break is always part of a fold. */
export function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** True when the whole string is a non-empty token (RFC 3261 §25.1). */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!has(s.charCodeAt(i), TOKEN)) return false;
  return true;
}

export function skipLws(text: string, p: number, end: number): number {
  while (p < end && isLws(text.charCodeAt(p))) p++;
  return p;
}
export function skipLwsBack(text: string, start: number, e: number): number {
  while (e > start && isLws(text.charCodeAt(e - 1))) e--;
  return e;
}
export function scanToken(text: string, p: number, end: number): number {
  while (p < end && has(text.charCodeAt(p), TOKEN)) p++;
  return p;
}

/**
 * At a `"`, returns the index just after the closing quote, or -1 when the string never ends
 * before `end`. quoted-pair (`\` + any char but CR/LF) is skipped as a unit (RFC 3261 §25.1).
 */
export function scanQuoted(text: string, p: number, end: number): number {
  for (let i = p + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c && i + 1 < end) {
      const n = text.charCodeAt(i + 1);
      if (n !== 0x0d && n !== 0x0a) i++;
    }
  }
  return -1;
}

/** Replaces every fold (`[WSP] CRLF|LF 1*WSP`) by one SP, as RFC 3261 §7.3.1 says to read it. */
export function unfold(s: string): string {
  if (s.indexOf('\n') < 0) return s;
  // By hand: /[ \t]*\r?\n[ \t]*/g retries from every blank of a long run that no line break
  // ends, which is quadratic (a folded header with 40 000 blanks took 1.4 s, 1 MB would hang).
  let out = '';
  let from = 0;
  for (let lf = s.indexOf('\n'); lf >= 0; lf = s.indexOf('\n', from)) {
    let a = lf;
    if (a > from && s.charCodeAt(a - 1) === 0x0d) a--;
    while (a > from && isWsp(s.charCodeAt(a - 1))) a--;
    let b = lf + 1;
    while (b < s.length && isWsp(s.charCodeAt(b))) b++;
    out += s.slice(from, a) + ' ';
    from = b;
  }
  return out + s.slice(from);
}

/** Removes the surrounding quotes and resolves quoted-pairs; folds become one SP. */
export function unquote(raw: string): string {
  if (raw.length < 2 || raw.charCodeAt(0) !== 0x22 || raw.charCodeAt(raw.length - 1) !== 0x22) return unfold(raw);
  const inner = unfold(raw.slice(1, -1));
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else out += c;
  }
  return out;
}

/**
 * Quotes a string as a quoted-string (RFC 3261 §25.1): `"`, `\` and control characters other
 * than HTAB become quoted-pairs (qdtext allows none of them). CR and LF cannot be escaped at all;
 * callers replace them first.
 */
export function quote(s: string): string {
  // eslint-disable-next-line no-control-regex
  return '"' + s.replace(/[\\"\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (m) => '\\' + m) + '"';
}

/** Printable form of one char for problem messages. */
export function describeChar(c: number): string {
  if (c < 0x20 || c === 0x7f) return `control character 0x${c.toString(16).padStart(2, '0').toUpperCase()}`;
  if (c === 0x20) return 'a space';
  if (c === 0x09) return 'a tab';
  return `'${String.fromCharCode(c)}'`;
}

// ---------------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------------

/** Where scanners put what they find wrong. `undefined` means the caller does not care. */
export type ProblemOut = SipParseProblem[] | undefined;

/** Problems kept in one list; past it they are only counted (hostile input: `;;;;...` x 10 MB). */
export const MAX_PROBLEMS = 500;

/** A problem list that counts what it drops past MAX_PROBLEMS. */
type CountingList = SipParseProblem[] & { dropped?: number };

/** Appends with the cap; returns false when the problem was only counted. */
export function pushProblem(out: SipParseProblem[], p: SipParseProblem): boolean {
  if (out.length >= MAX_PROBLEMS) {
    const c = out as CountingList;
    c.dropped = (c.dropped ?? 0) + 1;
    return false;
  }
  out.push(p);
  return true;
}

/** Appends every problem of `from` (and its drop count) to `out`, with the cap. */
export function addProblems(out: SipParseProblem[], from: SipParseProblem[]): void {
  for (const p of from) pushProblem(out, p);
  const d = droppedProblems(from);
  if (d > 0) {
    const c = out as CountingList;
    c.dropped = (c.dropped ?? 0) + d;
  }
}

/** How many problems `pushProblem` dropped from this list. */
export function droppedProblems(out: SipParseProblem[]): number {
  return (out as CountingList).dropped ?? 0;
}

export function report(
  out: ProblemOut,
  start: number,
  end: number,
  message: string,
  severity: SipParseProblem['severity'] = 'error',
  code = PARSE_ERROR,
): void {
  if (!out) return;
  pushProblem(out, { code, message, severity, span: { start, end: Math.max(end, start) } });
}

// ---------------------------------------------------------------------------------------------
// Parameters (`;name[=value]`, RFC 3261 §19.1.1 uri-parameter, §25.1 generic-param)
// ---------------------------------------------------------------------------------------------

/**
 * 'header': generic-param after a header value: SWS allowed around `;` and `=` (SEMI/EQUAL),
 * value = token / host / quoted-string.
 * 'uri': uri-parameter inside a URI: no whitespace, chars = paramchar, no quoted strings.
 */
export type ParamMode = 'header' | 'uri';

function isParamNameChar(c: number, mode: ParamMode): boolean {
  return mode === 'header' ? has(c, TOKEN) : has(c, UNRESERVED | PARAM_EXTRA) || c === 0x25;
}
/** Allowed in an unquoted value: token or host (incl. IPv6 with or without brackets). */
function isHeaderValueChar(c: number): boolean {
  return has(c, TOKEN) || c === 0x3a || c === 0x5b || c === 0x5d;
}
function isUriParamValueChar(c: number): boolean {
  return has(c, UNRESERVED | PARAM_EXTRA) || c === 0x25;
}

/**
 * Parses `;a=b;c` over `[p, end)` into `out`. Every character of the range is accounted for:
 * empty parameters (`;;`), bad characters and stray text are reported and skipped, so a caller
 * can pass the exact end of the value. At most MAX_PARAMS are kept (a warning says so).
 */
export function parseParamsInto(
  text: string,
  p: number,
  end: number,
  mode: ParamMode,
  out: SipParam[],
  problems: ProblemOut,
): void {
  const header = mode === 'header';
  const what = header ? 'parameter' : 'URI parameter';
  let capped = false;
  let empty = 0;
  let firstEmpty = -1;
  while (p < end) {
    if (header) p = skipLws(text, p, end);
    if (p >= end) break;
    if (text.charCodeAt(p) !== 0x3b) {
      // Stray text where `;` or the end was expected: report once, resume at the next `;`.
      const stop = findParamSeparator(text, p, end);
      report(problems, p, stop, `unexpected ${describeChar(text.charCodeAt(p))} where ';' or the end of the value was expected`);
      p = stop;
      continue;
    }
    const semi = p;
    p++;
    if (header) p = skipLws(text, p, end);
    const nameStart = p;
    while (p < end && isParamNameChar(text.charCodeAt(p), mode)) p++;
    const nameEnd = p;
    if (nameStart === nameEnd) {
      const c = p < end ? text.charCodeAt(p) : -1;
      if (c === -1 || c === 0x3b) {
        // the first empty parameter is located; the others are counted (`;;;` x 10 MB stays cheap)
        if (empty++ === 0) {
          firstEmpty = semi;
          report(problems, semi, semi + 1, `empty ${what}: ';' is followed by ${c === -1 ? 'nothing' : 'another \';\''}`);
        }
      } else {
        const stop = findParamSeparator(text, p, end);
        report(problems, p, stop, `${what} name expected after ';' but found ${describeChar(c)}`);
        p = stop;
      }
      continue;
    }
    let q = header ? skipLws(text, p, end) : p;
    let value: string | undefined;
    let valueSpan: Span | undefined;
    let unquoted: string | undefined;
    if (q < end && text.charCodeAt(q) === 0x3d) {
      q++;
      if (header) q = skipLws(text, q, end);
      const vs = q;
      if (header && q < end && text.charCodeAt(q) === 0x22) {
        const qe = scanQuoted(text, q, end);
        if (qe < 0) {
          report(problems, q, end, `unterminated quoted string in the value of ${what} '${text.slice(nameStart, nameEnd)}'`);
          q = end;
        } else q = qe;
      } else {
        let bad = false;
        while (q < end) {
          const c = text.charCodeAt(q);
          if (c === 0x3b || isLws(c)) break;
          if (bad) {
            // one problem per value is enough; keep scanning to find its end
          } else if (!(header ? isHeaderValueChar(c) : isUriParamValueChar(c))) {
            bad = true;
            report(
              problems,
              q,
              q + 1,
              `${describeChar(c)} is not allowed in the unquoted value of ${what} '${text.slice(nameStart, nameEnd)}'` +
                (header ? ' (token, host or quoted-string expected)' : ''),
            );
          } else if (c === 0x25 && !header && !isEscape(text, q, end)) {
            bad = true;
            report(problems, q, Math.min(q + 3, end), `'%' not followed by two hex digits in ${what} '${text.slice(nameStart, nameEnd)}'`);
          }
          q++;
        }
      }
      if (q === vs) {
        report(problems, semi, q, `${what} '${text.slice(nameStart, nameEnd)}' has '=' but no value`);
      }
      value = text.slice(vs, q);
      valueSpan = { start: vs, end: q };
      unquoted = value.charCodeAt(0) === 0x22 ? unquote(value) : unfold(value);
      p = q;
    } else {
      p = nameEnd;
    }
    if (out.length >= MAX_PARAMS) {
      if (!capped) report(problems, semi, end, `more than ${MAX_PARAMS} parameters; the rest are not kept`, 'warning');
      capped = true;
      continue;
    }
    const param: SipParam = {
      name: text.slice(nameStart, nameEnd),
      span: { start: nameStart, end: p },
      nameSpan: { start: nameStart, end: nameEnd },
    };
    if (value !== undefined) {
      param.value = value;
      param.unquoted = unquoted;
      param.valueSpan = valueSpan;
    }
    out.push(param);
  }
  if (empty > 1) report(problems, firstEmpty, end, `${empty - 1} more empty ${what}s (';' followed by ';' or nothing)`);
}

/** Next `;` outside quotes in `[p, end)`, or `end`. */
function findParamSeparator(text: string, p: number, end: number): number {
  while (p < end) {
    const c = text.charCodeAt(p);
    if (c === 0x3b) return p;
    if (c === 0x22) {
      const q = scanQuoted(text, p, end);
      if (q < 0) return end;
      p = q;
    } else p++;
  }
  return end;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
/** `%` HEXDIG HEXDIG at p, inside `[p, end)`. */
function isEscape(text: string, p: number, end: number): boolean {
  return p + 3 <= end && isHex(text.charCodeAt(p + 1)) && isHex(text.charCodeAt(p + 2));
}

/** indexOf bounded to `[p, end)`: an unbounded search over a huge text would make scans quadratic. */
export function indexIn(text: string, ch: number, p: number, end: number): number {
  for (; p < end; p++) if (text.charCodeAt(p) === ch) return p;
  return -1;
}

/** Header-style parameters over `[start, end)` (SWS around `;` and `=`, quoted values). */
export function parseParams(text: string, start: number, end: number): SipParam[] {
  const out: SipParam[] = [];
  parseParamsInto(text, start, Math.min(end, text.length), 'header', out, undefined);
  return out;
}

/** First parameter with this name, compared case-insensitively (RFC 3261 §7.3.1). */
export function paramValue(params: readonly SipParam[], name: string): SipParam | undefined {
  const lower = name.toLowerCase();
  for (const p of params) if (p.name.length === lower.length && p.name.toLowerCase() === lower) return p;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// URIs
// ---------------------------------------------------------------------------------------------

/** What `parseUri` returns: a SipUri plus the password of `user:password@` when present. */
export interface ParsedUri extends SipUri {
  password?: string;
}

/** Parses the URI at `span` of `text` (no surrounding whitespace expected). */
export function parseUri(text: string, span: Span): SipUri {
  return parseUriAt(text, span.start, span.end, undefined);
}

/**
 * Parses a URI over `[start, end)`. sip/sips: `user[:password]@host[:port];params?headers`
 * (RFC 3261 §19.1.1); tel: number and params (RFC 3966); anything else is kept opaque, with the
 * host and port of a `//authority` when there is one.
 */
export function parseUriAt(text: string, start: number, end: number, problems: ProblemOut): ParsedUri {
  const uri: ParsedUri = { text: text.slice(start, end), span: { start, end }, scheme: '', params: [] };
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
  let p = start;
  while (p < end) {
    const c = text.charCodeAt(p);
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (p > start && (isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e));
    if (!ok) break;
    p++;
  }
  if (p === start || p >= end || text.charCodeAt(p) !== 0x3a) {
    if (start >= end) report(problems, start, end, 'empty URI');
    else report(problems, start, end, `'${clip(uri.text)}' is not a URI: no scheme (such as 'sip:') before ':'`);
    return uri;
  }
  uri.scheme = text.slice(start, p).toLowerCase();
  p++;
  for (let i = p; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isLws(c) || c < 0x20 || c === 0x7f) {
      report(problems, i, i + 1, `${describeChar(c)} inside URI '${clip(uri.text)}'`);
      break;
    }
  }
  if (uri.scheme === 'sip' || uri.scheme === 'sips') parseSipUriRest(text, p, end, uri, problems);
  else if (uri.scheme === 'tel') parseTelUriRest(text, p, end, uri, problems);
  else if (text.startsWith('//', p)) {
    let a = p + 2;
    let ae = a;
    while (ae < end && !'/?#'.includes(text[ae])) ae++;
    for (let i = ae - 1; i >= a; i--) {
      if (text.charCodeAt(i) === 0x40) {
        a = i + 1;
        break;
      }
    }
    parseHostPort(text, a, ae, uri, undefined);
  }
  return uri;
}

function clip(s: string): string {
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

function parseSipUriRest(text: string, p: number, end: number, uri: ParsedUri, problems: ProblemOut): void {
  // userinfo ends at the first '@': neither host, params nor headers may hold an unescaped '@'.
  const at = indexIn(text, 0x40, p, end);
  if (at >= 0) {
    let colon = -1;
    for (let i = p; i < at; i++) {
      if (text.charCodeAt(i) === 0x3a) {
        colon = i;
        break;
      }
    }
    const userEnd = colon >= 0 ? colon : at;
    if (userEnd === p) report(problems, p, at + 1, `empty user part before '@' in URI '${clip(uri.text)}'`);
    checkChars(text, p, userEnd, UNRESERVED | USER_EXTRA, 'the user part', uri, problems);
    uri.user = text.slice(p, userEnd);
    if (colon >= 0) {
      checkChars(text, colon + 1, at, UNRESERVED | PASS_EXTRA, 'the password', uri, problems);
      uri.password = text.slice(colon + 1, at);
    }
    p = at + 1;
  }
  // hostport up to the first ';' or '?' (an IPv6 reference is bracketed, so its ':' do not count)
  let q = p;
  if (q < end && text.charCodeAt(q) === 0x5b) {
    const rb = indexIn(text, 0x5d, q, end);
    q = rb >= 0 ? rb + 1 : end;
  }
  while (q < end) {
    const c = text.charCodeAt(q);
    if (c === 0x3b || c === 0x3f) break;
    q++;
  }
  parseHostPort(text, p, q, uri, problems);
  if (uri.host === undefined || uri.host === '') report(problems, p, q, `missing host in URI '${clip(uri.text)}'`);
  let paramsEnd = end;
  const qm = indexIn(text, 0x3f, q, end);
  if (qm >= 0) {
    paramsEnd = qm;
    uri.headers = text.slice(qm + 1, end);
    checkHeaders(text, qm + 1, end, uri, problems);
  }
  if (q < paramsEnd) parseParamsInto(text, q, paramsEnd, 'uri', uri.params, problems);
}

function parseTelUriRest(text: string, p: number, end: number, uri: ParsedUri, problems: ProblemOut): void {
  let q = p;
  while (q < end && text.charCodeAt(q) !== 0x3b) q++;
  if (q === p) report(problems, p, p, `missing number in tel URI '${clip(uri.text)}'`);
  uri.user = text.slice(p, q);
  if (q < end) parseParamsInto(text, q, end, 'uri', uri.params, problems);
}

/** host [":" port] over `[p, end)`; host may be an IPv6 reference. */
function parseHostPort(text: string, p: number, end: number, uri: ParsedUri, problems: ProblemOut): void {
  let hostEnd: number;
  if (p < end && text.charCodeAt(p) === 0x5b) {
    const rb = indexIn(text, 0x5d, p, end);
    if (rb < 0) {
      report(problems, p, end, `IPv6 reference '${text.slice(p, end)}' has no closing ']'`);
      uri.host = text.slice(p, end);
      return;
    }
    hostEnd = rb + 1;
    const ip = text.slice(p + 1, rb);
    if (!isIPv6(ip)) report(problems, p, hostEnd, `'${ip}' is not a valid IPv6 address (RFC 5118 §4.10; RFC 4291 §2.2)`);
  } else {
    hostEnd = p;
    while (hostEnd < end && text.charCodeAt(hostEnd) !== 0x3a) hostEnd++;
    for (let i = p; i < hostEnd; i++) {
      const c = text.charCodeAt(i);
      if (!has(c, HOST)) {
        report(problems, i, i + 1, `${describeChar(c)} is not allowed in host '${clip(text.slice(p, hostEnd))}'` + (c === 0x3a ? '' : ' (hostname, IPv4 address or [IPv6] expected)'));
        break;
      }
    }
  }
  uri.host = text.slice(p, hostEnd);
  if (hostEnd < end) {
    if (text.charCodeAt(hostEnd) !== 0x3a) {
      report(problems, hostEnd, end, `unexpected '${clip(text.slice(hostEnd, end))}' after host '${uri.host}'`);
      return;
    }
    const ps = hostEnd + 1;
    let pe = ps;
    while (pe < end && isDigit(text.charCodeAt(pe))) pe++;
    if (pe === ps || pe !== end) {
      const portText = text.slice(ps, end);
      report(
        problems,
        ps,
        end,
        portText === ''
          ? `empty port after ':' in '${clip(text.slice(p, end))}'`
          : `port '${clip(portText)}' is not a number` + (uri.host && /^[0-9a-f]{1,4}$/i.test(uri.host) ? ' (an IPv6 address must be enclosed in [ ], RFC 5118 §4.2)' : ''),
      );
      return;
    }
    const port = pe - ps > 6 ? Infinity : Number(text.slice(ps, pe));
    if (port > 65535) report(problems, ps, pe, `port ${clip(text.slice(ps, pe))} is out of range (0-65535)`);
    else uri.port = port;
  }
}

function checkChars(text: string, p: number, end: number, flags: number, what: string, uri: ParsedUri, problems: ProblemOut): void {
  if (!problems) return;
  for (let i = p; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      if (!isEscape(text, i, end)) {
        report(problems, i, Math.min(i + 3, end), `'%' not followed by two hex digits in ${what} of URI '${clip(uri.text)}'`);
        return;
      }
      i += 2;
    } else if (!has(c, flags)) {
      report(problems, i, i + 1, `${describeChar(c)} is not allowed in ${what} of URI '${clip(uri.text)}' (escape it as %${c.toString(16).padStart(2, '0').toUpperCase()})`);
      return;
    }
  }
}

function checkHeaders(text: string, p: number, end: number, uri: ParsedUri, problems: ProblemOut): void {
  if (!problems) return;
  for (let i = p; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d || c === 0x26) continue;
    if (c === 0x25) {
      if (!isEscape(text, i, end)) {
        report(problems, i, Math.min(i + 3, end), `'%' not followed by two hex digits in the headers of URI '${clip(uri.text)}'`);
        return;
      }
      i += 2;
    } else if (!has(c, UNRESERVED | HNV_EXTRA)) {
      report(problems, i, i + 1, `${describeChar(c)} is not allowed in the headers of URI '${clip(uri.text)}'`);
      return;
    }
  }
}

/** RFC 4291 §2.2 text form, including the embedded-IPv4 tail (RFC 5118 §4.9, §4.10). */
export function isIPv6(s: string): boolean {
  if (s.length < 2 || s.length > 45) return false;
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  const parts = (x: string): string[] | undefined => (x === '' ? [] : x.split(':'));
  const head = dbl >= 0 ? parts(s.slice(0, dbl)) : parts(s);
  const tail = dbl >= 0 ? parts(s.slice(dbl + 2)) : [];
  if (!head || !tail) return false;
  const all = [...head, ...tail];
  let groups = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (i === all.length - 1 && g.includes('.')) {
      if (!isIPv4(g)) return false;
      groups += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) groups++;
    else return false;
  }
  return dbl >= 0 ? groups <= 7 : groups === 8;
}

export function isIPv4(s: string): boolean {
  // Four groups of 1-3 digits, each at most 255, separated by '.', nothing else (read by hand:
  // every Via received= of every response comes here).
  const n = s.length;
  let p = 0;
  for (let group = 0; group < 4; group++) {
    if (group > 0) {
      if (p >= n || s.charCodeAt(p) !== 0x2e) return false;
      p++;
    }
    const start = p;
    let value = 0;
    while (p < n && p - start < 3 && isDigit(s.charCodeAt(p))) value = value * 10 + (s.charCodeAt(p++) - 0x30);
    if (p === start || value > 255) return false;
  }
  return p === n;
}
