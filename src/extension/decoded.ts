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

/**
 * Where each message's text lies in the decoded document, packed in two typed arrays: a large
 * capture has ~100k messages and millions of lines, and the extension host keeps this while the
 * capture is open; an object (or two small arrays) per message made its young-generation GC
 * pauses long while a capture streamed in.
 */
export class DecodedBlocks {
  /** Per message: heading line, first text line, index of its first line in `lines`. */
  private info: Int32Array = new Int32Array(3 * 1024);
  /** Per text line: start and end offset in the message's text (line break excluded). */
  private lines: Int32Array = new Int32Array(2 * 16384);
  private blockCount = 0;
  private lineTotal = 0;

  /** Messages placed. */
  get length(): number {
    return this.blockCount;
  }

  /** Starts message `length`'s block; its lines follow with `addLine`. */
  add(headingLine: number, firstLine: number): void {
    if (3 * (this.blockCount + 1) > this.info.length) this.info = grow(this.info);
    const o = 3 * this.blockCount++;
    this.info[o] = headingLine;
    this.info[o + 1] = firstLine;
    this.info[o + 2] = this.lineTotal;
  }

  addLine(start: number, end: number): void {
    if (2 * (this.lineTotal + 1) > this.lines.length) this.lines = grow(this.lines);
    this.lines[2 * this.lineTotal] = start;
    this.lines[2 * this.lineTotal++ + 1] = end;
  }

  has(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.blockCount;
  }

  headingLine(i: number): number {
    return this.info[3 * i];
  }

  firstLine(i: number): number {
    return this.info[3 * i + 1];
  }

  /** Text lines of message `i`. */
  lineCount(i: number): number {
    const next = i + 1 < this.blockCount ? this.info[3 * (i + 1) + 2] : this.lineTotal;
    return next - this.info[3 * i + 2];
  }

  lineStart(i: number, k: number): number {
    return this.lines[2 * (this.info[3 * i + 2] + k)];
  }

  lineEnd(i: number, k: number): number {
    return this.lines[2 * (this.info[3 * i + 2] + k) + 1];
  }

  /** The message whose heading or text holds document line `line`, or -1. */
  atLine(line: number): number {
    let lo = 0;
    let hi = this.blockCount - 1;
    if (hi < 0 || line < this.headingLine(0)) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.headingLine(mid) <= line) lo = mid;
      else hi = mid - 1;
    }
    return line < this.firstLine(lo) + this.lineCount(lo) ? lo : -1;
  }
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

export interface DecodedLayout {
  /** The document's text (joined on first use: it can be tens of MB). */
  readonly text: string;
  /** Characters in `text`. */
  readonly length: number;
  blocks: DecodedBlocks;
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
  readonly blocks = new DecodedBlocks();
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
      const firstLine = this.lineCount + out.length;
      this.blocks.add(headingLine, firstLine);
      let start = 0;
      for (let k = 0; k < text.length; k++) {
        const c = text.charCodeAt(k);
        if (c === 13 || c === 10) {
          this.blocks.addLine(start, k);
          push(text.slice(start, k));
          if (c === 13 && text.charCodeAt(k + 1) === 10) k++;
          start = k + 1;
        }
      }
      // A trailing line break closes the last line; it does not open an empty one.
      if (start < text.length || this.blocks.lineCount(i) === 0) {
        this.blocks.addLine(start, text.length);
        push(text.slice(start));
      }
      push('');
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
  const b = layout.blocks;
  if (!b.has(messageIndex)) return undefined;
  let lo = 0;
  let hi = b.lineCount(messageIndex) - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (b.lineStart(messageIndex, mid) <= offset) lo = mid;
    else hi = mid - 1;
  }
  const start = b.lineStart(messageIndex, lo);
  const character = Math.max(0, Math.min(offset, b.lineEnd(messageIndex, lo)) - start);
  return new vscode.Position(b.firstLine(messageIndex) + lo, character);
}

export function decodedRange(layout: Pick<DecodedLayout, 'blocks'>, messageIndex: number, start: number, end: number): vscode.Range | undefined {
  const s = decodedPosition(layout, messageIndex, start);
  if (!s) return undefined;
  const e = decodedPosition(layout, messageIndex, Math.max(start, end)) ?? s;
  return new vscode.Range(s, e.isBefore(s) ? s : e);
}
