/**
 * The decoded view of a capture: a plain-text document with every SIP message under a one-line
 * frame heading, so that findings on captured messages get real ranges (and squiggles) like
 * findings in a log. Captured text is latin1 (one character per byte), so a message's text is
 * shown as is; only its line breaks are normalised to LF.
 */
import * as vscode from 'vscode';
import { formatEndpoint, formatTimestamp } from '../core/present';
import type { Analysis } from './analysis';

/** Where one message's text lies in the decoded document. */
interface Block {
  headingLine: number;
  /** Document line of the message's first text line. */
  firstLine: number;
  /** Offsets in the message text where each of its lines starts / ends (line break excluded). */
  lineStarts: number[];
  lineEnds: number[];
}

export interface DecodedLayout {
  text: string;
  blocks: Block[];
  /** Document line of the heading of the message completed by each frame. */
  headingLineOfFrame: Map<number, number>;
  lineCount: number;
}

export const HEADING_MARK = '###';

function heading(a: Analysis, i: number): string {
  const m = a.messages[i];
  const parts: string[] = [];
  const frames = m.frames && m.frames.length > 1 ? m.frames : undefined;
  if (frames) parts.push(vscode.l10n.t('frame {0} (frames {1})', m.frame ?? '?', frames.join(', ')));
  else if (m.frame !== undefined) parts.push(vscode.l10n.t('frame {0}', m.frame));
  else parts.push(vscode.l10n.t('message {0}', i + 1));
  const time = formatTimestamp(m.ts);
  if (time) parts.push(time);
  const src = formatEndpoint(m.src);
  const dst = formatEndpoint(m.dst);
  parts.push(src || dst ? `${m.transport} ${src ?? '?'} → ${dst ?? '?'}` : m.transport);
  return `${HEADING_MARK} ${parts.join(' · ')}`;
}

/** Renders the analysis of a capture; `title` (the file name) goes into the first line. */
export function renderDecoded(a: Analysis, title: string): DecodedLayout {
  const out: string[] = [];
  const blocks: Block[] = [];
  const headingLineOfFrame = new Map<number, number>();
  out.push(
    `${HEADING_MARK} ${title} · ${vscode.l10n.t(
      '{0} SIP messages, {1} REGISTER exchanges, {2} findings, {3} reading problems',
      a.messages.length,
      a.exchanges.length,
      a.findings.length,
      a.problems.length,
    )}`,
  );
  out.push('');
  for (let i = 0; i < a.messages.length; i++) {
    const m = a.messages[i];
    const headingLine = out.length;
    out.push(heading(a, i));
    if (m.frame !== undefined && !headingLineOfFrame.has(m.frame)) headingLineOfFrame.set(m.frame, headingLine);
    const text = m.sip.text;
    const lineStarts: number[] = [];
    const lineEnds: number[] = [];
    let start = 0;
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (c === 13 || c === 10) {
        lineStarts.push(start);
        lineEnds.push(k);
        if (c === 13 && text.charCodeAt(k + 1) === 10) k++;
        start = k + 1;
      }
    }
    // A trailing line break closes the last line; it does not open an empty one.
    if (start < text.length || lineStarts.length === 0) {
      lineStarts.push(start);
      lineEnds.push(text.length);
    }
    const firstLine = out.length;
    for (let k = 0; k < lineStarts.length; k++) out.push(text.slice(lineStarts[k], lineEnds[k]));
    out.push('');
    blocks.push({ headingLine, firstLine, lineStarts, lineEnds });
  }
  return { text: out.join('\n'), blocks, headingLineOfFrame, lineCount: out.length };
}

/** Position in the decoded document of an offset in message `messageIndex`'s text. */
export function decodedPosition(layout: DecodedLayout, messageIndex: number, offset: number): vscode.Position | undefined {
  const b = layout.blocks[messageIndex];
  if (!b) return undefined;
  let lo = 0;
  let hi = b.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (b.lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  const character = Math.max(0, Math.min(offset, b.lineEnds[lo]) - b.lineStarts[lo]);
  return new vscode.Position(b.firstLine + lo, character);
}

export function decodedRange(layout: DecodedLayout, messageIndex: number, start: number, end: number): vscode.Range | undefined {
  const s = decodedPosition(layout, messageIndex, start);
  if (!s) return undefined;
  const e = decodedPosition(layout, messageIndex, Math.max(start, end)) ?? s;
  return new vscode.Range(s, e.isBefore(s) ? s : e);
}
