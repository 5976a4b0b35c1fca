/**
 * Classic libpcap reader (https://www.tcpdump.org/manpages/pcap-savefile.5.html,
 * draft-ietf-opsawg-pcap): a 24-byte file header, then records of a 16-byte header plus the
 * captured bytes. Both byte orders, microsecond and nanosecond magics, and Kuznetzov's
 * "modified" format (24-byte record headers) that some old Linux tools wrote.
 */
import type { RawFrame } from '../types';
import { ChunkedParser, u32, u16 } from './chunked';
import { MAX_PACKET_BYTES, type CaptureReader, type FrameSink } from './types';

export type { FrameSink } from './types';

const FILE_HEADER_BYTES = 24;

export class PcapReader extends ChunkedParser implements CaptureReader {
  private inHeader = true;
  private le = true;
  private nanos = false;
  private recordHeaderBytes = 16;
  private snaplen = MAX_PACKET_BYTES;
  private linkType = 0;
  private frameNo = 0;
  private warnedSnaplen = false;

  constructor(private readonly sink: FrameSink) {
    super(FILE_HEADER_BYTES);
  }

  protected parseUnit(buf: Uint8Array, start: number, avail: number, fileOffset: number): number {
    if (this.inHeader) return this.parseFileHeader(buf, start, avail);
    const hdr = this.recordHeaderBytes;
    if (avail < hdr) {
      this.need = hdr;
      return 0;
    }
    const inclLen = u32(buf, start + 8, this.le);
    const origLen = u32(buf, start + 12, this.le);
    const frame = this.frameNo + 1;
    if (inclLen > MAX_PACKET_BYTES) {
      // Never allocate what the file claims. A length the file header allows (a huge snaplen)
      // can be skipped as it streams past; beyond that the header itself is garbage, nothing
      // after it can be trusted, and pcap has no marker to resynchronise on (Wireshark stops too).
      const plausible = inclLen <= this.snaplen && inclLen <= origLen;
      this.sink.problem({
        code: 'pcap-record-too-large',
        message: plausible
          ? `Frame ${frame} claims ${inclLen} captured bytes, more than the ${MAX_PACKET_BYTES} this reader buffers; the frame is skipped.`
          : `The record header of frame ${frame} claims ${inclLen} captured bytes (snaplen ${this.snaplen}, ${origLen} on the wire): the file is damaged here and reading stops.`,
        severity: plausible ? 'warning' : 'error',
        frame,
        offset: fileOffset,
      });
      if (!plausible) {
        this.stopped = true;
        return 0;
      }
      this.frameNo = frame;
      this.skip = inclLen;
      this.need = hdr;
      return hdr;
    }
    const total = hdr + inclLen;
    if (avail < total) {
      this.need = total;
      return 0;
    }
    this.frameNo = frame;
    if (inclLen > this.snaplen && !this.warnedSnaplen) {
      // Wireshark reads such records; say so once, since the writer's header is inconsistent.
      this.warnedSnaplen = true;
      this.sink.problem({
        code: 'pcap-record-exceeds-snaplen',
        message: `Frame ${frame} has ${inclLen} captured bytes, more than the file's snaplen of ${this.snaplen}; read anyway.`,
        severity: 'warning',
        frame,
        offset: fileOffset,
      });
    }
    this.need = hdr;
    let sec = u32(buf, start, this.le);
    let nsec = u32(buf, start + 4, this.le);
    if (!this.nanos) nsec *= 1000;
    if (nsec >= 1e9) {
      // Out-of-range fraction from a buggy writer: carry into seconds rather than print nonsense.
      sec += Math.floor(nsec / 1e9);
      nsec %= 1e9;
    }
    if (this.sink.frameAt !== undefined) {
      this.sink.frameAt(buf, start + hdr, start + total, frame, this.linkType, sec, nsec, origLen, fileOffset + hdr, 0);
      return total;
    }
    const f: RawFrame = {
      frame,
      linkType: this.linkType,
      ts: { sec, nsec },
      data: buf.subarray(start + hdr, start + total),
      origLen,
      fileOffset: fileOffset + hdr,
      interfaceId: 0,
    };
    this.sink.frame(f);
    return total;
  }

  private parseFileHeader(buf: Uint8Array, start: number, avail: number): number {
    if (avail < FILE_HEADER_BYTES) {
      this.need = FILE_HEADER_BYTES;
      return 0;
    }
    const b0 = buf[start], b1 = buf[start + 1], b2 = buf[start + 2], b3 = buf[start + 3];
    const magicBE = ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
    const magicLE = ((b3 << 24) | (b2 << 16) | (b1 << 8) | b0) >>> 0;
    let magic: number;
    if (isPcapMagic(magicBE)) {
      this.le = false;
      magic = magicBE;
    } else if (isPcapMagic(magicLE)) {
      this.le = true;
      magic = magicLE;
    } else {
      this.sink.problem({
        code: 'pcap-bad-magic',
        message: `Not a pcap file: magic 0x${magicBE.toString(16).padStart(8, '0')}.`,
        severity: 'error',
        offset: 0,
      });
      this.stopped = true;
      return 0;
    }
    this.nanos = magic === 0xa1b23c4d;
    this.recordHeaderBytes = magic === 0xa1b2cd34 ? 24 : 16;
    const major = u16(buf, start + 4, this.le);
    const minor = u16(buf, start + 6, this.le);
    if (major !== 2) {
      this.sink.problem({
        code: 'pcap-unsupported-version',
        message: `pcap version ${major}.${minor} (expected 2.4); reading it as 2.4.`,
        severity: 'warning',
        offset: 4,
      });
    }
    const snaplen = u32(buf, start + 16, this.le);
    this.snaplen = snaplen === 0 ? MAX_PACKET_BYTES : snaplen;
    // The upper bits of this field carry the FCS length (draft-ietf-opsawg-pcap §4); the link
    // type is the low 16 bits.
    this.linkType = u32(buf, start + 20, this.le) & 0xffff;
    this.inHeader = false;
    this.need = this.recordHeaderBytes;
    return FILE_HEADER_BYTES;
  }

  protected finish(pending: number, skipLeft: number): void {
    if (this.stopped) return;
    if (this.inHeader) {
      this.sink.problem({
        code: 'pcap-truncated-header',
        message: `The file ends after ${pending} bytes, inside the ${FILE_HEADER_BYTES}-byte pcap file header.`,
        severity: 'error',
        offset: 0,
      });
      return;
    }
    const frame = this.frameNo + 1;
    if (skipLeft > 0) {
      this.sink.problem({
        code: 'pcap-truncated-record',
        message: `The file ends ${skipLeft} bytes short of the end of skipped frame ${this.frameNo}.`,
        severity: 'warning',
        frame: this.frameNo,
        offset: this.offset,
      });
    } else if (pending > 0) {
      const where = pending < this.recordHeaderBytes
        ? `inside the record header of frame ${frame} (${pending} of ${this.recordHeaderBytes} bytes)`
        : `inside frame ${frame} (${pending - this.recordHeaderBytes} of ${this.need - this.recordHeaderBytes} captured bytes)`;
      this.sink.problem({
        code: 'pcap-truncated-record',
        message: `The file is cut short ${where}; that frame is not read.`,
        severity: 'warning',
        frame,
        offset: this.offset,
      });
    }
  }
}

function isPcapMagic(m: number): boolean {
  return m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xa1b2cd34;
}
