/**
 * What must hold for ANY input, however hostile: nothing throws, every span lies inside its
 * text, every problem is well formed and carries a location, frames and messages point back
 * into the input, and what the engine retains stays bounded. Each check throws a
 * `FuzzFailure` naming the broken invariant, so a campaign can report and save the input.
 */
import type { Finding, Problem, SipMessage, SipParam, SipUri, Span, TraceMessage } from '../../src/core/types';

export type FailureKind = 'crash' | 'hang' | 'invariant';

export class FuzzFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'FuzzFailure';
  }
}

export function fail(message: string): never {
  throw new FuzzFailure('invariant', message);
}

export function check(ok: unknown, message: string | (() => string)): asserts ok {
  if (!ok) fail(typeof message === 'string' ? message : message());
}

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Parse problems use the catalog codes (SIP-PARSE-001 ...). */
const CATALOG = /^[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{3}$/;
const SEVERITIES = new Set(['error', 'warning', 'info']);

export type Located = 'capture' | 'log' | 'none';

export interface ProblemContext {
  where: Located;
  /** Input size in bytes (captures: offsets must lie in [0, size]). */
  size: number;
  /** Logs: the number of lines (problems may name the one after the last). */
  lines?: number;
}

export function checkProblem(p: Problem, ctx: ProblemContext): void {
  const tag = () => `problem ${JSON.stringify(p).slice(0, 300)}`;
  check(typeof p.code === 'string' && KEBAB.test(p.code), () => `${tag()}: code is not kebab-case`);
  check(SEVERITIES.has(p.severity), () => `${tag()}: bad severity`);
  check(typeof p.message === 'string' && p.message.length > 0 && p.message.length < 4000, () => `${tag()}: message empty or huge`);
  check(!/undefined|NaN|\[object /.test(p.message), () => `${tag()}: message shows undefined/NaN/[object]`);
  for (const k of ['frame', 'offset', 'line', 'column'] as const) {
    const v = p[k];
    check(v === undefined || (Number.isInteger(v) && v >= 0), () => `${tag()}: ${k} is not a non-negative integer`);
  }
  if (ctx.where === 'capture') {
    check(p.frame !== undefined || p.offset !== undefined, () => `${tag()}: no frame and no offset`);
    check(p.frame === undefined || p.frame >= 1, () => `${tag()}: frame 0`);
    // A skipped frame still takes its number: bound by what the file can hold (12-byte blocks).
    check(p.frame === undefined || p.frame <= Math.floor(ctx.size / 12) + 1, () => `${tag()}: frame beyond what a ${ctx.size}-byte file can hold`);
    check(p.offset === undefined || p.offset <= ctx.size, () => `${tag()}: offset beyond the ${ctx.size}-byte input`);
  } else if (ctx.where === 'log') {
    check(p.line !== undefined && p.line >= 1, () => `${tag()}: no line`);
    if (ctx.lines !== undefined) check(p.line! <= ctx.lines + 1, () => `${tag()}: line beyond the ${ctx.lines} lines`);
    check(p.column === undefined || p.column >= 1, () => `${tag()}: column 0`);
  }
}

function checkSpan(s: Span | undefined, len: number, what: string, within?: Span): void {
  check(s !== undefined && Number.isInteger(s.start) && Number.isInteger(s.end), () => `${what}: span missing or not integral: ${JSON.stringify(s)}`);
  check(s.start >= 0 && s.start <= s.end && s.end <= len, () => `${what}: span ${s.start}-${s.end} outside [0, ${len}]`);
  if (within) check(s.start >= within.start && s.end <= within.end, () => `${what}: span ${s.start}-${s.end} outside its owner ${within.start}-${within.end}`);
}

function checkParams(params: SipParam[], len: number, what: string, within?: Span): void {
  for (const p of params) {
    checkSpan(p.span, len, `${what} param ${p.name}`, within);
    checkSpan(p.nameSpan, len, `${what} param ${p.name} name`, p.span);
    if (p.valueSpan) checkSpan(p.valueSpan, len, `${what} param ${p.name} value`, p.span);
  }
}

export function checkUri(u: SipUri | undefined, text: string, what: string, within?: Span): void {
  if (!u) return;
  checkSpan(u.span, text.length, `${what} URI`, within);
  checkParams(u.params, text.length, `${what} URI`, u.span);
  check(u.port === undefined || (Number.isInteger(u.port) && u.port >= 0), () => `${what}: URI port ${u.port}`);
}

/** The SIP parser's invariants: spans inside the text, ordered headers, no swallowed exception. */
export function checkSipMessage(m: SipMessage, what = 'message'): void {
  const len = m.text.length;
  check(Array.isArray(m.headers) && Array.isArray(m.problems), `${what}: headers/problems missing`);
  const sl = m.startLine;
  if (sl) {
    checkSpan(sl.span, len, `${what} start line`);
    checkSpan(sl.versionSpan, len, `${what} version`, sl.span);
    if (sl.kind === 'request') {
      checkSpan(sl.methodSpan, len, `${what} method`, sl.span);
      checkSpan(sl.uriSpan, len, `${what} request URI`, sl.span);
      checkUri(sl.uri, m.text, `${what} request`, sl.span);
    } else {
      checkSpan(sl.statusSpan, len, `${what} status`, sl.span);
      checkSpan(sl.reasonSpan, len, `${what} reason`, sl.span);
      check(Number.isFinite(sl.status), `${what}: status not finite`);
    }
  }
  let prevEnd = sl ? sl.span.end : 0;
  for (const h of m.headers) {
    checkSpan(h.span, len, `${what} header ${h.name}`);
    checkSpan(h.nameSpan, len, `${what} header ${h.name} name`, h.span);
    checkSpan(h.valueSpan, len, `${what} header ${h.name} value`, h.span);
    check(h.span.start >= prevEnd, () => `${what}: header ${h.name} at ${h.span.start} overlaps the previous one ending at ${prevEnd}`);
    check(h.valueSpan.start >= h.nameSpan.end, () => `${what}: header ${h.name} value starts before its name ends`);
    check(m.text.slice(h.nameSpan.start, h.nameSpan.end) === h.name, () => `${what}: header name span does not hold '${h.name}'`);
    check(typeof h.key === 'string' && h.key === h.key.toLowerCase(), () => `${what}: header key '${h.key}' not lowercase`);
    prevEnd = h.span.end;
  }
  checkSpan(m.bodySpan, len, `${what} body`);
  if (m.headers.length) check(m.bodySpan.start >= prevEnd, () => `${what}: body starts at ${m.bodySpan.start}, inside the headers (last ends at ${prevEnd})`);
  check(m.contentLength === undefined || (Number.isInteger(m.contentLength) && m.contentLength >= 0), `${what}: contentLength ${m.contentLength}`);
  check(m.problems.length <= 500, () => `${what}: ${m.problems.length} problems (cap is 500)`);
  for (const p of m.problems) {
    checkSpan(p.span, len, `${what} problem '${p.message.slice(0, 80)}'`);
    check(KEBAB.test(p.code) || CATALOG.test(p.code), () => `${what}: problem code '${p.code}'`);
    check(SEVERITIES.has(p.severity), () => `${what}: problem severity '${p.severity}'`);
    check(p.message.length > 0, `${what}: empty problem message`);
    check(!/internal parser error/.test(p.message), () => `${what}: the parser caught its own exception: ${p.message}`);
    check(!/undefined|NaN|\[object /.test(p.message), () => `${what}: problem message shows undefined/NaN: ${p.message.slice(0, 200)}`);
  }
}

export interface TraceCheckContext {
  /** Input size in bytes. */
  size: number;
  format: string | undefined;
  /** Logs: the input's lines (decoded), to check that line maps point at the message text. */
  logLines?: string[];
  /** Captures: the input bytes, to check that a message lies at its file offset. */
  bytes?: Uint8Array;
}

/** Messages and problems of a whole trace. */
export function checkTrace(messages: TraceMessage[], problems: Problem[], ctx: TraceCheckContext): void {
  const isLog = ctx.format === 'log';
  const isCapture = ctx.format === 'pcap' || ctx.format === 'pcapng';
  let maxFrame = 0;
  let textTotal = 0;
  messages.forEach((m, i) => {
    check(m.index === i, () => `message ${i} has index ${m.index}`);
    checkSipMessage(m.sip, `message ${i}`);
    textTotal += m.sip.text.length;
    if (isCapture) {
      check(m.frame !== undefined && m.frame >= 1, () => `message ${i}: no frame`);
      check(m.frames !== undefined && m.frames.includes(m.frame!), () => `message ${i}: frames ${m.frames} lack frame ${m.frame}`);
      maxFrame = Math.max(maxFrame, m.frame!);
      if (m.fileOffset !== undefined) {
        check(m.fileOffset >= 0 && m.fileOffset + m.sip.text.length <= ctx.size, () => `message ${i}: file offset ${m.fileOffset} + ${m.sip.text.length} beyond the ${ctx.size}-byte input`);
        if (ctx.bytes) {
          const t = m.sip.text;
          const n = Math.min(t.length, 64);
          for (let k = 0; k < n; k++) {
            check(ctx.bytes[m.fileOffset + k] === t.charCodeAt(k), () => `message ${i}: text does not match the input at its file offset ${m.fileOffset} (+${k})`);
          }
        }
      }
    }
    if (isLog) {
      check(m.line !== undefined && m.line >= 1, () => `message ${i}: no line`);
      const map = m.lineMap ?? [];
      check(map.length > 0, () => `message ${i}: empty line map`);
      for (let k = 0; k < map.length; k++) {
        const e = map[k];
        check(e.textOffset >= 0 && e.textOffset <= m.sip.text.length, () => `message ${i}: line map offset ${e.textOffset} outside its text`);
        check(k === 0 || e.textOffset > map[k - 1].textOffset, () => `message ${i}: line map not sorted`);
        check(e.line >= 1 && e.column >= 1, () => `message ${i}: line map line/column < 1`);
        // tshark text is rebuilt from a dissection tree, whose parts need not come in text order.
        check(k === 0 || e.line >= map[k - 1].line || m.logFormat === 'tshark', () => `message ${i}: line map goes back from line ${map[k - 1].line} to ${e.line}`);
        if (ctx.logLines) {
          check(e.line <= ctx.logLines.length, () => `message ${i}: line map names line ${e.line} of ${ctx.logLines!.length}`);
          if (m.logFormat !== 'tshark') {
            const segEnd = k + 1 < map.length ? map[k + 1].textOffset : m.sip.text.length;
            let seg = m.sip.text.slice(e.textOffset, segEnd);
            if (seg.endsWith('\r\n')) seg = seg.slice(0, -2);
            const src = ctx.logLines[e.line - 1];
            const at = src.slice(e.column - 1, e.column - 1 + seg.length);
            check(at === seg, () => `message ${i}: line map says line ${e.line} column ${e.column} holds ${JSON.stringify(seg.slice(0, 60))}, the log has ${JSON.stringify(at.slice(0, 60))}`);
          }
        }
      }
    }
  });
  // Output never amplifies the input: a byte can reach a message at most a few times.
  check(textTotal <= 3 * ctx.size + 64 * 1024, () => `messages hold ${textTotal} chars from a ${ctx.size}-byte input`);
  const lines = ctx.logLines?.length;
  for (const p of problems) checkProblem(p, { where: isLog ? 'log' : isCapture ? 'capture' : 'none', size: ctx.size, lines });
  if (ctx.format === 'unknown' || ctx.format === undefined) check(messages.length === 0, 'messages from an unknown format');
}

/** Findings of the rule engine point into the messages they name. */
export function checkFindings(findings: Finding[], messages: TraceMessage[]): void {
  for (const f of findings) {
    const tag = () => `finding ${f.ruleId} @${f.messageIndex}`;
    check(typeof f.ruleId === 'string' && f.ruleId.length > 0, 'finding without rule id');
    check(SEVERITIES.has(f.severity), () => `${tag()}: severity ${f.severity}`);
    check(typeof f.message === 'string' && f.message.length > 0, () => `${tag()}: empty message`);
    check(!/undefined|NaN|\[object /.test(f.message), () => `${tag()}: message shows undefined/NaN: ${f.message.slice(0, 200)}`);
    const m = messages[f.messageIndex];
    check(m !== undefined, () => `${tag()}: no such message (of ${messages.length})`);
    checkSpan(f.span, m.sip.text.length, tag());
    for (const r of f.related ?? []) {
      const rm = messages[r.messageIndex];
      check(rm !== undefined, () => `${tag()}: related message ${r.messageIndex} does not exist`);
      checkSpan(r.span, rm.sip.text.length, `${tag()} related`);
    }
  }
}

/** Splits decoded log text into lines the way LogReader does (LF, CRLF or CR). */
export function splitLogLines(bytes: Uint8Array): string[] {
  const text = new TextDecoder('utf-8').decode(bytes);
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
