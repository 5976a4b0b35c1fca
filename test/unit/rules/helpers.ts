/**
 * Test helpers for rule and exchange tests: SIP texts -> TraceMessages -> CheckResult, and
 * readable access to where a finding points.
 */
import type { Finding, TraceMessage } from '../../../src/core/types';
import { parseSipMessage } from '../../../src/core/sip/parser';
import type { Settings } from '../../../src/core/settings';
import type { CheckResult } from '../../../src/core/register/model';
import { checkMessages, EXAMPLE_EPOCH } from '../../../src/core/rules/run-example';

export interface TextMessage {
  text: string;
  /** Seconds after the previous message (default 1). */
  gap?: number;
}

/** LF -> CRLF, so tests can be written with template literals. */
export function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** Turns SIP texts into TraceMessages with index, frame and a timestamp (1 s apart by default). */
export function traceOf(items: readonly (string | TextMessage)[], opts: { timestamps?: boolean } = {}): TraceMessage[] {
  let t = EXAMPLE_EPOCH;
  return items.map((it, index) => {
    const m = typeof it === 'string' ? { text: it } : it;
    if (index > 0) t += m.gap ?? 1;
    const text = m.text.includes('\r\n') ? m.text : crlf(m.text);
    const tm: TraceMessage = { index, frame: index + 1, transport: 'UDP', sip: parseSipMessage(text) };
    if (opts.timestamps !== false) tm.ts = { sec: Math.floor(t), nsec: Math.round((t - Math.floor(t)) * 1e9) };
    return tm;
  });
}

export interface Run extends CheckResult {
  messages: TraceMessage[];
}

export function run(items: readonly (string | TextMessage)[], settings: Settings = {}, opts: { timestamps?: boolean } = {}): Run {
  const messages = traceOf(items, opts);
  return { ...checkMessages(messages, settings), messages };
}

/** The text a finding's span covers in its message. */
export function spanText(r: { messages: TraceMessage[] }, f: Finding): string {
  return r.messages[f.messageIndex].sip.text.slice(f.span.start, f.span.end);
}

export function ids(r: CheckResult, minSeverity: 'info' | 'warning' | 'error' = 'info'): string[] {
  const rank = { info: 0, warning: 1, error: 2 };
  return [...new Set(r.findings.filter((f) => rank[f.severity] >= rank[minSeverity]).map((f) => f.ruleId))].sort();
}

export function byRule(r: CheckResult, ruleId: string): Finding[] {
  return r.findings.filter((f) => f.ruleId === ruleId);
}

/** Findings of severity warning or error, formatted for assertion messages. */
export function serious(r: Run): string[] {
  return r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.ruleId} ${f.severity} @${f.messageIndex} "${spanText(r, f)}": ${f.message}`);
}
