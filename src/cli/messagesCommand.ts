/** `sip-inspect messages <files...> [--json]`: every SIP message and every problem met. */
import { formatProblemLocation, summarizeMessage, type MessageSummary } from '../core/present';
import type { Problem } from '../core/types';
import { readTraceFile } from './files';

export interface MessagesFileResult {
  file: string;
  format: string;
  messages: MessageSummary[];
  problems: Problem[];
  /** The file could not be read at all (missing, unreadable, unknown format). */
  unreadable: boolean;
}

export async function listMessages(file: string): Promise<MessagesFileResult> {
  const messages: MessageSummary[] = [];
  const problems: Problem[] = [];
  try {
    const r = await readTraceFile(file, {
      message: (m) => messages.push(summarizeMessage(m)),
      problem: (p) => problems.push(p),
    });
    const format = r.format ?? 'unknown';
    return { file, format, messages, problems, unreadable: format === 'unknown' };
  } catch (e) {
    problems.push({ code: 'read-error', message: `Cannot read the file: ${(e as Error).message}`, severity: 'error' });
    return { file, format: 'unknown', messages, problems, unreadable: true };
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderMessagesText(r: MessagesFileResult): string {
  const out: string[] = [];
  out.push(`${r.file}: ${r.format}, ${r.messages.length} SIP message${r.messages.length === 1 ? '' : 's'}, ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`);
  const isLog = r.format === 'log';
  const rows = r.messages.map((m) => [
    String(isLog ? m.line ?? '' : m.frame ?? ''),
    m.time ?? '',
    m.transport,
    m.src || m.dst ? `${m.src ?? '?'} -> ${m.dst ?? '?'}` : '',
    m.method ?? (m.status !== undefined ? String(m.status) : '?'),
    m.callId ?? '',
    m.cseq ?? '',
  ]);
  const head = [isLog ? 'line' : 'frame', 'time', 'transport', 'source -> destination', 'message', 'Call-ID', 'CSeq'];
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((row) => row[i].length))));
  if (rows.length) {
    out.push('  ' + head.map((h, i) => pad(h, widths[i])).join('  ').trimEnd());
    for (const row of rows) out.push('  ' + row.map((c, i) => pad(c, widths[i])).join('  ').trimEnd());
  }
  for (const p of r.problems) out.push(`  ${p.severity} ${p.code} (${formatProblemLocation(p)}): ${p.message}`);
  return out.join('\n');
}

export function messagesJson(r: MessagesFileResult): object {
  return { file: r.file, format: r.format, messages: r.messages, problems: r.problems };
}
