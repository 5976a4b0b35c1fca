/**
 * pcapng reader (draft-ietf-opsawg-pcapng): Section Header Blocks in either byte order, several
 * sections per file (interfaces reset at each), Interface Description Blocks with if_tsresol and
 * if_tsoffset, Enhanced / Simple / obsolete Packet Blocks. Any other block is skipped by its
 * length as it streams past, without being buffered.
 *
 * Frames are numbered as Wireshark (4.0) numbers them: every packet block of every section
 * counts, in file order, from 1. Wireshark also shows systemd Journal Export Blocks, Custom
 * Blocks and sysdig event blocks as frames, so they take a number here too, although they carry
 * no packet and are not delivered.
 */
import type { RawFrame, Timestamp } from '../types';
import { ChunkedParser, u16, u32 } from './chunked';
import { MAX_PACKET_BYTES, type CaptureReader, type FrameSink } from './types';

export type { FrameSink } from './types';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_PB = 0x00000002;
const BT_SPB = 0x00000003;
const BT_EPB = 0x00000006;
/** Blocks Wireshark 4.0 shows as frames though they hold no packet (checked with tshark). */
const BT_JOURNAL = 0x00000009;
const BT_CUSTOM = 0x00000bad;
const BT_CUSTOM_NOCOPY = 0x40000bad;
const BT_SYSDIG_EVENT = 0x00000204;
const BT_SYSDIG_EVENT_V2 = 0x00000216;
const BT_SYSDIG_EVENT_V2_LARGE = 0x00000221;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** Type, length and the first body word (the SHB's byte-order magic): enough to plan a block. */
const BLOCK_PREFIX_BYTES = 12;
/** The largest block read whole: a maximal packet plus room for its header and options. */
const MAX_BUFFERED_BLOCK = MAX_PACKET_BYTES + 4096;
/**
 * A block length beyond this is taken for garbage rather than skipped: skipping it would swallow
 * the rest of a damaged file silently. (Wireshark refuses blocks over 16 MiB as well.)
 */
const MAX_SKIPPED_BLOCK = 16 * 1024 * 1024;

interface Iface {
  linkType: number;
  snaplen: number;
  /** Units per second as a power: 10^exp (pow10) or 2^exp. */
  pow10: boolean;
  exp: number;
  /** if_tsoffset, seconds added to every timestamp. */
  tsOffset: number;
}

export class PcapngReader extends ChunkedParser implements CaptureReader {
  private le = true;
  private inSection = false;
  private sectionNo = 0;
  private ifaces: Iface[] = [];
  private frameNo = 0;
  /** Set while the trailing length of a skipped block is awaited. */
  private trailerExpected = -1;
  private trailerBlockOffset = 0;
  /** Frame number of the packet block being skipped, for problems (0 when not a packet). */
  private skippedFrame = 0;
  /** Frame number the incomplete block being assembled would get (0 when not a packet). */
  private pendingFrame = 0;

  constructor(private readonly sink: FrameSink) {
    super(BLOCK_PREFIX_BYTES);
  }

  protected parseUnit(buf: Uint8Array, start: number, avail: number, fileOffset: number): number {
    if (this.trailerExpected >= 0) return this.parseTrailer(buf, start, avail);
    if (avail < BLOCK_PREFIX_BYTES) {
      this.need = BLOCK_PREFIX_BYTES;
      this.pendingFrame = 0;
      return 0;
    }
    let type = u32(buf, start, this.le);
    if (type === BT_SHB) {
      const bom = u32(buf, start + 8, true);
      if (bom === BYTE_ORDER_MAGIC) this.le = true;
      else if (bom === 0x4d3c2b1a) this.le = false;
      else {
        this.fail('pcapng-bad-byte-order-magic', `Section Header Block with byte-order magic 0x${bom.toString(16)}: not pcapng, or damaged; reading stops.`, fileOffset);
        return 0;
      }
    } else if (!this.inSection) {
      this.fail('pcapng-no-section-header', 'The file does not start with a pcapng Section Header Block; reading stops.', fileOffset);
      return 0;
    }
    type = u32(buf, start, this.le);
    const total = u32(buf, start + 4, this.le);
    const isPacket = type === BT_EPB || type === BT_SPB || type === BT_PB;
    const isRecord = isPacket || type === BT_JOURNAL || type === BT_CUSTOM || type === BT_CUSTOM_NOCOPY
      || type === BT_SYSDIG_EVENT || type === BT_SYSDIG_EVENT_V2 || type === BT_SYSDIG_EVENT_V2_LARGE;
    if (total < 12 || total % 4 !== 0 || total > MAX_SKIPPED_BLOCK) {
      // The length is the only way to the next block: when it is impossible, nothing after it
      // can be located reliably.
      this.fail(
        'pcapng-bad-block-length',
        `Block of type 0x${type.toString(16)} claims a total length of ${total} bytes (must be a multiple of 4, at least 12, at most ${MAX_SKIPPED_BLOCK}): the file is damaged here and reading stops.`,
        fileOffset,
        isRecord ? this.frameNo + 1 : undefined,
      );
      return 0;
    }
    const wanted = type === BT_SHB || type === BT_IDB || isPacket;
    if (wanted && total <= MAX_BUFFERED_BLOCK) {
      if (avail < total) {
        this.need = total;
        this.pendingFrame = isPacket ? this.frameNo + 1 : 0;
        return 0;
      }
      this.need = BLOCK_PREFIX_BYTES;
      this.parseBlock(type, buf, start, total, fileOffset);
      return total;
    }
    // Skip the body as it streams past; check the trailing length once it arrives.
    this.skippedFrame = 0;
    if (isRecord) {
      this.frameNo++;
      this.skippedFrame = this.frameNo;
      if (isPacket) {
        this.sink.problem({
          code: 'pcapng-block-too-large',
          message: `Packet block of frame ${this.frameNo} is ${total} bytes long, more than the ${MAX_BUFFERED_BLOCK} this reader buffers; the frame is skipped.`,
          severity: 'warning',
          frame: this.frameNo,
          offset: fileOffset,
        });
      }
    } else if (type === BT_SHB || type === BT_IDB) {
      this.sink.problem({
        code: 'pcapng-block-too-large',
        message: `${type === BT_SHB ? 'Section Header' : 'Interface Description'} Block of ${total} bytes is larger than this reader buffers; it is skipped.`,
        severity: 'warning',
        offset: fileOffset,
      });
      if (type === BT_SHB) this.startSection();
      else this.ifaces.push({ linkType: -1, snaplen: 0, pow10: true, exp: 6, tsOffset: 0 });
    }
    if (total === 12) {
      this.checkTrailer(u32(buf, start + 8, this.le), total, fileOffset);
      return 12;
    }
    this.trailerExpected = total;
    this.trailerBlockOffset = fileOffset;
    this.skip = total - 16;
    this.need = 4;
    return BLOCK_PREFIX_BYTES;
  }

  private parseTrailer(buf: Uint8Array, start: number, avail: number): number {
    if (avail < 4) {
      this.need = 4;
      return 0;
    }
    const expected = this.trailerExpected;
    this.trailerExpected = -1;
    this.need = BLOCK_PREFIX_BYTES;
    this.checkTrailer(u32(buf, start, this.le), expected, this.trailerBlockOffset, this.skippedFrame || undefined);
    return 4;
  }

  private checkTrailer(trailer: number, total: number, blockOffset: number, frame?: number): void {
    if (trailer === total) return;
    // Wireshark stops here; the leading length got us this far, so trust it and go on: the next
    // block's own checks will tell whether the stream is still in step.
    this.sink.problem({
      code: 'pcapng-block-length-mismatch',
      message: `Block at offset ${blockOffset} says ${total} bytes at its start but ${trailer} at its end.`,
      severity: 'warning',
      frame,
      offset: blockOffset,
    });
  }

  private parseBlock(type: number, b: Uint8Array, s: number, total: number, off: number): void {
    const le = this.le;
    const bodyEnd = s + total - 4;
    let frame: number | undefined;
    if (type === BT_EPB || type === BT_SPB || type === BT_PB) frame = ++this.frameNo;
    this.checkTrailer(u32(b, bodyEnd, le), total, off, frame);
    switch (type) {
      case BT_SHB: {
        if (total < 28) {
          this.bad('Section Header Block shorter than 28 bytes', off);
          this.startSection();
          return;
        }
        const major = u16(b, s + 12, le);
        const minor = u16(b, s + 14, le);
        if (major !== 1) {
          this.sink.problem({
            code: 'pcapng-unsupported-version',
            message: `pcapng section version ${major}.${minor} (expected 1.0); reading it as 1.0.`,
            severity: 'warning',
            offset: off,
          });
        }
        this.startSection();
        return;
      }
      case BT_IDB: {
        if (total < 20) {
          this.bad('Interface Description Block shorter than 20 bytes', off);
          this.ifaces.push({ linkType: -1, snaplen: 0, pow10: true, exp: 6, tsOffset: 0 });
          return;
        }
        const iface: Iface = { linkType: u16(b, s + 8, le), snaplen: u32(b, s + 12, le), pow10: true, exp: 6, tsOffset: 0 };
        this.readIfaceOptions(iface, b, s + 16, bodyEnd, off - s);
        this.ifaces.push(iface);
        return;
      }
      case BT_EPB:
      case BT_PB: {
        if (total < 32) {
          this.bad(`${type === BT_EPB ? 'Enhanced' : 'Obsolete'} Packet Block shorter than 32 bytes`, off, frame);
          return;
        }
        const ifId = type === BT_EPB ? u32(b, s + 8, le) : u16(b, s + 8, le);
        const capLen = u32(b, s + 20, le);
        const origLen = u32(b, s + 24, le);
        if (28 + capLen > total - 4) {
          this.bad(`Packet block of frame ${frame} claims ${capLen} captured bytes but holds only ${total - 32}`, off, frame);
          return;
        }
        const iface = this.iface(ifId, off, frame!);
        if (!iface) return;
        this.emit(frame!, iface, ifId, this.timestamp(iface, u32(b, s + 12, le), u32(b, s + 16, le)), b, s + 28, s + 28 + capLen, origLen, off + 28);
        return;
      }
      case BT_SPB: {
        if (total < 16) {
          this.bad('Simple Packet Block shorter than 16 bytes', off, frame);
          return;
        }
        const iface = this.iface(0, off, frame!);
        if (!iface) return;
        const origLen = u32(b, s + 8, le);
        // The block holds the packet plus padding; the real length is the smallest of the
        // original length, the block's room and the interface's snaplen (pcapng §4.4).
        let capLen = Math.min(origLen, total - 16);
        if (iface.snaplen !== 0 && capLen > iface.snaplen) capLen = iface.snaplen;
        // No timestamp in an SPB: Wireshark shows none; epoch 0 is the neutral value.
        this.emit(frame!, iface, 0, { sec: 0, nsec: 0 }, b, s + 12, s + 12 + capLen, origLen, off + 12);
        return;
      }
    }
  }

  /** One frame, its captured bytes at b[start, end). */
  private emit(frame: number, iface: Iface, ifId: number, ts: Timestamp, b: Uint8Array, start: number, end: number, origLen: number, fileOffset: number): void {
    if (this.sink.frameAt !== undefined) {
      this.sink.frameAt(b, start, end, frame, iface.linkType, ts.sec, ts.nsec, origLen, fileOffset, ifId);
      return;
    }
    const f: RawFrame = { frame, linkType: iface.linkType, ts, data: b.subarray(start, end), origLen, fileOffset, interfaceId: ifId };
    this.sink.frame(f);
  }

  private iface(id: number, off: number, frame: number): Iface | undefined {
    const iface = this.ifaces[id];
    if (iface && iface.linkType >= 0) return iface;
    this.sink.problem({
      code: 'pcapng-unknown-interface',
      message: iface
        ? `Frame ${frame} names interface ${id}, whose description block could not be read; the frame is skipped.`
        : `Frame ${frame} names interface ${id}, but section ${this.sectionNo} describes ${this.ifaces.length} interface(s); the frame is skipped.`,
      severity: 'warning',
      frame,
      offset: off,
    });
    return undefined;
  }

  private readIfaceOptions(iface: Iface, b: Uint8Array, p: number, end: number, bufBase: number): void {
    const le = this.le;
    while (p + 4 <= end) {
      const code = u16(b, p, le);
      const len = u16(b, p + 2, le);
      if (code === OPT_END) return;
      const v = p + 4;
      if (v + len > end) {
        this.bad(`Interface Description Block option ${code} runs past the end of the block`, bufBase + p);
        return;
      }
      if (code === OPT_IF_TSRESOL && len >= 1) {
        const r = b[v];
        const pow10 = (r & 0x80) === 0;
        const exp = r & 0x7f;
        // Beyond these, one unit is below 1e-19 s or the count overflows 64 bits in a second.
        if ((pow10 && exp <= 19) || (!pow10 && exp <= 63)) {
          iface.pow10 = pow10;
          iface.exp = exp;
        } else {
          this.sink.problem({
            code: 'pcapng-bad-tsresol',
            message: `if_tsresol 0x${r.toString(16)} is out of range; using microseconds.`,
            severity: 'warning',
            offset: bufBase + v,
          });
        }
      } else if (code === OPT_IF_TSOFFSET && len >= 8) {
        // Signed 64-bit seconds; any realistic value fits a double exactly.
        const lo = u32(b, le ? v : v + 4, le);
        const hi = u32(b, le ? v + 4 : v, le) | 0;
        iface.tsOffset = hi * 4294967296 + lo;
      }
      p = v + ((len + 3) & ~3);
    }
  }

  /** Converts a 64-bit count of interface units to seconds + nanoseconds, exactly. */
  private timestamp(iface: Iface, high: number, low: number): Timestamp {
    if (iface.pow10 && iface.exp <= 9) {
      const exp = iface.exp;
      if (exp === 0) return { sec: high * 4294967296 + low + iface.tsOffset, nsec: 0 };
      // Long division by 10^exp in base 2^16: every intermediate stays below 2^46, so exact.
      const d = POW10[exp];
      let r = high >>> 16;
      const q3 = Math.floor(r / d);
      r = (r - q3 * d) * 65536 + (high & 0xffff);
      const q2 = Math.floor(r / d);
      r = (r - q2 * d) * 65536 + (low >>> 16);
      const q1 = Math.floor(r / d);
      r = (r - q1 * d) * 65536 + (low & 0xffff);
      const q0 = Math.floor(r / d);
      r -= q0 * d;
      const sec = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0;
      return { sec: sec + iface.tsOffset, nsec: r * POW10[9 - exp] };
    }
    // Rare resolutions (powers of two, finer than 1 ns): BigInt, truncating like Wireshark.
    const v = (BigInt(high) << 32n) | BigInt(low);
    const unitsPerSec = iface.pow10 ? 10n ** BigInt(iface.exp) : 1n << BigInt(iface.exp);
    const sec = v / unitsPerSec;
    const nsec = ((v % unitsPerSec) * 1000000000n) / unitsPerSec;
    return { sec: Number(sec) + iface.tsOffset, nsec: Number(nsec) };
  }

  private startSection(): void {
    this.inSection = true;
    this.sectionNo++;
    this.ifaces = [];
  }

  private bad(what: string, offset: number, frame?: number): void {
    this.sink.problem({ code: 'pcapng-bad-block', message: `${what}; skipped.`, severity: 'warning', frame, offset });
  }

  private fail(code: string, message: string, offset: number, frame?: number): void {
    this.sink.problem({ code, message, severity: 'error', frame, offset });
    this.stopped = true;
  }

  protected finish(pending: number, skipLeft: number): void {
    if (this.stopped) return;
    if (!this.inSection && pending === 0 && skipLeft === 0) {
      this.sink.problem({ code: 'pcapng-no-section-header', message: 'The file holds no pcapng Section Header Block.', severity: 'error', offset: 0 });
      return;
    }
    if (pending === 0 && skipLeft === 0 && this.trailerExpected < 0) return;
    const blockStart = this.trailerExpected >= 0 ? this.trailerBlockOffset : this.offset;
    this.sink.problem({
      code: 'pcapng-truncated-block',
      message: this.trailerExpected >= 0
        ? `The file is cut short inside the ${this.trailerExpected}-byte block at offset ${blockStart}.`
        : `The file is cut short inside a ${this.pendingFrame && pending >= BLOCK_PREFIX_BYTES ? `packet block (frame ${this.pendingFrame})` : 'block'} at offset ${blockStart} (${pending} of ${this.need} bytes); it is not read.`,
      severity: 'warning',
      frame: (this.trailerExpected >= 0 ? this.skippedFrame : pending >= BLOCK_PREFIX_BYTES ? this.pendingFrame : 0) || undefined,
      offset: blockStart,
    });
  }
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];
