/**
 * Header value parsers (RFC 3261 §20, §25.1; RFC 3840 §9 for Contact feature parameters).
 *
 * Each parser reads one header of a parsed message and returns values whose Spans index
 * `msg.text`, plus the problems it met. They never throw. `parseSipMessage` runs the same parsers
 * over every header the table knows, so `msg.problems` already holds these problems; the
 * returned `problems` tell a caller which value is affected.
 *
 * Bounds: a list keeps at most MAX_LIST_VALUES values and a value at most MAX_PARAMS
 * parameters, so a 10 MB header of commas cannot allocate millions of objects.
 */
import type { NameAddr, SipHeader, SipMessage, SipParam, SipParseProblem, Span, ViaValue } from '../types';
import { headerSpec, MAX_DELTA_SECONDS, type HeaderSpec } from './headerTable';
import {
  addProblems,
  describeChar,
  DUPLICATE_ERROR,
  indexIn,
  isDigit,
  isIPv4,
  isIPv6,
  isLws,
  isTokenChar,
  isWordChar,
  paramValue,
  parseParams,
  parseParamsInto,
  parseUri,
  parseUriAt,
  report,
  scanQuoted,
  scanToken,
  skipLws,
  skipLwsBack,
  unfold,
  unquote,
  type ProblemOut,
} from './uri';

export { paramValue, parseParams, parseUri };

/** Most values kept from one comma-separated header. */
export const MAX_LIST_VALUES = 10000;

// ---------------------------------------------------------------------------------------------
// Comma lists
// ---------------------------------------------------------------------------------------------

/**
 * Splits `[start, end)` on commas outside quoted strings and `<...>` (and outside comments when
 * `parens`), trimming LWS. Empty items (`a,,b`, a trailing comma) are reported, not returned,
 * unless the whole range is empty and `emptyOk`.
 */
