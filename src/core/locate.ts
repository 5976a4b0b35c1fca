/**
 * Turning a place in a message (a Span into `sip.text`) into a place in the file the user opened:
 * line/column in a log, or frame number + byte offset in a capture.
 */
import type { TraceMessage } from './types';

export interface LogPosition {
  /** 1-based line in the log. */
  line: number;
  /** 1-based column (UTF-16 code units, as editors count). */
  column: number;
}

/** Line and column in the log of an offset in the message text (logs only). */
export function logPosition(m: TraceMessage, offset: number): LogPosition | undefined {
  const map = m.lineMap;
  if (!map || map.length === 0) return undefined;
  // Binary search for the last entry with textOffset <= offset.
  let lo = 0;
  let hi = map.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (map[mid].textOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const e = map[lo];
  return { line: e.line, column: e.column + Math.max(0, offset - e.textOffset) };
}

export interface CapturePosition {
  frame: number;
  /** Byte offset in the capture file, when the message lies contiguous in one frame. */
  fileOffset?: number;
}

/** Frame and file byte offset of an offset in the message text (captures only). */
export function capturePosition(m: TraceMessage, offset: number): CapturePosition | undefined {
  if (m.frame === undefined) return undefined;
  // Captured text is latin1, one char per byte, so a text offset is a byte offset.
  return { frame: m.frame, fileOffset: m.fileOffset !== undefined ? m.fileOffset + offset : undefined };
}
