/**
 * SIP message parser (RFC 3261 §7, §25): start line, header fields with exact offsets, body by
 * Content-Length. One pass over the header section in linear time, then every header the
 * grammar table knows is validated by its value grammar (values.ts), so `msg.problems` lists
 * everything wrong with the message, each with a catalog code (SIP-PARSE-001 / SIP-PARSE-002),
 * a precise message and the span to underline. Never throws.
 *
 * Tolerated on purpose (with an info problem): bare LF line endings, leading line breaks before
 * the start line (RFC 3261 §7.5), octets after the body (RFC 3261 §18.3: a UDP datagram may
 * carry extra octets; RFC 4475 §3.1.1.8), a header section not closed by an empty line (logs
 * often drop it).
 */
import type { SipHeader, SipMessage, SipParseProblem, Span, StartLine } from '../types';
import { canonicalHeaderKey, headerSpec } from './headerTable';
import { describeChar, droppedProblems, indexIn, isLws, isTokenChar, isWsp, parseUriAt, MAX_PROBLEMS, PARSE_ERROR, report, unfold } from './uri';
import { deltaValue, peekCSeq, validateHeader } from './values';

/** Header rows kept per message; the rest are counted and reported, not stored. */
export const MAX_HEADERS = 10000;

export interface ParseOptions {
  /** Validate every header value the table knows (default true). */
  validate?: boolean;
  /**
   * How Content-Length octets map onto `text`: 'latin1' = one char per octet (captures decode
   * bytes as latin1); 'utf8' = the text is decoded Unicode (logs), octets are counted as UTF-8.
   * Default: 'utf8' when the body holds a char above U+00FF, else 'latin1'.
   */
  octets?: 'latin1' | 'utf8';
}

/** Headers whose canonical key is `key` (any spelling works: 'm', 'Contact', 'contact'). */
export function headersOf(msg: SipMessage, key: string): SipHeader[] {
  const k = canonicalHeaderKey(key).key;
  const out: SipHeader[] = [];
  for (const h of msg.headers) if (h.key === k) out.push(h);
  return out;
}

/** The first header with this canonical key (any spelling), or undefined. */
export function firstHeader(msg: SipMessage, key: string): SipHeader | undefined {
  const k = canonicalHeaderKey(key).key;
  for (const h of msg.headers) if (h.key === k) return h;
  return undefined;
}

interface Line {
  start: number;
  /** End of content (CR of a CRLF excluded). */
  end: number;
  /** Start of the next line. */
  next: number;
  /** Ended by LF alone. */
  bareLf: boolean;
  /** Ended by the end of the text, with no line break. */
  eof: boolean;
}

function lineAt(text: string, p: number): Line {
  const lf = text.indexOf('\n', p);
  if (lf < 0) return { start: p, end: text.length, next: text.length, bareLf: false, eof: true };
  const cr = lf > p && text.charCodeAt(lf - 1) === 0x0d;
  return { start: p, end: cr ? lf - 1 : lf, next: lf + 1, bareLf: !cr, eof: false };
}

/** Parses one SIP message. Every Span in the result indexes `text`. Never throws. */
export function parseSipMessage(text: string, options: ParseOptions = {}): SipMessage {
  const problems: SipParseProblem[] = [];
  const msg: SipMessage = { text, headers: [], bodySpan: { start: text.length, end: text.length }, problems };
  try {
    parseInto(msg, problems, options);
  } catch (e) {
    // Defensive: a bug must not take the whole trace down. Report it as an unparseable message.
    report(problems, 0, Math.min(text.length, 1), `internal parser error: ${e instanceof Error ? e.message : String(e)}`);
  }
  const dropped = droppedProblems(problems);
  if (dropped > 0) {
    // Replace the last kept problem by a count, so the list stays at MAX_PROBLEMS.
    problems.length = MAX_PROBLEMS - 1;
    problems.push({ code: PARSE_ERROR, message: `${dropped + 1} more problems in this message are not listed`, severity: 'warning', span: { start: 0, end: 0 } });
  }
  // Safety net: every span inside the text, whatever a scanner computed at its very end.
  for (const p of problems) {
    if (p.span.end > text.length) p.span = { start: Math.min(p.span.start, text.length), end: text.length };
  }
  // A plain array (no counter property) for consumers: structuredClone, JSON, webview messages.
  msg.problems = problems.slice();
  return msg;
}

