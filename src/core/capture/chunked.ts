/**
 * The streaming engine shared by the capture readers: chunks of any size in, one complete unit
 * (file header, record, block) at a time out, with bounded memory.
 *
 * A unit lying entirely in the pushed chunk is parsed in place (no copy); only a unit that spans
 * chunk boundaries is assembled in `carry`, which never grows beyond the largest unit a reader
 * agrees to buffer. Bytes a reader does not want (an oversized record, an unknown block) are
 * skipped as they stream past, without being buffered at all.
 */
export abstract class ChunkedParser {
  /** File offset of the next byte not yet consumed. */
  protected offset = 0;
  /** Bytes the current unit needs before `parseUnit` can consume it. Set by `parseUnit`. */
  protected need: number;
  /** Bytes still to be discarded before the next unit starts. */
  protected skip = 0;
  /** Set when the rest of the input cannot be read (reported by the reader). */
  protected stopped = false;
  private carry = new Uint8Array(0);
  private carryLen = 0;
  private ended = false;

  constructor(firstUnitBytes: number) {
    this.need = firstUnitBytes;
  }

  /**
   * Parses the unit starting at `buf[start]`, with `avail` bytes available there and the unit's
   * first byte at `fileOffset` in the file. Returns the bytes consumed (> 0), or 0 after setting
   * `this.need` to the byte count required (> avail) or setting `this.stopped`.
   */
  protected abstract parseUnit(buf: Uint8Array, start: number, avail: number, fileOffset: number): number;

  /** Called once by `end()`: `pendingBytes` bytes of an incomplete unit, `skipLeft` bytes of a skip that never finished. */
  protected abstract finish(pendingBytes: number, skipLeft: number): void;

  push(chunk: Uint8Array): void {
    if (this.ended) return;
    const n = chunk.length;
    let p = 0;
    while (!this.stopped && (p < n || (this.carryLen > 0 && this.carryLen >= this.need))) {
      if (this.skip > 0) {
        if (p === n) break;
        const k = Math.min(this.skip, n - p);
        p += k;
        this.skip -= k;
        this.offset += k;
        continue;
      }
      if (this.carryLen === 0) {
        const used = this.parseUnit(chunk, p, n - p, this.offset);
        if (used > 0) {
          p += used;
          this.offset += used;
          continue;
        }
        if (this.stopped) break;
      }
      if (this.carryLen < this.need) {
        if (this.carry.length < this.need) this.growCarry(this.need);
        const k = Math.min(this.need - this.carryLen, n - p);
        this.carry.set(chunk.subarray(p, p + k), this.carryLen);
        this.carryLen += k;
        p += k;
      }
      if (this.carryLen >= this.need) {
        const before = this.need;
        const used = this.parseUnit(this.carry, 0, this.carryLen, this.offset);
        if (used > 0) {
          this.offset += used;
          if (used < this.carryLen) this.carry.copyWithin(0, used, this.carryLen);
          this.carryLen -= used;
        } else if (!this.stopped && this.need <= before) {
          // A unit that wants no more bytes yet consumes none would loop forever.
          this.stopped = true;
        }
      }
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const pending = this.stopped ? 0 : this.carryLen;
    const skipLeft = this.stopped ? 0 : this.skip;
    this.carryLen = 0;
    this.carry = new Uint8Array(0);
    this.finish(pending, skipLeft);
  }

  private growCarry(min: number): void {
    let size = Math.max(256, this.carry.length * 2);
    while (size < min) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.carry.subarray(0, this.carryLen));
    this.carry = next;
  }
}

export function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
}

export function u32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
    : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
