/**
 * The decoded view of a capture: a plain-text document with every SIP message under a one-line
 * frame heading, so that findings on captured messages get real ranges (and squiggles) like
 * findings in a log. Captured text is latin1 (one character per byte), so a message's text is
 * shown as is; only its line breaks are normalised to LF.
 */
import * as vscode from 'vscode';
import { formatEndpoint, formatTimestamp } from '../core/present';
import type { TraceMessage } from '../core/types';
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
  /** The document's text (joined on first use: it can be tens of MB). */
  readonly text: string;
  /** Characters in `text`. */
  readonly length: number;
  blocks: Block[];
  /** Document line of the heading of the message completed by each frame. */
  headingLineOfFrame: Map<number, number>;
  lineCount: number;
}

export const HEADING_MARK = '###';

function heading(m: TraceMessage, i: number): string {
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

/** The totals a decoded view's first line states. */
export interface DecodedTotals {
  messages: number;
  exchanges: number;
  findings: number;
  problems: number;
}

/**
 * The decoded view built as a capture's messages arrive. Append-only: message i's lines depend
 * only on the messages before it, so the blocks (and diagnostics placed with them) are final as
 * soon as a message is added. The first line holds the totals; `finish` writes it (one line
 * either way, so no line number moves).
 */
export class DecodedRenderer {
  readonly blocks: Block[] = [];
  readonly headingLineOfFrame = new Map<number, number>();
  private readonly lines: string[] = ['', ''];
  /** Characters of lines[1..] with the line break before each. */
  private chars = 1;

  constructor(private readonly title: string) {}

  private push(line: string): void {
    this.lines.push(line);
    this.chars += line.length + 1;
  }

  /** Renders the next messages (`messages[k]` is message number `blocks.length + k`). */
  add(messages: readonly TraceMessage[]): void {
    for (const m of messages) {
      const i = this.blocks.length;
      const headingLine = this.lines.length;
      this.push(heading(m, i));
      if (m.frame !== undefined && !this.headingLineOfFrame.has(m.frame)) this.headingLineOfFrame.set(m.frame, headingLine);
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
      const firstLine = this.lines.length;
      for (let k = 0; k < lineStarts.length; k++) this.push(text.slice(lineStarts[k], lineEnds[k]));
      this.push('');
      this.blocks.push({ headingLine, firstLine, lineStarts, lineEnds });
    }
  }

  /** Writes the first line and gives the layout (the renderer is done). */
  finish(totals: DecodedTotals): DecodedLayout {
    const lines = this.lines;
    lines[0] = `${HEADING_MARK} ${this.title} · ${vscode.l10n.t(
      '{0} SIP messages, {1} REGISTER exchanges, {2} findings, {3} reading problems',
      totals.messages,
      totals.exchanges,
      totals.findings,
      totals.problems,
    )}`;
    let text: string | undefined;
    let pending: string[] | undefined = lines;
    return {
      get text() {
        if (text === undefined) {
          text = pending!.join('\n');
          pending = undefined; // the lines are garbage once joined
        }
        return text;
      },
      length: lines[0].length + this.chars,
      blocks: this.blocks,
      headingLineOfFrame: this.headingLineOfFrame,
      lineCount: lines.length,
    };
  }
}

/** Renders the analysis of a capture; `title` (the file name) goes into the first line. */
export function renderDecoded(a: Analysis, title: string): DecodedLayout {
  const r = new DecodedRenderer(title);
  r.add(a.messages);
  return r.finish({ messages: a.messages.length, exchanges: a.exchanges.length, findings: a.findings.length, problems: a.problems.length });
}

/** Position in the decoded document of an offset in message `messageIndex`'s text. */
export function decodedPosition(layout: Pick<DecodedLayout, 'blocks'>, messageIndex: number, offset: number): vscode.Position | undefined {
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

export function decodedRange(layout: Pick<DecodedLayout, 'blocks'>, messageIndex: number, start: number, end: number): vscode.Range | undefined {
  const s = decodedPosition(layout, messageIndex, start);
  if (!s) return undefined;
  const e = decodedPosition(layout, messageIndex, Math.max(start, end)) ?? s;
  return new vscode.Range(s, e.isBefore(s) ? s : e);
}
