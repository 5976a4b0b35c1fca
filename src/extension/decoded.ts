/**
 * The decoded view of a capture: a plain-text document with every SIP message under a one-line
 * frame heading, so that findings on captured messages get real ranges (and squiggles) like
 * findings in a log. Captured text is latin1 (one character per byte), so a message's text is
 * shown as is; only its line breaks are normalised to LF.
 */
import * as vscode from 'vscode';
import { formatEndpoint, formatTimestamp } from '../core/present';
import type { TraceMessage } from '../core/types';
import { sipTextOf, type Analysis } from './analysis';

/** Where one message's text lies in the decoded document. */
interface Block {
  headingLine: number;
  /** Document line of the message's first text line. */
  firstLine: number;
  /** Offsets in the message text where each of its lines starts / ends (line break excluded). */
  lineStarts: Int32Array;
  lineEnds: Int32Array;
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
  /**
   * The document after its first two lines, one string per `add` (its lines joined): a capture's
   * decoded view has millions of lines, and the extension host keeps it while the capture is
   * open; a few hundred strings cost its garbage collector nothing, millions do.
   */
  private readonly chunks: string[] = [];
  /** Lines so far, the first two included (the totals, then an empty line). */
  private lineCount = 2;
  /** Characters after the first line, with the line break before each line. */
  private chars = 1;

  constructor(private readonly title: string) {}

  /** Renders the next messages (`messages[k]` is message number `blocks.length + k`). */
  add(messages: readonly TraceMessage[]): void {
    const out: string[] = [];
    const push = (line: string) => {
      out.push(line);
      this.chars += line.length + 1;
    };
    for (const m of messages) {
      const i = this.blocks.length;
      const headingLine = this.lineCount + out.length;
      push(heading(m, i));
      if (m.frame !== undefined && !this.headingLineOfFrame.has(m.frame)) this.headingLineOfFrame.set(m.frame, headingLine);
      const text = sipTextOf(m);
      // Count the lines first, so that the line tables are two typed arrays (two objects per
      // message, kept as long as the view).
      let count = 0;
      let start = 0;
      for (let k = 0; k < text.length; k++) {
        const c = text.charCodeAt(k);
        if (c === 13 || c === 10) {
          count++;
          if (c === 13 && text.charCodeAt(k + 1) === 10) k++;
          start = k + 1;
        }
      }
      // A trailing line break closes the last line; it does not open an empty one.
      const last = start < text.length || count === 0;
      if (last) count++;
      const lineStarts = new Int32Array(count);
      const lineEnds = new Int32Array(count);
      let n = 0;
      start = 0;
      for (let k = 0; k < text.length; k++) {
        const c = text.charCodeAt(k);
        if (c === 13 || c === 10) {
          lineStarts[n] = start;
          lineEnds[n++] = k;
          if (c === 13 && text.charCodeAt(k + 1) === 10) k++;
          start = k + 1;
        }
      }
      if (last) {
        lineStarts[n] = start;
        lineEnds[n] = text.length;
      }
      const firstLine = this.lineCount + out.length;
      for (let k = 0; k < count; k++) push(text.slice(lineStarts[k], lineEnds[k]));
      push('');
      this.blocks.push({ headingLine, firstLine, lineStarts, lineEnds });
    }
    if (out.length === 0) return;
    this.chunks.push(out.join('\n'));
    this.lineCount += out.length;
  }

  /** Writes the first line and gives the layout (the renderer is done). */
  finish(totals: DecodedTotals): DecodedLayout {
    const first = `${HEADING_MARK} ${this.title} · ${vscode.l10n.t(
      '{0} SIP messages, {1} REGISTER exchanges, {2} findings, {3} reading problems',
      totals.messages,
      totals.exchanges,
      totals.findings,
      totals.problems,
    )}`;
    let text: string | undefined;
    let pending: string[] | undefined = [first, '', ...this.chunks];
    this.chunks.length = 0;
    return {
      get text() {
        if (text === undefined) {
          text = pending!.join('\n');
          pending = undefined; // the chunks are garbage once joined
        }
        return text;
      },
      length: first.length + this.chars,
      blocks: this.blocks,
      headingLineOfFrame: this.headingLineOfFrame,
      lineCount: this.lineCount,
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
