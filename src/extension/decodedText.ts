/**
 * The decoded view's text and where each message lies in it, without `vscode` (decoded.ts renders
 * and places ranges; this part is unit-tested under Node).
 *
 * The view holds every captured message's text (its lines, joined with LF), so the host keeps a
 * captured message's text only there: a message rendered into the view gives its own copy up and
 * reads its text back from the view (`DecodedText.messageText`), rebuilt exactly from its lines
 * and the line breaks the line table implies. A 200 MB capture's ~100k message texts were kept
 * twice (and each, as a separate string, survived the young generation of the extension host's
 * heap: longer scavenges while the capture streamed in).
 */
import type { MessageTextSource } from './analysis';

/** Fields per message in `DecodedBlocks.info`. */
const INFO = 5;

/**
 * Where each message's text lies in the decoded document, packed in two typed arrays: a large
 * capture has ~100k messages and millions of lines, and the extension host keeps this while the
 * capture is open; an object (or two small arrays) per message made its young-generation GC
 * pauses long while a capture streamed in.
 */
export class DecodedBlocks {
  /**
   * Per message: heading line, first text line, index of its first line in `lines`, offset of its
   * first text line in DecodedText's lines, the text's shape (`TEXT_*`).
   */
  private info: Int32Array = new Int32Array(INFO * 1024);
  /** Per text line: start and end offset in the message's text (line break excluded). */
  private lines: Int32Array = new Int32Array(2 * 16384);
  private blockCount = 0;
  private lineTotal = 0;

  /** Messages placed. */
  get length(): number {
    return this.blockCount;
  }

  /** Starts message `length`'s block; its lines follow with `addLine`. */
  add(headingLine: number, firstLine: number, textOffset = 0): void {
    if (INFO * (this.blockCount + 1) > this.info.length) this.info = grow(this.info);
    const o = INFO * this.blockCount++;
    this.info[o] = headingLine;
    this.info[o + 1] = firstLine;
    this.info[o + 2] = this.lineTotal;
    this.info[o + 3] = textOffset;
    this.info[o + 4] = 0;
  }

  addLine(start: number, end: number): void {
    if (2 * (this.lineTotal + 1) > this.lines.length) this.lines = grow(this.lines);
    this.lines[2 * this.lineTotal] = start;
    this.lines[2 * this.lineTotal++ + 1] = end;
  }

  /** Sets the shape of the last message's text (`TEXT_*` flags and its trailing break's length). */
  setShape(shape: number): void {
    this.info[INFO * (this.blockCount - 1) + 4] = shape;
  }

  has(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.blockCount;
  }

  headingLine(i: number): number {
    return this.info[INFO * i];
  }

  firstLine(i: number): number {
    return this.info[INFO * i + 1];
  }

  /** Offset of message `i`'s first text line in DecodedText's lines. */
  textOffset(i: number): number {
    return this.info[INFO * i + 3];
  }

  shape(i: number): number {
    return this.info[INFO * i + 4];
  }

  /** Text lines of message `i`. */
  lineCount(i: number): number {
    const next = i + 1 < this.blockCount ? this.info[INFO * (i + 1) + 2] : this.lineTotal;
    return next - this.info[INFO * i + 2];
  }

  lineStart(i: number, k: number): number {
    return this.lines[2 * (this.info[INFO * i + 2] + k)];
  }

  lineEnd(i: number, k: number): number {
    return this.lines[2 * (this.info[INFO * i + 2] + k) + 1];
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

/** Shape of a message's text: the low two bits are the length of its trailing line break (0–2). */
export const TEXT_TRAILING_MASK = 3;
/** Its one-character line breaks are CR (else LF; a text with both keeps its own copy). */
export const TEXT_LONE_CR = 4;

/**
 * Places the lines of the last message added to `blocks` (its text `text`) and hands each line to
 * `push`; line breaks (CRLF, CR, LF) are not part of a line. True when `DecodedText.messageText`
 * gives `text` back exactly (unless both CR and LF end lines on their own).
 */
export function addMessageLines(blocks: DecodedBlocks, text: string, push: (line: string) => void): boolean {
  const i = blocks.length - 1;
  let start = 0;
  let loneCr = false;
  let loneLf = false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 13 || c === 10) {
      blocks.addLine(start, k);
      push(text.slice(start, k));
      if (c === 13 && text.charCodeAt(k + 1) === 10) k++;
      else if (c === 13) loneCr = true;
      else loneLf = true;
      start = k + 1;
    }
  }
  // A trailing line break closes the last line; it does not open an empty one.
  if (start < text.length || blocks.lineCount(i) === 0) {
    blocks.addLine(start, text.length);
    push(text.slice(start));
  }
  blocks.setShape((text.length - blocks.lineEnd(i, blocks.lineCount(i) - 1)) | (loneCr ? TEXT_LONE_CR : 0));
  return !(loneCr && loneLf);
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * The text lines of the messages of a decoded view, without the view's headings: one string per
 * rendered part, each message's lines joined with LF. Captured text is latin1, so these strings
 * are one byte per character; the headings ("→") would make every part's string two bytes per
 * character (a 200 MB capture: 145 MB instead of 61 MB kept). The document is joined from the
 * headings and these lines when VS Code asks for it; captured messages read their text from here.
 */
export class DecodedText implements MessageTextSource {
  private readonly chunks: string[] = [];
  /** Offset of each chunk in the concatenation of all lines (each line followed by a line break). */
  private readonly starts: number[] = [];

  constructor(private readonly blocks: DecodedBlocks) {}

  /** Appends a part's lines (joined with LF), the first of which is at offset `start`. */
  addChunk(start: number, chunk: string): void {
    this.chunks.push(chunk);
    this.starts.push(start);
  }

  /** Characters [start, end) of the lines; a range within one chunk. */
  private slice(start: number, end: number): string {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= start) lo = mid;
      else hi = mid - 1;
    }
    const base = this.starts[lo];
    return this.chunks[lo].slice(start - base, end - base);
  }

  /** Message `i`'s lines as the view shows them (joined with LF). */
  renderedLines(i: number): string {
    const b = this.blocks;
    const n = b.lineCount(i);
    let length = n - 1;
    for (let k = 0; k < n; k++) length += b.lineEnd(i, k) - b.lineStart(i, k);
    const start = b.textOffset(i);
    return this.slice(start, start + length);
  }

  /** Message `i`'s text as it was before rendering: its lines with their original line breaks. */
  messageText(i: number): string {
    const b = this.blocks;
    const n = b.lineCount(i);
    const shape = b.shape(i);
    const lone = shape & TEXT_LONE_CR ? '\r' : '\n';
    let pos = b.textOffset(i);
    let text = '';
    for (let k = 0; k < n; k++) {
      const end = b.lineEnd(i, k);
      const len = end - b.lineStart(i, k);
      text += this.slice(pos, pos + len);
      pos += len + 1;
      const brk = k + 1 < n ? b.lineStart(i, k + 1) - end : shape & TEXT_TRAILING_MASK;
      if (brk === 2) text += '\r\n';
      else if (brk === 1) text += lone;
    }
    return text;
  }
}