function parseInto(msg: SipMessage, problems: SipParseProblem[], options: ParseOptions): void {
  const text = msg.text;
  const n = text.length;
  let pos = 0;
  while (pos < n && (text.charCodeAt(pos) === 0x0d || text.charCodeAt(pos) === 0x0a)) pos++;
  if (pos > 0 && pos < n) report(problems, 0, pos, 'line breaks before the start line are ignored (RFC 3261 §7.5)', 'info');
  if (pos >= n) {
    report(problems, 0, n, 'empty message: no start line');
    return;
  }

  let bareLfCount = 0;
  let firstBareLf = -1;
  const noteLine = (l: Line): void => {
    if (l.bareLf) {
      if (bareLfCount === 0) firstBareLf = l.end;
      bareLfCount++;
    }
  };

  const first = lineAt(text, pos);
  noteLine(first);
  msg.startLine = parseStartLine(text, first.start, first.end, problems);
  pos = first.next;

  // Header section: one line at a time; a line starting with SP/HTAB continues the previous
  // header (folding, RFC 3261 §7.3.1), so a header's span runs to the end of its last line.
  let bodyStart = -1;
  let cur: { start: number; colon: number; nameEnd: number; end: number } | undefined;
  let droppedHeaders = 0;
  const finish = (): void => {
    if (!cur) return;
    if (msg.headers.length >= MAX_HEADERS) {
      if (droppedHeaders === 0) {
        report(problems, cur.start, cur.end, `more than ${MAX_HEADERS} header fields; this one and the rest are not parsed`, 'warning');
      }
      droppedHeaders++;
    } else {
      msg.headers.push(makeHeader(text, cur.start, cur.nameEnd, cur.colon, cur.end, problems));
    }
    cur = undefined;
  };
  if (!first.eof) {
    while (pos < n) {
      const line = lineAt(text, pos);
      if (line.start === line.end && !line.eof) {
        noteLine(line);
        bodyStart = line.next;
        break;
      }
      noteLine(line);
      const c0 = text.charCodeAt(line.start);
      if (isWsp(c0)) {
        if (cur) cur.end = line.end;
        else if (msg.headers.length === 0 && droppedHeaders === 0) {
          report(problems, line.start, line.end, 'a continuation line (starting with whitespace) cannot come before the first header field (RFC 3261 §7.3.1)');
        }
      } else {
        finish();
        // name = token, then optional WSP, then ':' (HCOLON, RFC 3261 §25.1). Every search is
        // bounded by the line, so the header section is read in linear time.
        let p = line.start;
        while (p < line.end && isTokenChar(text.charCodeAt(p))) p++;
        const nameEnd = p;
        while (p < line.end && isWsp(text.charCodeAt(p))) p++;
        if (p < line.end && text.charCodeAt(p) === 0x3a && nameEnd > line.start) {
          cur = { start: line.start, nameEnd, colon: p, end: line.end };
        } else {
          const colon = indexIn(text, 0x3a, nameEnd, line.end);
          if (colon >= 0) {
            const bad = text.charCodeAt(nameEnd);
            if (nameEnd === line.start && colon === line.start) {
              report(problems, line.start, line.start + 1, 'header field with an empty name');
            } else {
              report(problems, nameEnd, nameEnd + 1, `${describeChar(bad)} is not allowed in header name '${clip(text.slice(line.start, colon))}' (RFC 3261 §7.3.1: a header name is a token)`);
            }
            cur = { start: line.start, nameEnd: skipWspBack(text, line.start, colon), colon, end: line.end };
          } else {
            report(problems, line.start, line.end, `header line '${clip(text.slice(line.start, line.end))}' has no ':' (RFC 3261 §7.3.1)`);
          }
        }
      }
      pos = line.next;
    }
  }
  finish();
  if (droppedHeaders > 1) {
    report(problems, n, n, `${droppedHeaders} header fields beyond the first ${MAX_HEADERS} were not parsed`, 'warning');
  }
  if (bareLfCount > 0) {
    report(
      problems,
      firstBareLf,
      firstBareLf + 1,
      `${bareLfCount} line${bareLfCount > 1 ? 's end' : ' ends'} with a bare LF instead of CRLF (RFC 3261 §7; accepted as in logs)`,
      'info',
    );
  }
  if (bodyStart < 0) {
    report(problems, n, n, 'the header section is not terminated by an empty line (RFC 3261 §7); no body', 'info');
    msg.bodySpan = { start: n, end: n };
  }

  checkDuplicates(msg, problems);

  const validate = options.validate !== false;
  if (validate) {
    for (const h of msg.headers) {
      const spec = headerSpec(h.key);
      if (spec) validateHeader(msg, h, spec, problems);
    }
    // CSeq method must equal the request method (RFC 3261 §8.1.1.5, RFC 4475 §3.1.2.17-18).
    const sl = msg.startLine;
    if (sl?.kind === 'request') {
      const cseq = peekCSeq(msg);
      if (cseq && cseq.method !== sl.method) {
        report(
          problems,
          cseq.methodSpan.start,
          cseq.methodSpan.end,
          `CSeq method '${cseq.method}' does not match the request method '${sl.method}' (RFC 3261 §8.1.1.5)`,
        );
      }
    }
  }

  if (bodyStart >= 0) setBody(msg, bodyStart, problems, options, bareLfCount > 0);
}