export function splitList(
  text: string,
  start: number,
  end: number,
  problems: ProblemOut,
  what: string,
  opts?: { parens?: boolean; emptyOk?: boolean },
): Span[] {
  const out: Span[] = [];
  const s0 = skipLws(text, start, end);
  if (s0 >= end) {
    if (!(opts && opts.emptyOk)) report(problems, start, end, `empty ${what} value`);
    return out;
  }
  // Most values hold one item: without a comma anywhere the item is the trimmed range (what
  // the scan below finds too, quotes, '<>' and comments making no difference then).
  if (indexIn(text, 0x2c, s0, end) < 0) {
    out.push({ start: s0, end: skipLwsBack(text, s0, end) });
    return out;
  }
  // Hot (every list header): no closure, the option read once, one pass.
  const parens = !!(opts && opts.parens);
  let itemStart = start;
  let angle = false;
  let depth = 0;
  let capped = false;
  let empty = 0;
  let p = start;
  for (;;) {
    // The next separating comma at or after p, or -1 (the last item runs to `end`).
    let comma = -1;
    for (; p < end; p++) {
      const c = text.charCodeAt(p);
      if (c === 0x22) {
        const q = scanQuoted(text, p, end);
        if (q < 0) {
          p = end; // unterminated: the item parser reports it
          break;
        }
        p = q - 1;
      } else if (angle) {
        if (c === 0x3e) angle = false;
      } else if (c === 0x3c) angle = true;
      else if (parens && c === 0x28) depth++;
      else if (parens && c === 0x29 && depth > 0) depth--;
      else if (c === 0x2c && depth === 0) {
        comma = p;
        break;
      }
    }
    const itemEnd = comma >= 0 ? comma : end;
    const at = comma >= 0 ? comma : itemStart > start ? itemStart - 1 : start;
    let ts = itemStart;
    while (ts < itemEnd && isLws(text.charCodeAt(ts))) ts++;
    let te = itemEnd;
    while (te > ts && isLws(text.charCodeAt(te - 1))) te--;
    if (ts >= te) {
      // the first empty item is located; the others are counted (`,,,` x 10 MB stays cheap)
      if (empty++ === 0) report(problems, at, at + 1, `empty item in the comma-separated ${what} list`);
    } else if (out.length >= MAX_LIST_VALUES) {
      if (!capped) report(problems, ts, end, `more than ${MAX_LIST_VALUES} ${what} values; the rest are not kept`, 'warning');
      capped = true;
    } else out.push({ start: ts, end: te });
    if (comma < 0) break;
    itemStart = comma + 1;
    p = comma + 1;
  }
  if (empty > 1) report(problems, start, end, `${empty - 1} more empty items in the comma-separated ${what} list`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parse memo: the validation's results, for the first reader of the same header
// ---------------------------------------------------------------------------------------------

/*
 * parseSipMessage validates every header by parsing its value; the register facts then parse
 * Via, From, To, Contact, CSeq, credentials and token lists of the same message again (a third of
 * the checker's parsing). The results of the most recently validated message are kept here and
 * handed to the first caller that parses the same header object the same way, then forgotten:
 * each result object still has one owner, as a fresh parse gives (parsing is a pure function of
 * the message text and the header). Only the last message is held; other callers just parse.
 */
const MEMO_VIA = 1;
const MEMO_NAME_ADDR = 2;
const MEMO_NAME_ADDR_LIST = 3;
const MEMO_CSEQ = 4;
const MEMO_TOKEN_LIST = 5;
const MEMO_CREDENTIALS = 6;
/** Entries kept per message: lookups scan them, so a message of 10 000 Via rows stays linear. */
const MEMO_MAX = 48;
let memoMsg: SipMessage | undefined;
const memoHeaders: (SipHeader | undefined)[] = [];
const memoKinds: number[] = [];
const memoResults: unknown[] = [];

function memoPut(msg: SipMessage, h: SipHeader, kind: number, result: unknown): void {
  if (memoMsg !== msg) {
    memoMsg = msg;
    memoHeaders.length = 0;
    memoKinds.length = 0;
    memoResults.length = 0;
  }
  if (memoHeaders.length >= MEMO_MAX) return;
  memoHeaders.push(h);
  memoKinds.push(kind);
  memoResults.push(result);
}

/** The kept result for this header and kind, or undefined; `keep`: leave it for the next reader. */
function memoTake(msg: SipMessage, h: SipHeader, kind: number, keep = false): unknown {
  if (memoMsg !== msg) return undefined;
  for (let i = 0; i < memoHeaders.length; i++) {
    if (memoHeaders[i] === h && memoKinds[i] === kind) {
      const r = memoResults[i];
      if (!keep) {
        memoHeaders[i] = undefined;
        memoResults[i] = undefined;
      }
      return r;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// name-addr / addr-spec (RFC 3261 §20 preamble, §20.10, §20.20, §20.39; rule catalog P-4)
// ---------------------------------------------------------------------------------------------

/**
 * One `name-addr` / `addr-spec` with its header parameters over the trimmed range `[s, e)`.
 * `star`: whether `*` is allowed (Contact). Returns undefined when no URI can be read.
 */
export function parseNameAddrAt(text: string, s: number, e: number, star: boolean, problems: ProblemOut): NameAddr | undefined {
  const span = { start: s, end: e };
  if (text.charCodeAt(s) === 0x2a && !isUriStart(text, s + 1, e)) {
    // STAR (RFC 3261 §10.2.2): `Contact: *`, with no parameters.
    const rest = skipLws(text, s + 1, e);
    const na: NameAddr = { span, star: true, bracketed: false, params: [] };
    if (!star) report(problems, s, s + 1, "'*' is only allowed as the whole value of Contact (RFC 3261 §10.2.2)");
    if (rest < e) {
      report(problems, s, e, "'*' takes no parameters: write 'Contact: *' and give the expiry in the Expires header (RFC 3261 §10.2.2)");
      parseParamsInto(text, rest, e, 'header', na.params, undefined);
    }
    return na;
  }
  let p = s;
  let displayName: string | undefined;
  let displayNameSpan: Span | undefined;
  let lt = -1;
  if (text.charCodeAt(p) === 0x22) {
    const q = scanQuoted(text, p, e);
    if (q < 0) {
      report(problems, p, e, 'unterminated quoted string in the display name: the closing \'"\' is missing (RFC 3261 §25.1 quoted-string)');
      return undefined;
    }
    displayNameSpan = { start: p, end: q };
    displayName = unquote(text.slice(p, q));
    p = skipLws(text, q, e);
    if (p >= e || text.charCodeAt(p) !== 0x3c) {
      report(problems, p, e, "a quoted display name must be followed by '<URI>'");
      return undefined;
    }
    lt = p;
  } else {
    // name-addr when a '<' comes before the end (outside quoted parameter values).
    for (let i = p; i < e; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x3c) {
        lt = i;
        break;
      }
      if (c === 0x22) {
        const q = scanQuoted(text, i, e);
        if (q < 0) break;
        i = q - 1;
      }
    }
    if (lt > p) {
      const de = skipLwsBack(text, p, lt);
      displayNameSpan = { start: p, end: de };
      displayName = unfold(text.slice(p, de));
      for (let i = p; i < de; i++) {
        const c = text.charCodeAt(i);
        if (!isTokenChar(c) && !isLws(c)) {
          report(
            problems,
            i,
            i + 1,
            `display name '${clip(displayName)}' contains ${describeChar(c)}: a display name other than tokens separated by spaces must be quoted (RFC 3261 §25.1 display-name)`,
          );
          break;
        }
      }
    }
  }
  if (lt >= 0) {
    const gt = indexIn(text, 0x3e, lt + 1, e);
    if (gt < 0) {
      report(problems, lt, e, "'<' without a closing '>'");
      return undefined;
    }
    const us = skipLws(text, lt + 1, gt);
    const ue = skipLwsBack(text, us, gt);
    if (us > lt + 1 || ue < gt) {
      report(problems, lt, gt + 1, "whitespace inside '<' '>' around the URI is not allowed (RFC 3261 §25.1 name-addr, RFC 4475 §3.1.2.14)");
    }
    const uri = parseUriAt(text, us, ue, problems);
    if (!uri.scheme) return undefined;
    const na: NameAddr = { span, bracketed: true, uri, params: [] };
    if (displayName !== undefined && displayName !== '') {
      na.displayName = displayName;
      na.displayNameSpan = displayNameSpan;
    }
    parseParamsInto(text, gt + 1, e, 'header', na.params, problems);
    return na;
  }
  // addr-spec: the URI ends at the first ';' or LWS; every ';param' after it is a header
  // parameter (RFC 3261 §20 preamble), which is why a URI with ',', ';' or '?' needs '<>'.
  let ue = p;
  while (ue < e) {
    const c = text.charCodeAt(ue);
    if (c === 0x3b || isLws(c)) break;
    ue++;
  }
  const uri = parseUriAt(text, p, ue, problems);
  if (!uri.scheme) return undefined;
  const qm = indexIn(text, 0x3f, p, ue);
  if (qm >= 0) {
    report(problems, p, ue, `URI '${clip(uri.text)}' contains '?' (URI headers) and must be enclosed in '<' '>' (RFC 3261 §20; RFC 4475 §3.1.2.13)`);
  } else if (indexIn(text, 0x2c, p, ue) >= 0) {
    // Only a single-valued header gets here with a ',' (a list was split on it already).
    report(problems, p, ue, `URI '${clip(uri.text)}' contains ',' and must be enclosed in '<' '>' (RFC 3261 §20)`);
  }
  const na: NameAddr = { span, bracketed: false, uri, params: [] };
  parseParamsInto(text, ue, e, 'header', na.params, problems);
  return na;
}

function isUriStart(text: string, p: number, e: number): boolean {
  // `*` followed by scheme chars would be odd but is not STAR; STAR is `*` then LWS, `;` or end.
  return p < e && !isLws(text.charCodeAt(p)) && text.charCodeAt(p) !== 0x3b;
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/**
 * Comma-separated name-addr values (Contact, Route, Record-Route, Path, Service-Route, ...).
 * Splits outside quotes and `<>`; `Contact: *` gives one value with `star: true`.
 */
export function parseNameAddrList(msg: SipMessage, h: SipHeader): { values: NameAddr[]; problems: SipParseProblem[] } {
  const kept = memoTake(msg, h, MEMO_NAME_ADDR_LIST);
  if (kept !== undefined) return kept as { values: NameAddr[]; problems: SipParseProblem[] };
  const problems: SipParseProblem[] = [];
  const text = msg.text;
  const star = h.key === 'contact';
  const values: NameAddr[] = [];
  for (const item of splitList(text, h.valueSpan.start, h.valueSpan.end, problems, h.name)) {
    const v = parseNameAddrAt(text, item.start, item.end, star, problems);
    if (v) values.push(v);
  }
  if (star && values.length > 1 && values.some((v) => v.star)) {
    const st = values.find((v) => v.star)!;
    report(problems, st.span.start, st.span.end, "'*' cannot be combined with other Contact values (RFC 3261 §10.2.2)");
  }
  if (h.key === 'contact') for (const v of values) checkContactParams(v, problems);
  return { values, problems };
}

/** Contact `expires` (delta-seconds) and `q` (qvalue) parameters (RFC 3261 §20.10, §25.1). */
function checkContactParams(v: NameAddr, problems: SipParseProblem[]): void {
  const expires = paramValue(v.params, 'expires');
  if (expires) {
    const raw = expires.value ?? '';
    const span = expires.valueSpan ?? expires.span;
    if (!/^[0-9]+$/.test(raw)) {
      report(problems, span.start, span.end, `Contact expires='${clip(raw)}' is not a number of seconds (delta-seconds); a registrar treats it as 3600 (RFC 3261 §10.2.1.1)`);
    } else if (deltaValue(raw) > MAX_DELTA_SECONDS) {
      report(
        problems,
        span.start,
        span.end,
        `Contact expires=${clip(raw)} exceeds 2^32-1 (4294967295) seconds; a registrar may treat it as 2^32-1 (RFC 3261 §10.2.1.1, RFC 4475 §3.1.2.4)`,
        'warning',
      );
    }
  }
  const q = paramValue(v.params, 'q');
  if (q) {
    const raw = q.value ?? '';
    const span = q.valueSpan ?? q.span;
    if (!/^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(raw)) {
      report(problems, span.start, span.end, `Contact q='${clip(raw)}' is not a qvalue between 0 and 1 with at most 3 decimals (RFC 3261 §20.10, §25.1)`);
    }
  }
}

/**
 * One name-addr (From, To, Refer-To, ...). When the value is a comma list of several complete
 * addresses the header holds more than one value: SIP-PARSE-002, and the first is returned.
 */
export function parseNameAddr(msg: SipMessage, h: SipHeader): { value?: NameAddr; problems: SipParseProblem[] } {
  const kept = memoTake(msg, h, MEMO_NAME_ADDR);
  if (kept !== undefined) return kept as { value?: NameAddr; problems: SipParseProblem[] };
  const problems: SipParseProblem[] = [];
  const text = msg.text;
  const { start, end } = h.valueSpan;
  const items = splitList(text, start, end, undefined, h.name);
  if (items.length > 1) {
    const trial: SipParseProblem[] = [];
    const parsed = items.map((it) => parseNameAddrAt(text, it.start, it.end, false, trial));
    if (trial.length === 0 && parsed.every((v) => v !== undefined)) {
      report(
        problems,
        items[1].start,
        end,
        `${h.name} holds ${items.length} addresses; it takes exactly one (RFC 3261 §7.3.1, §20)`,
        'error',
        DUPLICATE_ERROR,
      );
      return { value: parsed[0], problems };
    }
  }
  const s = skipLws(text, start, end);
  if (s >= end) {
    report(problems, start, end, `empty ${h.name} value: an address is required`);
    return { problems };
  }
  const value = parseNameAddrAt(text, s, skipLwsBack(text, s, end), false, problems);
  return { value, problems };
}

// ---------------------------------------------------------------------------------------------
// Via (RFC 3261 §20.42, §25.1 via-parm; RFC 5118 §4.5)
// ---------------------------------------------------------------------------------------------

export function parseVia(msg: SipMessage, h: SipHeader): { values: ViaValue[]; problems: SipParseProblem[] } {
  const kept = memoTake(msg, h, MEMO_VIA);
  if (kept !== undefined) return kept as { values: ViaValue[]; problems: SipParseProblem[] };
  const problems: SipParseProblem[] = [];
  const values: ViaValue[] = [];
  for (const item of splitList(msg.text, h.valueSpan.start, h.valueSpan.end, problems, 'Via')) {
    const v = parseViaAt(msg.text, item.start, item.end, problems);
    if (v) values.push(v);
  }
  return { values, problems };
}

/** `sent-protocol LWS sent-by *(SEMI via-params)`; SLASH and COLON allow SWS around them. */
export function parseViaAt(text: string, s: number, e: number, problems: ProblemOut): ViaValue | undefined {
  // sent-protocol: three tokens separated by '/' (no closure, no array: every Via comes here)
  let name = '';
  let version = '';
  let transport = '';
  let p = s;
  for (let k = 0; k < 3; k++) {
    if (k > 0) {
      const q = skipLws(text, p, e);
      if (q >= e || text.charCodeAt(q) !== 0x2f) return viaNotProtocol(text, s, e, p, problems);
      p = skipLws(text, q + 1, e);
    }
    const te = scanToken(text, p, e);
    if (te === p) return viaNotProtocol(text, s, e, p, problems);
    const part = text.slice(p, te);
    if (k === 0) name = part;
    else if (k === 1) version = part;
    else transport = part;
    p = te;
  }
  const protocolEnd = p;
  if (name.toUpperCase() !== 'SIP' || version !== '2.0') {
    report(problems, s, protocolEnd, `Via sent-protocol is ${name}/${version}; only SIP/2.0 is defined (RFC 3261 §7.1)`, 'warning');
  }
  const hs = skipLws(text, p, e);
  if (hs >= e || text.charCodeAt(hs) === 0x3b) {
    report(problems, s, hs > s ? hs : e, `Via value has no sent-by host after ${name}/${version}/${transport} (RFC 3261 §20.42)`);
    return undefined;
  }
  if (hs === p) report(problems, p, p + 1, 'whitespace required between the Via sent-protocol and sent-by');
  // host: IPv6 reference or hostname/IPv4, up to ':' ';' or LWS
  let he = hs;
  if (text.charCodeAt(hs) === 0x5b) {
    const rb = indexIn(text, 0x5d, hs, e);
    he = rb < 0 ? e : rb + 1;
  } else {
    while (he < e) {
      const c = text.charCodeAt(he);
      if (c === 0x3a || c === 0x3b || isLws(c)) break;
      he++;
    }
  }
  const host = text.slice(hs, he);
  checkHost(text, hs, he, problems, 'Via sent-by');
  const via: ViaValue = { span: { start: s, end: e }, protocol: `${name}/${version}/${transport}`.toUpperCase(), transport: transport.toUpperCase(), host, params: [] };
  p = skipLws(text, he, e);
  if (p < e && text.charCodeAt(p) === 0x3a) {
    const ps = skipLws(text, p + 1, e);
    let pe = ps;
    while (pe < e && isDigit(text.charCodeAt(pe))) pe++;
    if (pe === ps) {
      while (pe < e && text.charCodeAt(pe) !== 0x3b && !isLws(text.charCodeAt(pe))) pe++;
      report(problems, p, Math.max(pe, p + 1), `Via sent-by port '${clip(text.slice(ps, pe))}' after '${host}:' is not a number (RFC 3261 §20.42)`);
    } else {
      const port = pe - ps > 6 ? Infinity : Number(text.slice(ps, pe));
      if (port > 65535) report(problems, ps, pe, `Via sent-by port ${clip(text.slice(ps, pe))} is out of range (0-65535)`);
      else via.port = port;
    }
    p = pe;
  }
  parseParamsInto(text, p, e, 'header', via.params, problems);
  for (const prm of via.params) {
    const n = prm.name.toLowerCase();
    const v = prm.value;
    const vs = prm.valueSpan ?? prm.span;
    if (n === 'received' && v !== undefined) {
      if (v.startsWith('[') && v.endsWith(']') && isIPv6(v.slice(1, -1))) {
        report(problems, vs.start, vs.end, `Via received=${v} is bracketed; RFC 3261 grammar wants a bare IPv6address (tolerated, RFC 5118 §4.5)`, 'info');
      } else if (!isIPv4(v) && !isIPv6(v)) {
        report(problems, vs.start, vs.end, `Via received='${clip(v)}' is not an IPv4 or IPv6 address (RFC 3261 §20.42)`);
      }
    } else if ((n === 'rport' && v !== undefined && v !== '') || (n === 'ttl' && v !== '')) {
      const max = n === 'ttl' ? 255 : 65535;
      if (v === undefined || !/^[0-9]{1,5}$/.test(v) || Number(v) > max) {
        report(problems, vs.start, vs.end, `Via ${n}${v === undefined ? '' : '=' + clip(v)} must be a number from 0 to ${max} (RFC 3261 §20.42; RFC 3581)`);
      }
    } else if (n === 'branch' && v === undefined) {
      report(problems, vs.start, vs.end, 'Via branch parameter without a value (RFC 3261 §20.42)');
    }
  }
  return via;
}

function viaNotProtocol(text: string, s: number, e: number, p: number, problems: ProblemOut): undefined {
  report(problems, s, Math.max(p, s + 1), `Via value '${clip(text.slice(s, e))}' does not start with a sent-protocol such as SIP/2.0/UDP (RFC 3261 §20.42)`);
  return undefined;
}

function checkHost(text: string, s: number, e: number, problems: ProblemOut, what: string): void {
  if (text.charCodeAt(s) === 0x5b) {
    if (text.charCodeAt(e - 1) !== 0x5d) report(problems, s, e, `${what} IPv6 reference has no closing ']'`);
    else if (!isIPv6(text.slice(s + 1, e - 1))) report(problems, s, e, `${what} '${text.slice(s + 1, e - 1)}' is not a valid IPv6 address`);
    return;
  }
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e;
    if (!ok) {
      report(problems, i, i + 1, `${describeChar(c)} is not allowed in ${what} host '${clip(text.slice(s, e))}'`);
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// CSeq (RFC 3261 §20.16, §8.1.1.5)
// ---------------------------------------------------------------------------------------------

export interface CSeqValue {
  /** Sequence number; may exceed 2^31-1 on bad input (then a problem says so). */
  num: number;
  method: string;
  span: Span;
  numSpan: Span;
  methodSpan: Span;
}

/** The first CSeq header of the message, or undefined when absent or unreadable. */
export function parseCSeq(msg: SipMessage): CSeqValue | undefined {
  const h = firstByKey(msg, 'cseq');
  return h ? parseCSeqHeader(msg, h).value : undefined;
}

/** The first CSeq for a caller that keeps nothing of it (the parser's method check): the kept result stays for the next reader. */
export function peekCSeq(msg: SipMessage): CSeqValue | undefined {
  const h = firstByKey(msg, 'cseq');
  if (!h) return undefined;
  const kept = memoTake(msg, h, MEMO_CSEQ, true) as { value?: CSeqValue } | undefined;
  return kept !== undefined ? kept.value : parseCSeqHeader(msg, h).value;
}

export function parseCSeqHeader(msg: SipMessage, h: SipHeader): { value?: CSeqValue; problems: SipParseProblem[] } {
  const kept = memoTake(msg, h, MEMO_CSEQ);
  if (kept !== undefined) return kept as { value?: CSeqValue; problems: SipParseProblem[] };
  const problems: SipParseProblem[] = [];
  const text = msg.text;
  const { start, end } = h.valueSpan;
  let p = start;
  while (p < end && isDigit(text.charCodeAt(p))) p++;
  if (p === start) {
    report(problems, start, end, `CSeq '${clip(h.value)}' must start with a sequence number (RFC 3261 §20.16)`);
    return { problems };
  }
  const numSpan = { start, end: p };
  const digits = text.slice(start, p);
  const num = deltaValue(digits);
  if (num > 2147483647) {
    report(problems, start, p, `CSeq number ${clip(digits)} is too large: it must be less than 2^31 (RFC 3261 §8.1.1.5, RFC 4475 §3.1.2.4)`);
  }
  const ms = skipLws(text, p, end);
  if (ms === p || ms >= end) {
    report(problems, start, end, `CSeq '${clip(h.value)}' needs a method after the number, separated by whitespace (RFC 3261 §20.16)`);
    return { problems };
  }
  const me = scanToken(text, ms, end);
  if (me === ms) {
    report(problems, ms, end, `CSeq method '${clip(text.slice(ms, end))}' is not a token (RFC 3261 §20.16)`);
    return { problems };
  }
  if (me < end) report(problems, me, end, `unexpected '${clip(text.slice(me, end))}' after the CSeq method`);
  return {
    value: { num, method: text.slice(ms, me), span: { start, end: me }, numSpan, methodSpan: { start: ms, end: me } },
    problems,
  };
}

/** Decimal value of a digit string; very long strings give Infinity rather than a wrong number. */
export function deltaValue(digits: string): number {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i++;
  return digits.length - i > 20 ? Infinity : Number(digits.slice(i));
}

function firstByKey(msg: SipMessage, key: string): SipHeader | undefined {
  for (const h of msg.headers) if (h.key === key) return h;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Token lists (Require, Proxy-Require, Supported, Unsupported, Allow, ...; rule P-8)
// ---------------------------------------------------------------------------------------------

export function parseTokenList(msg: SipMessage, h: SipHeader): { token: string; span: Span }[] {
  return parseTokenListWithProblems(msg, h).values;
}

export function parseTokenListWithProblems(msg: SipMessage, h: SipHeader): { values: { token: string; span: Span }[]; problems: SipParseProblem[] } {
  const kept = memoTake(msg, h, MEMO_TOKEN_LIST);
  if (kept !== undefined) return kept as { values: { token: string; span: Span }[]; problems: SipParseProblem[] };
  const problems: SipParseProblem[] = [];
  const text = msg.text;
  const spec = headerSpec(h.key);
  const values: { token: string; span: Span }[] = [];
  for (const item of splitList(text, h.valueSpan.start, h.valueSpan.end, problems, h.name, { emptyOk: spec?.emptyOk })) {
    for (let i = item.start; i < item.end; i++) {
      const c = text.charCodeAt(i);
      if (!isTokenChar(c)) {
        report(problems, i, i + 1, `${h.name} item '${clip(text.slice(item.start, item.end))}' contains ${describeChar(c)}; items are tokens separated by commas (RFC 3261 §25.1)`);
        break;
      }
    }
    values.push({ token: text.slice(item.start, item.end), span: item });
  }
  return { values, problems };
}

// ---------------------------------------------------------------------------------------------
// User-Agent / Server (RFC 3261 §20.41, §20.35, §25.1 server-val; rule P-9)
// ---------------------------------------------------------------------------------------------

export interface ProductValue {
  /** Product token, or for a comment its text without the outer parentheses. */
  product: string;
  version?: string;
  span: Span;
  isComment: boolean;
}

export function parseProducts(msg: SipMessage, h: SipHeader): ProductValue[] {
  return parseProductsWithProblems(msg, h).values;
}

/** `server-val *(LWS server-val)`, server-val = product / comment, product = token [SLASH token]. */
export function parseProductsWithProblems(msg: SipMessage, h: SipHeader): { values: ProductValue[]; problems: SipParseProblem[] } {
  const problems: SipParseProblem[] = [];
  const values: ProductValue[] = [];
  const text = msg.text;
  const { start, end } = h.valueSpan;
  let p = skipLws(text, start, end);
  if (p >= end) report(problems, start, end, `empty ${h.name}: at least one product or comment is required (RFC 3261 §20.41)`);
  while (p < end && values.length < MAX_LIST_VALUES) {
    const c = text.charCodeAt(p);
    if (c === 0x28) {
      const ce = scanComment(text, p, end);
      if (ce < 0) {
        report(problems, p, end, `unterminated comment in ${h.name}: '(' without a matching ')' (RFC 3261 §25.1 comment)`);
        values.push({ product: text.slice(p + 1, end), span: { start: p, end }, isComment: true });
        break;
      }
      values.push({ product: text.slice(p + 1, ce - 1), span: { start: p, end: ce }, isComment: true });
      p = skipLws(text, ce, end);
      continue;
    }
    const ps = p;
    let pe = p;
    while (pe < end) {
      const d = text.charCodeAt(pe);
      if (isLws(d) || d === 0x2f || d === 0x28) break;
      pe++;
    }
    checkTokenChars(text, ps, pe, problems, `${h.name} product`);
    const prod: ProductValue = { product: text.slice(ps, pe), span: { start: ps, end: pe }, isComment: false };
    let q = skipLws(text, pe, end);
    if (q < end && text.charCodeAt(q) === 0x2f) {
      const vs = skipLws(text, q + 1, end);
      let ve = vs;
      while (ve < end) {
        const d = text.charCodeAt(ve);
        if (isLws(d) || d === 0x28) break;
        ve++;
      }
      if (ve === vs) report(problems, q, q + 1, `${h.name} product '${clip(prod.product)}' has '/' but no version`);
      else checkTokenChars(text, vs, ve, problems, `${h.name} product version`);
      prod.version = text.slice(vs, ve);
      prod.span = { start: ps, end: ve };
      q = ve;
    } else q = pe;
    if (pe === ps && prod.version === undefined) {
      // a lone '/' or similar: skip one char so the loop always advances
      q = Math.max(q, ps + 1);
    }
    values.push(prod);
    p = skipLws(text, q, end);
  }
  return { values, problems };
}

function checkTokenChars(text: string, s: number, e: number, problems: ProblemOut, what: string): void {
  if (s === e) {
    report(problems, s, e, `empty ${what}`);
    return;
  }
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (!isTokenChar(c)) {
      report(problems, i, i + 1, `${what} '${clip(text.slice(s, e))}' contains ${describeChar(c)}, which is not allowed in a token (RFC 3261 §25.1)`);
      return;
    }
  }
}

/** At '(', the index after the matching ')' (nested comments, quoted-pairs), or -1. */
export function scanComment(text: string, p: number, end: number): number {
  let depth = 0;
  for (let i = p; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x28) depth++;
    else if (c === 0x29) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Credentials and challenges (RFC 3261 §20.7, §20.27, §20.28, §20.44, §25.1; rule P-10)
// ---------------------------------------------------------------------------------------------

export function parseCredentials(msg: SipMessage, h: SipHeader): { scheme: string; schemeSpan: Span; params: SipParam[] } | undefined {
  return parseCredentialsWithProblems(msg, h).value;
}

/**
 * `auth-scheme LWS auth-param *(COMMA auth-param)`. The header row is never split into several
 * values: its commas separate the auth-params of one credential (RFC 3261 §7.3.1).
 */
export function parseCredentialsWithProblems(
  msg: SipMessage,
  h: SipHeader,
): { value?: { scheme: string; schemeSpan: Span; params: SipParam[] }; problems: SipParseProblem[] } {
  const kept = memoTake(msg, h, MEMO_CREDENTIALS);
  if (kept !== undefined) return kept as { value?: { scheme: string; schemeSpan: Span; params: SipParam[] }; problems: SipParseProblem[] };
  const problems: SipParseProblem[] = [];
  const text = msg.text;
  const { start, end } = h.valueSpan;
  const ss = skipLws(text, start, end);
  const se = scanToken(text, ss, end);
  if (se === ss) {
    report(problems, start, end, `${h.name} must start with an authentication scheme such as Digest (RFC 3261 §25.1)`);
    return { problems };
  }
  const value = { scheme: text.slice(ss, se), schemeSpan: { start: ss, end: se }, params: [] as SipParam[] };
  const ps = skipLws(text, se, end);
  if (ps < end && ps === se) {
    report(problems, se, se + 1, `whitespace required after the ${h.name} scheme '${value.scheme}'`);
  }
  if (ps >= end) {
    report(problems, ss, se, `${h.name} scheme '${value.scheme}' has no parameters (RFC 3261 §25.1 credentials)`);
    return { value, problems };
  }
  parseAuthParamsInto(text, ps, end, value.params, problems, h.name);
  return { value, problems };
}

/** `auth-param *(COMMA auth-param)`, auth-param = token EQUAL (token / quoted-string). */
export function parseAuthParamsInto(text: string, s: number, e: number, out: SipParam[], problems: ProblemOut, what: string): void {
  for (const item of splitList(text, s, e, problems, `${what} parameter`)) {
    if (out.length >= MAX_LIST_VALUES) break;
    const ne = scanToken(text, item.start, item.end);
    if (ne === item.start) {
      report(problems, item.start, item.end, `${what} parameter '${clip(text.slice(item.start, item.end))}' does not start with a name`);
      continue;
    }
    const prm: SipParam = { name: text.slice(item.start, ne), span: { start: item.start, end: item.end }, nameSpan: { start: item.start, end: ne } };
    let p = skipLws(text, ne, item.end);
    if (p >= item.end || text.charCodeAt(p) !== 0x3d) {
      report(problems, item.start, item.end, `${what} parameter '${clip(text.slice(item.start, item.end))}' must be name=value (RFC 3261 §25.1 auth-param)`);
      out.push(prm);
      continue;
    }
    p = skipLws(text, p + 1, item.end);
    let ve = item.end;
    if (text.charCodeAt(p) === 0x22) {
      const q = scanQuoted(text, p, item.end);
      if (q < 0) report(problems, p, item.end, `unterminated quoted string in ${what} parameter '${prm.name}'`);
      else {
        ve = q;
        if (q < item.end) report(problems, q, item.end, `unexpected '${clip(text.slice(q, item.end))}' after the quoted value of ${what} parameter '${prm.name}'`);
      }
    } else {
      for (let i = p; i < item.end; i++) {
        if (!isTokenChar(text.charCodeAt(i))) {
          report(problems, i, i + 1, `${describeChar(text.charCodeAt(i))} in the unquoted value of ${what} parameter '${prm.name}'; quote the value (RFC 3261 §25.1 auth-param)`);
          break;
        }
      }
    }
    if (p >= ve) report(problems, item.start, item.end, `${what} parameter '${prm.name}' has '=' but no value`);
    prm.value = text.slice(p, ve);
    prm.unquoted = unquote(prm.value);
    prm.valueSpan = { start: p, end: ve };
    out.push(prm);
  }
}

// ---------------------------------------------------------------------------------------------
// token *(;params), media types, `*;params` (Event, Content-Type, Accept, Accept-Contact, ...)
// ---------------------------------------------------------------------------------------------

export interface ParamValue {
  /** The leading token / media type / `*`, as written. */
  value: string;
  valueSpan: Span;
  span: Span;
  params: SipParam[];
}

/**
 * `value *(SEMI generic-param)` items. `kind`: 'token' (Event, Security-Client, Reason, ...),
 * 'media-type' (`type/subtype`), 'media-range' (also `*` wildcards), 'star' (`*` only).
 * `list`: comma-separated list.
 */
export function parseValueParams(
  msg: SipMessage,
  h: SipHeader,
  kind: 'token' | 'media-type' | 'media-range' | 'star' = 'token',
  list = true,
): { values: ParamValue[]; problems: SipParseProblem[] } {
  const problems: SipParseProblem[] = [];
  const text = msg.text;
  const spec = headerSpec(h.key);
  const values: ParamValue[] = [];
  const items = list
    ? splitList(text, h.valueSpan.start, h.valueSpan.end, problems, h.name, { emptyOk: spec?.emptyOk })
    : [{ start: skipLws(text, h.valueSpan.start, h.valueSpan.end), end: h.valueSpan.end }];
  if (!list && items[0].start >= items[0].end) {
    report(problems, h.valueSpan.start, h.valueSpan.end, `empty ${h.name} value`);
    return { values, problems };
  }
  for (const item of items) {
    let p = item.start;
    while (p < item.end) {
      const c = text.charCodeAt(p);
      if (c === 0x3b || isLws(c)) break;
      p++;
    }
    const raw = text.slice(item.start, p);
    const where = `${h.name} value '${clip(raw)}'`;
    if (kind === 'star') {
      if (raw !== '*') report(problems, item.start, Math.max(p, item.start + 1), `${where} must be '*' followed by parameters (RFC 3841 §10)`);
    } else if (kind === 'token') {
      checkTokenChars(text, item.start, p, problems, `${h.name} value`);
    } else {
      const slash = indexIn(text, 0x2f, item.start, p);
      const okRange = kind === 'media-range' && (raw === '*/*' || (slash > item.start && text.slice(slash + 1, p) === '*'));
      if (slash < 0) report(problems, item.start, Math.max(p, item.start + 1), `${where} is not a media type 'type/subtype' (RFC 3261 §20.15)`);
      else if (!okRange) {
        checkTokenChars(text, item.start, slash, problems, `${h.name} media type`);
        checkTokenChars(text, slash + 1, p, problems, `${h.name} media subtype`);
      }
    }
    const v: ParamValue = { value: raw, valueSpan: { start: item.start, end: p }, span: item, params: [] };
    parseParamsInto(text, p, item.end, 'header', v.params, problems);
    values.push(v);
  }
  return { values, problems };
}

// ---------------------------------------------------------------------------------------------
// Numbers (Expires, Min-Expires, Max-Forwards, Content-Length, Retry-After, RSeq)
// ---------------------------------------------------------------------------------------------

/**
 * `1*DIGIT` with the table's maximum. Above 2^32-1 for delta-seconds is a warning (a registrar
 * treats it as 2^32-1, RFC 3261 §10.2.1.1); above the maximum of an integer header is an error.
 */
export function parseNumberHeader(msg: SipMessage, h: SipHeader): { value?: number; problems: SipParseProblem[] } {
  const problems: SipParseProblem[] = [];
  const spec = headerSpec(h.key);
  const text = msg.text;
  const { start, end } = h.valueSpan;
  let p = start;
  while (p < end && isDigit(text.charCodeAt(p))) p++;
  if (p === start || (p < end && spec?.grammar !== 'retry-after')) {
    const hint = h.key === 'expires' || h.key === 'min-expires' ? '; a registrar treats a malformed Expires as 3600 (RFC 3261 §10.2.1.1)' : '';
    report(problems, start, end, `${h.name} '${clip(h.value)}' is not a non-negative integer (RFC 3261 §25.1: 1*DIGIT)${hint}`);
    return { problems };
  }
  const digits = text.slice(start, p);
  const value = deltaValue(digits);
  const max = spec?.max ?? MAX_DELTA_SECONDS;
  if (value > max) {
    const isDelta = spec?.grammar === 'delta-seconds' || spec?.grammar === 'retry-after';
    report(
      problems,
      start,
      p,
      isDelta
        ? `${h.name} ${clip(digits)} exceeds 2^32-1 (4294967295) seconds (RFC 3261 §20.19, RFC 4475 §3.1.2.4)`
        : `${h.name} ${clip(digits)} is out of range (0-${max}) (RFC 3261 §20${h.key === 'max-forwards' ? '.22' : ''}, RFC 4475 §3.1.2.4)`,
      isDelta ? 'warning' : 'error',
    );
  }
  if (spec?.grammar === 'retry-after' && p < end) {
    // [comment] *(SEMI params) (RFC 3261 §20.33; RFC 4028 for Session-Expires/Min-SE)
    let q = skipLws(text, p, end);
    if (q < end && text.charCodeAt(q) === 0x28) {
      const ce = scanComment(text, q, end);
      if (ce < 0) {
        report(problems, q, end, `unterminated comment in ${h.name}`);
        return { value, problems };
      }
      q = ce;
    }
    parseParamsInto(text, q, end, 'header', [], problems);
  }
  return { value, problems };
}

// ---------------------------------------------------------------------------------------------
// Call-ID, token, Date, Warning
// ---------------------------------------------------------------------------------------------

/** `word ["@" word]` (RFC 3261 §20.8, §25.1). */
export function checkCallId(text: string, s: number, e: number, problems: ProblemOut): void {
  if (s >= e) {
    report(problems, s, e, 'empty Call-ID (RFC 3261 §20.8)');
    return;
  }
  let at = -1;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x40) {
      if (at >= 0 || i === s || i === e - 1) {
        report(problems, i, i + 1, `Call-ID '${clip(text.slice(s, e))}' must be word or word@word (RFC 3261 §20.8)`);
        return;
      }
      at = i;
    } else if (!isWordChar(c)) {
      report(problems, i, i + 1, `${describeChar(c)} is not allowed in Call-ID '${clip(text.slice(s, e))}' (RFC 3261 §25.1 word)`);
      return;
    }
  }
}

const DATE_RE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** rfc1123-date, time zone GMT only (RFC 3261 §20.17, §25.1). */
export function checkDate(value: string, span: Span, problems: ProblemOut): void {
  if (value.length <= 40 && DATE_RE.test(value)) return;
  const tz = /\s([A-Za-z]{1,5}|[+-]\d{4})$/.exec(value.slice(-8));
  if (tz && tz[1] !== 'GMT') {
    report(problems, span.end - tz[1].length, span.end, `Date time zone must be GMT, not '${tz[1]}' (RFC 3261 §20.17, RFC 4475 §3.1.2.12)`);
  } else {
    report(problems, span.start, span.end, `Date '${clip(value)}' is not an RFC 1123 date such as 'Sat, 13 Nov 2010 23:29:00 GMT' (RFC 3261 §20.17)`);
  }
}

/** warning-value = warn-code SP warn-agent SP warn-text (RFC 3261 §20.43). */
export function checkWarning(text: string, s: number, e: number, problems: ProblemOut): void {
  let p = s;
  while (p < e && isDigit(text.charCodeAt(p))) p++;
  if (p - s !== 3) {
    report(problems, s, p > s ? p : Math.min(e, s + 1), `Warning code '${clip(text.slice(s, p > s ? p : e))}' must be exactly 3 digits (RFC 3261 §20.43, RFC 4475 §3.1.2.5)`);
    return;
  }
  const as = skipLws(text, p, e);
  let ae = as;
  while (ae < e && !isLws(text.charCodeAt(ae))) ae++;
  const ts = skipLws(text, ae, e);
  if (as === p || ae === as || ts >= e || text.charCodeAt(ts) !== 0x22) {
    report(problems, s, e, "Warning value must be: 3-digit code, agent, quoted text (e.g. 399 host \"text\") (RFC 3261 §20.43)");
    return;
  }
  const te = scanQuoted(text, ts, e);
  if (te < 0) report(problems, ts, e, 'unterminated quoted warn-text in Warning');
  else if (te < e) report(problems, te, e, `unexpected '${clip(text.slice(te, e))}' after the Warning text`);
}

// ---------------------------------------------------------------------------------------------
// Validation of one header by its grammar (used by parseSipMessage)
// ---------------------------------------------------------------------------------------------

const ONE_VALUE_GRAMMARS = new Set(['cseq', 'call-id', 'token', 'token-params', 'media-type', 'delta-seconds', 'integer', 'retry-after']);

/**
 * Checks one header against its table grammar and appends what is wrong to `problems`.
 * Single-valued headers given as a comma list are SIP-PARSE-002 (rule catalog P-2).
 */
export function validateHeader(msg: SipMessage, h: SipHeader, spec: HeaderSpec, problems: SipParseProblem[]): void {
  const text = msg.text;
  const header = h;
  // Without a comma there is at most one item: the split is skipped (it cost a pass a header).
  if (spec.single && ONE_VALUE_GRAMMARS.has(spec.grammar) && indexIn(text, 0x2c, h.valueSpan.start, h.valueSpan.end) >= 0) {
    const items = splitList(text, h.valueSpan.start, h.valueSpan.end, undefined, h.name, { parens: true, emptyOk: true });
    if (items.length > 1) {
      report(
        problems,
        items[1].start,
        h.valueSpan.end,
        `${h.name} holds ${items.length} comma-separated values; it takes exactly one (RFC 3261 §7.3.1)`,
        'error',
        DUPLICATE_ERROR,
      );
      // validate the first value only
      h = { ...h, valueSpan: { start: h.valueSpan.start, end: skipLwsBack(text, h.valueSpan.start, items[0].end) } };
      h.value = text.slice(h.valueSpan.start, h.valueSpan.end);
    }
  }
  // The parse result whose problems are added, and the memo kind when the facts read it again
  // (kept for them: the header as given only, a rewritten copy is never asked for).
  let r: { problems: SipParseProblem[] } | undefined;
  let kind = 0;
  switch (spec.grammar) {
    case 'name-addr':
      kind = MEMO_NAME_ADDR;
      r = parseNameAddr(msg, h);
      break;
    case 'name-addr-list':
      kind = MEMO_NAME_ADDR_LIST;
      r = parseNameAddrList(msg, h);
      break;
    case 'star-params-list':
      r = parseValueParams(msg, h, 'star');
      break;
    case 'via':
      kind = MEMO_VIA;
      r = parseVia(msg, h);
      break;
    case 'cseq':
      kind = MEMO_CSEQ;
      r = parseCSeqHeader(msg, h);
      break;
    case 'call-id':
      checkCallId(text, h.valueSpan.start, h.valueSpan.end, problems);
      break;
    case 'token':
      checkTokenChars(text, h.valueSpan.start, h.valueSpan.end, problems, h.name);
      break;
    case 'token-list':
      kind = MEMO_TOKEN_LIST;
      r = parseTokenListWithProblems(msg, h);
      break;
    case 'token-params':
      r = parseValueParams(msg, h, 'token', false);
      break;
    case 'token-params-list':
      r = parseValueParams(msg, h, 'token');
      break;
    case 'media-type':
      r = parseValueParams(msg, h, 'media-type', false);
      break;
    case 'media-range-list':
      r = parseValueParams(msg, h, 'media-range');
      break;
    case 'credentials':
      kind = MEMO_CREDENTIALS;
      r = parseCredentialsWithProblems(msg, h);
      break;
    case 'auth-params':
      parseAuthParamsInto(text, h.valueSpan.start, h.valueSpan.end, [], problems, h.name);
      break;
    case 'products':
      r = parseProductsWithProblems(msg, h);
      break;
    case 'delta-seconds':
    case 'integer':
    case 'retry-after':
      r = parseNumberHeader(msg, h);
      break;
    case 'date':
      checkDate(h.value, h.valueSpan, problems);
      break;
    case 'warning':
      for (const item of splitList(text, h.valueSpan.start, h.valueSpan.end, problems, h.name)) checkWarning(text, item.start, item.end, problems);
      break;
    case 'text':
      break;
  }
  if (r) {
    addProblems(problems, r.problems);
    if (kind !== 0 && h === header) memoPut(msg, h, kind, r);
  }
}
