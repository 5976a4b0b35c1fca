/**
 * Small, shared renderings of trace facts (time, endpoints, message summaries), used by the CLI,
 * the editor views and JSON output alike so they never disagree.
 */
import { firstHeader } from './sip/parser';
import type { Endpoint, Problem, Timestamp, TraceMessage } from './types';

/** ISO 8601 UTC with microseconds, or nanoseconds when the capture has them. */
/**
 * The formatted date-and-second of the last timestamp: consecutive messages of a capture share
 * their second, and building a Date per message was 6 % of a large listing (docs/performance.md).
 */
let lastSecond = NaN;
let lastSecondText: string | undefined;

export function formatTimestamp(ts: Timestamp | undefined): string | undefined {
  if (!ts) return undefined;
  if (ts.sec !== lastSecond) {
    const d = new Date(ts.sec * 1000);
    lastSecond = ts.sec;
    lastSecondText = Number.isNaN(d.getTime()) ? undefined : d.toISOString().slice(0, 19);
  }
  if (lastSecondText === undefined) return undefined;
  const frac = ts.nsec % 1000 === 0 ? String(Math.floor(ts.nsec / 1000)).padStart(6, '0') : String(ts.nsec).padStart(9, '0');
  return `${lastSecondText}.${frac}Z`;
}

/** `1.2.3.4:5060` or `[2001:db8::1]:5060` (RFC 5952 §6). */
export function formatEndpoint(e: Endpoint | undefined): string | undefined {
  if (!e) return undefined;
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

export interface MessageSummary {
  frame?: number;
  line?: number;
  time?: string;
  transport: string;
  src?: string;
  dst?: string;
  method?: string;
  status?: number;
  callId?: string;
  cseq?: string;
}

export function summarizeMessage(m: TraceMessage): MessageSummary {
  const s: MessageSummary = { transport: m.transport };
  if (m.frame !== undefined) s.frame = m.frame;
  if (m.line !== undefined) s.line = m.line;
  const time = formatTimestamp(m.ts);
  if (time) s.time = time;
  const src = formatEndpoint(m.src);
  const dst = formatEndpoint(m.dst);
  if (src) s.src = src;
  if (dst) s.dst = dst;
  const sl = m.sip.startLine;
  if (sl?.kind === 'request') s.method = sl.method;
  else if (sl?.kind === 'response') s.status = sl.status;
  const callId = firstHeader(m.sip, 'call-id')?.value;
  if (callId !== undefined) s.callId = callId;
  const cseq = firstHeader(m.sip, 'cseq')?.value;
  if (cseq !== undefined) s.cseq = cseq;
  return s;
}

/** Where a problem is, for humans: "frame 12", "offset 4096", "line 7, column 3". */
export function formatProblemLocation(p: Problem): string {
  const parts: string[] = [];
  if (p.frame !== undefined) parts.push(`frame ${p.frame}`);
  if (p.line !== undefined) parts.push(p.column !== undefined ? `line ${p.line}, column ${p.column}` : `line ${p.line}`);
  if (p.offset !== undefined) parts.push(`offset ${p.offset}`);
  return parts.join(', ') || 'file';
}