function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function skipWspBack(text: string, start: number, e: number): number {
  while (e > start && isWsp(text.charCodeAt(e - 1))) e--;
  return e;
}

function makeHeader(text: string, start: number, nameEnd: number, colon: number, end: number, problems: SipParseProblem[]): SipHeader {
  const name = text.slice(start, nameEnd);
  const { key, compact } = canonicalHeaderKey(name);
  let vs = colon + 1;
  while (vs < end && isLws(text.charCodeAt(vs))) vs++;
  let ve = end;
  while (ve > vs && isLws(text.charCodeAt(ve - 1))) ve--;
  const raw = text.slice(vs, ve);
  checkValueChars(text, vs, ve, name, problems);
  return {
    name,
    key,
    compact,
    span: { start, end },
    nameSpan: { start, end: nameEnd },
    valueSpan: { start: vs, end: ve },
    value: unfold(raw),
  };
}

/**
 * Control characters (NUL, BEL, a CR not ending a line, ...) are not allowed in a header value
 * except inside a quoted string as a quoted-pair (RFC 3261 §25.1 TEXT-UTF8char, quoted-pair;
 * RFC 4475 §3.1.1.2 puts NUL/BEL/DEL in a display name that way). One problem per header.
 */
function checkValueChars(text: string, s: number, e: number, name: string, problems: SipParseProblem[]): void {
  let inQuote = false;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c !== 0x7f) {
      if (c === 0x22) inQuote = !inQuote;
      else if (c === 0x5c && inQuote && i + 1 < e) {
        const d = text.charCodeAt(i + 1);
        if (d !== 0x0d && d !== 0x0a) i++;
      }
      continue;
    }
    if (c === 0x09 || c === 0x0a) continue;
    if (c === 0x0d && i + 1 < e && text.charCodeAt(i + 1) === 0x0a) continue;
    report(problems, i, i + 1, `${describeChar(c)} in the value of header ${name}${c === 0 ? ' (NUL is only allowed escaped, e.g. %00 in a URI)' : ''}`);
    return;
  }
}

/** The rule catalog's P-2 list: repeating one of these is an error. */
const P2_SINGLE = new Set(['from', 'to', 'call-id', 'cseq', 'max-forwards', 'expires', 'content-length', 'content-type', 'user-agent', 'min-expires']);

/**
 * RFC 3261 §7.3.1 / rule P-2: a single-valued header given more than once is SIP-PARSE-002:
 * an error for the catalog's list, a warning for the other headers whose grammar allows one value.
 */
function checkDuplicates(msg: SipMessage, problems: SipParseProblem[]): void {
  const firstByKey = new Map<string, SipHeader>();
  for (const h of msg.headers) {
    const spec = headerSpec(h.key);
    if (!spec?.single) continue;
    const first = firstByKey.get(h.key);
    if (!first) {
      firstByKey.set(h.key, h);
      continue;
    }
    report(
      problems,
      h.span.start,
      h.span.end,
      `${spec.name} appears more than once (first at offset ${first.span.start}: '${clip(first.value)}', again: '${clip(h.value)}'); it is single-valued (RFC 3261 §7.3.1, §20)`,
      P2_SINGLE.has(h.key) ? 'error' : 'warning',
      'SIP-PARSE-002',
    );
  }
}

