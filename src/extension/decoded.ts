/**
 * The decoded view of a capture: a plain-text document with every SIP message under a one-line
 * frame heading, so that findings on captured messages get real ranges (and squiggles) like
 * findings in a log. Captured text is latin1 (one character per byte), so a message's text is
 * shown as is; only its line breaks are normalised to LF.
 */
import * as vscode from 'vscode';
import { formatEndpoint, formatTimestamp } from '../core/present';
import type { TraceMessage } from '../core/types';
import { CapturedMessage, sipTextOf, type Analysis } from './analysis';
import { addMessageLines, DecodedBlocks, DecodedText } from './decodedText';

export { DecodedBlocks };

export interface DecodedLayout {
  /** The document's text (joined on each read: it can be tens of MB). */
  readonly text: string;
  /**
   * The same text, joined `perSlice` messages at a time with `pause` awaited between slices: on
   * the extension host a 100k-message view took ~0.4 s in one piece (every other extension
   * waiting); in slices no task holds the thread for long.
   */
  textInSlices(pause: () => Promise<void>, perSlice?: number): Promise<string>;
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
   * The messages' lines, one string per `add` (see DecodedText): a capture's decoded view has
   * millions of lines, and the extension host keeps them while the capture is open; a few
   * hundred strings cost its garbage collector nothing, millions do. Captured messages rendered
   * here read their text back from it (they keep no copy of their own).
   */
  private readonly text = new DecodedText(this.blocks);
  /** The messages rendered (their headings are rendered again when the document is joined). */
  private readonly messages: TraceMessage[] = [];
  /** Lines so far, the first two included (the totals, then an empty line). */
  private lineCount = 2;
  /** Characters after the first line, with the line break before each line. */
  private chars = 1;
  /** Characters in `text`'s lines so far (each line followed by a line break). */
  private textChars = 0;

  constructor(private readonly title: string) {}

  /** Renders the next messages (`messages[k]` is message number `blocks.length + k`). */
  add(messages: readonly TraceMessage[]): void {
    const lines: string[] = [];
    const chunkStart = this.textChars;
    let added = 0;
    const line = (text: string) => {
      added++;
      this.chars += text.length + 1;
    };
    const textLine = (text: string) => {
      line(text);
      lines.push(text);
      this.textChars += text.length + 1;
    };
    const detached: CapturedMessage[] = [];
    for (const m of messages) {
      const i = this.blocks.length;
      const headingLine = this.lineCount + added;
      line(heading(m, i));
      if (m.frame !== undefined && !this.headingLineOfFrame.has(m.frame)) this.headingLineOfFrame.set(m.frame, headingLine);
      this.blocks.add(headingLine, this.lineCount + added, this.textChars);
      const exact = addMessageLines(this.blocks, sipTextOf(m), textLine);
      line('');
      this.messages.push(m);
      // Its text is rebuilt from the view's lines: exact unless both CR and LF end lines alone.
      if (m instanceof CapturedMessage && m.ownsText && m.index === i && exact) detached.push(m);
    }
    if (added === 0) return;
    this.text.addChunk(chunkStart, lines.join('\n'));
    this.lineCount += added;
    for (const m of detached) m.readTextFrom(this.text);
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
    const text = this.text;
    const messages = this.messages;
    /** Messages start..end-1: heading, lines and a blank line each, joined with '\n'. */
    const slice = (start: number, end: number): string => {
      const out: string[] = [];
      for (let i = start; i < end; i++) out.push(heading(messages[i], i), text.renderedLines(i), '');
      return out.join('\n');
    };
    // [first, '', ...all messages' lines].join('\n') equals [first, '', ...slices].join('\n').
    return {
      // Joined each time VS Code asks (it keeps its own copy): tens of MB, two bytes a character.
      get text() {
        return (messages.length > 0 ? [first, '', slice(0, messages.length)] : [first, '']).join('\n');
      },
      async textInSlices(pause: () => Promise<void>, perSlice = 2000): Promise<string> {
        const out = [first, ''];
        for (let start = 0; start < messages.length; start += perSlice) {
          if (start > 0) await pause();
          out.push(slice(start, Math.min(messages.length, start + perSlice)));
        }
        return out.join('\n');
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
