/**
 * One pass of the core over a whole trace: bytes -> SIP messages (TraceReader) -> REGISTER
 * exchanges and findings (RegisterChecker). Host-neutral (no `vscode`, no Node built-ins) so it
 * runs in the extension host, in a worker thread (worker.ts) and, later, in a web worker.
 */
import { TraceReader, type TraceFormat } from '../core/trace';
import { RegisterChecker, type ExchangeSummary } from '../core/register/index';
import { resolveSettings, type Settings } from '../core/settings';
import type { Finding, Problem, TraceMessage } from '../core/types';

export interface Analysis {
  format: TraceFormat | 'unknown' | undefined;
  /** Every SIP message, in the order found; `messages[i].index === i`. */
  messages: TraceMessage[];
  problems: Problem[];
  exchanges: ExchangeSummary[];
  findings: Finding[];
  bytes: number;
  elapsedMs: number;
}

/** Analyses the whole trace held in `bytes` (a capture or the UTF-8 text of a log). */
export function analyzeBytes(bytes: Uint8Array, settings: Settings = {}): Analysis {
  const started = Date.now();
  const messages: TraceMessage[] = [];
  const problems: Problem[] = [];
  const checker = new RegisterChecker(resolveSettings(settings));
  const reader = new TraceReader({
    message: (m) => {
      messages.push(m);
      checker.add(m);
    },
    problem: (p) => problems.push(p),
  });
  reader.push(bytes);
  reader.end();
  const { exchanges, findings } = checker.end();
  return { format: reader.format, messages, problems, exchanges, findings, bytes: reader.bytesRead, elapsedMs: Date.now() - started };
}

/** Analyses the text of a log as the CLI would read the file: UTF-8 bytes through the core. */
export function analyzeText(text: string, settings: Settings = {}): Analysis {
  return analyzeBytes(new TextEncoder().encode(text), settings);
}