function setBody(msg: SipMessage, bodyStart: number, problems: SipParseProblem[], options: ParseOptions, bareLf: boolean): void {
  const text = msg.text;
  const n = text.length;
  msg.bodySpan = { start: bodyStart, end: n };
  const cls = msg.headers.filter((h) => h.key === 'content-length');
  if (cls.length === 0) return; // missing Content-Length is a rule (RFC3261-REG-022), not a parse problem
  const values = cls.map((h) => (/^[0-9]+$/.test(h.value) ? deltaValue(h.value) : undefined));
  if (values.some((v) => v === undefined)) {
    if (options.validate === false) report(problems, cls[0].valueSpan.start, cls[0].valueSpan.end, `Content-Length '${clip(cls[0].value)}' is not a non-negative integer`);
    return; // body runs to the end; validateHeader reported the bad value
  }
  if (values.some((v) => v !== values[0])) {
    report(
      problems,
      cls[1].valueSpan.start,
      cls[1].valueSpan.end,
      `conflicting Content-Length values ${values.join(' and ')}: the body length is unknown (RFC 4475 §3.3.9)`,
    );
    return;
  }
  const cl = values[0] as number;
  if (!Number.isSafeInteger(cl)) {
    // More than 2^53-1 octets (or more digits than deltaValue reads) is no length at all: no
    // contentLength, and the body runs to the end. validateHeader reported the range.
    if (options.validate === false) report(problems, cls[0].valueSpan.start, cls[0].valueSpan.end, `Content-Length '${clip(cls[0].value)}' is out of range`);
    return;
  }
  msg.contentLength = cl;
  const utf8 = options.octets === 'utf8' || (options.octets === undefined && hasWideChar(text, bodyStart, n));
  let m = measure(text, bodyStart, n, cl, utf8, false);
  const clh = cls[0];
  if (m.octets < cl && bareLf) {
    // Logs and converted files lose the CR of every CRLF while Content-Length still counts it:
    // when the body fits once each bare LF is counted as CRLF, measure it that way.
    const m2 = measure(text, bodyStart, n, cl, utf8, true);
    if (m2.octets >= cl) {
      m = m2;
      report(
        problems,
        clh.valueSpan.start,
        clh.valueSpan.end,
        `Content-Length ${cl} counts CRLF line ends; this text has bare LF line ends (a log or a converted file), so the body was measured counting each LF as CRLF`,
        'info',
      );
    }
  }
  if (m.octets < cl) {
    report(
      problems,
      clh.valueSpan.start,
      clh.valueSpan.end,
      `Content-Length is ${cl} but only ${m.octets} octets follow the header section: the message is truncated or the length is wrong (RFC 3261 §18.3, §20.14; RFC 4475 §3.1.2.2)`,
    );
    return;
  }
  msg.bodySpan = { start: bodyStart, end: m.end };
  if (m.end < n) {
    const extra = measure(text, m.end, n, Infinity, utf8, false).octets;
    report(
      problems,
      m.end,
      n,
      `${extra} octet${extra === 1 ? '' : 's'} after the ${cl}-octet body (Content-Length) ${extra === 1 ? 'is' : 'are'} not part of this message and ${extra === 1 ? 'is' : 'are'} ignored (RFC 3261 §18.3; RFC 4475 §3.1.1.8)`,
      'info',
    );
  }
}

function hasWideChar(text: string, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (text.charCodeAt(i) > 0xff) return true;
  return false;
}

/**
 * Walks text[s, e) until `limit` octets are reached. `utf8`: chars count as their UTF-8 octets
 * (else one octet each); `lfAsCrlf`: a LF not preceded by CR counts as two octets.
 * Returns the octets walked and the index where the walk stopped.
 */
function measure(text: string, s: number, e: number, limit: number, utf8: boolean, lfAsCrlf: boolean): { octets: number; end: number } {
  if (!utf8 && !lfAsCrlf) {
    const octets = Math.min(e - s, limit);
    return { octets, end: s + octets };
  }
  let octets = 0;
  let i = s;
  while (i < e && octets < limit) {
    const c = text.charCodeAt(i);
    if (c === 0x0a && lfAsCrlf && (i === s || text.charCodeAt(i - 1) !== 0x0d)) octets += 2;
    else if (!utf8 || c < 0x80) octets += 1;
    else if (c < 0x800) octets += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < e) {
      octets += 4;
      i++;
    } else octets += 3;
    i++;
  }
  return { octets, end: i };
}

// ---------------------------------------------------------------------------------------------
// Start line (RFC 3261 §7.1 Request-Line, §7.2 Status-Line, §25.1)
// ---------------------------------------------------------------------------------------------

function parseStartLine(text: string, ls: number, le: number, problems: SipParseProblem[]): StartLine | undefined {
  for (let i = ls; i < le; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
      report(problems, i, i + 1, `${describeChar(c)} in the start line`);
      break;
    }
  }
  const span: Span = { start: ls, end: le };
  if (/^SIP\//i.test(text.slice(ls, Math.min(le, ls + 4)))) return parseStatusLine(text, ls, le, span, problems);
  return parseRequestLine(text, ls, le, span, problems);
}

function checkVersion(text: string, s: number, e: number, problems: SipParseProblem[]): void {
  const v = text.slice(s, e);
  if (!/^SIP\/[0-9]+\.[0-9]+$/i.test(v)) {
    report(problems, s, e, `'${clip(v)}' is not a SIP-Version; expected SIP/2.0 (RFC 3261 §7.1)`);
  } else if (v.toUpperCase() !== 'SIP/2.0') {
    report(problems, s, e, `unsupported SIP version '${v}': this is SIP/2.0 (RFC 3261 §7.1; RFC 4475 §3.1.2.16)`);
  } else if (v !== 'SIP/2.0') {
    report(problems, s, e, `'${v}' must be sent in upper case as SIP/2.0 (RFC 3261 §7.1)`, 'warning');
  }
}

function parseStatusLine(text: string, ls: number, le: number, span: Span, problems: SipParseProblem[]): StartLine | undefined {
  let ve = ls;
  while (ve < le && !isWsp(text.charCodeAt(ve))) ve++;
  checkVersion(text, ls, ve, problems);
  let cs = ve;
  while (cs < le && isWsp(text.charCodeAt(cs))) cs++;
  if (cs >= le) {
    report(problems, ls, le, `status line '${clip(text.slice(ls, le))}' has no status code (RFC 3261 §7.2)`);
    return undefined;
  }
  if (cs - ve > 1 || text.charCodeAt(ve) !== 0x20) report(problems, ve, cs, 'SIP-Version and Status-Code must be separated by exactly one SP (RFC 3261 §7.2)');
  let ce = cs;
  while (ce < le && !isWsp(text.charCodeAt(ce))) ce++;
  const code = text.slice(cs, ce);
  if (!/^[0-9]+$/.test(code)) {
    report(problems, cs, ce, `status code '${clip(code)}' is not a number (RFC 3261 §7.2)`);
    return undefined;
  }
  const status = deltaValue(code);
  if (code.length !== 3) {
    report(problems, cs, ce, `status code '${clip(code)}' must be exactly 3 digits (RFC 3261 §25.1 Status-Code; RFC 4475 §3.1.2.19)`);
  } else if (status < 100 || status > 699) {
    report(problems, cs, ce, `status code ${code} is outside 100-699 (RFC 3261 §7.2)`);
  }
  let reasonSpan: Span;
  if (ce >= le) {
    report(problems, ce, ce, 'the status line needs a SP after the status code, even with an empty reason phrase (RFC 3261 §7.2)', 'warning');
    reasonSpan = { start: le, end: le };
  } else {
    if (text.charCodeAt(ce) !== 0x20) report(problems, ce, ce + 1, 'Status-Code and Reason-Phrase must be separated by SP (RFC 3261 §7.2)');
    reasonSpan = { start: ce + 1, end: le };
  }
  return {
    kind: 'response',
    status,
    statusSpan: { start: cs, end: ce },
    reason: text.slice(reasonSpan.start, reasonSpan.end),
    reasonSpan,
    version: text.slice(ls, ve),
    versionSpan: { start: ls, end: ve },
    span,
  };
}

function parseRequestLine(text: string, ls: number, le: number, span: Span, problems: SipParseProblem[]): StartLine | undefined {
  // trailing whitespace (RFC 4475 §3.1.2.10)
  let te = le;
  while (te > ls && isWsp(text.charCodeAt(te - 1))) te--;
  let me = ls;
  while (me < te && !isWsp(text.charCodeAt(me))) me++;
  let vs = te;
  while (vs > me && !isWsp(text.charCodeAt(vs - 1))) vs--;
  const version = text.slice(vs, te);
  if (me >= te || vs <= me || !/^SIP\//i.test(version)) {
    report(
      problems,
      ls,
      le,
      `first line '${clip(text.slice(ls, le))}' is not a SIP start line (expected 'METHOD Request-URI SIP/2.0' or 'SIP/2.0 code reason')`,
    );
    return undefined;
  }
  if (te < le) {
    report(problems, te, le, 'whitespace after SIP-Version at the end of the Request-Line (RFC 3261 §7.1; RFC 4475 §3.1.2.10)');
  }
  const method = text.slice(ls, me);
  for (let i = ls; i < me; i++) {
    if (!isTokenChar(text.charCodeAt(i))) {
      report(problems, i, i + 1, `${describeChar(text.charCodeAt(i))} is not allowed in method '${clip(method)}' (RFC 3261 §25.1 Method is a token)`);
      break;
    }
  }
  checkVersion(text, vs, te, problems);
  // The three elements are separated by exactly one SP each (RFC 3261 §7.1; RFC 4475 §3.1.2.9).
  let us = me;
  while (us < vs && isWsp(text.charCodeAt(us))) us++;
  let ue = vs;
  while (ue > us && isWsp(text.charCodeAt(ue - 1))) ue--;
  if (us - me > 1 || text.charCodeAt(me) !== 0x20) {
    report(problems, me, us, 'Method and Request-URI must be separated by exactly one SP (RFC 3261 §7.1; RFC 4475 §3.1.2.9)');
  }
  if (vs - ue > 1 || text.charCodeAt(ue) !== 0x20) {
    report(problems, ue, vs, 'Request-URI and SIP-Version must be separated by exactly one SP (RFC 3261 §7.1; RFC 4475 §3.1.2.9)');
  }
  const uriSpan = { start: us, end: ue };
  let ws = us;
  while (ws < ue && !isWsp(text.charCodeAt(ws))) ws++;
  let uriEnd = ws;
  if (ws < ue) {
    report(problems, ws, ws + 1, `whitespace inside the Request-URI '${clip(text.slice(us, ue))}' (RFC 3261 §7.1; RFC 4475 §3.1.2.8)`);
  }
  let uriStart = us;
  if (text.charCodeAt(us) === 0x3c) {
    report(problems, us, uriEnd, "the Request-URI must not be enclosed in '<' '>' (RFC 3261 §25.1 Request-URI; RFC 4475 §3.1.2.7)");
    uriStart = us + 1;
    if (uriEnd > uriStart && text.charCodeAt(uriEnd - 1) === 0x3e) uriEnd--;
  }
  const uri = uriStart < uriEnd ? parseUriAt(text, uriStart, uriEnd, problems) : undefined;
  if (!uri) report(problems, us, ue, 'empty Request-URI');
  if (uri && (uri.scheme === 'sip' || uri.scheme === 'sips') && uri.headers !== undefined) {
    const q = indexIn(text, 0x3f, uriStart, uriEnd);
    report(
      problems,
      q >= 0 ? q : uriStart,
      uriEnd,
      `the Request-URI must not contain URI headers ('?${clip(uri.headers)}') (RFC 3261 §19.1.1 Table 1; RFC 4475 §3.1.2.11)`,
    );
  }
  return {
    kind: 'request',
    method,
    methodSpan: { start: ls, end: me },
    uri: uri && uri.scheme ? uri : undefined,
    uriSpan,
    version,
    versionSpan: { start: vs, end: te },
    span,
  };
}

export { MAX_PROBLEMS, PARSE_ERROR };
