/**
 * Link and network layers: one RawFrame in, UDP datagrams and TCP segments out.
 *
 * Link types: Ethernet (stacked VLAN tags, PPPoE, MPLS), Linux SLL / SLL2, BSD NULL / LOOP, raw IP,
 * IPv4, IPv6. Network: IPv4 (RFC 791), IPv6 with extension headers (RFC 8200 §4), IP-in-IP
 * (RFC 2003, RFC 4213), GRE (RFC 2784/2890; PPTP's enhanced GRE with PPP), fragments reassembled by
 * `FragmentReassembler`. Transport: UDP (RFC 768) and TCP (RFC 9293) headers only; TCP stream
 * reassembly is the next layer's job.
 *
 * Hot path: bytes are read by index, no object is built for a packet that carries nothing, and
 * addresses are formatted only when a payload is emitted. Emitted `data` is a view into the
 * frame (or into a reassembled buffer): copy it to keep it beyond the callback.
 */
import { TcpFlags, type Problem, type ProblemSink, type RawFrame, type TcpSegment, type Timestamp, type TransportPayload } from '../types';
import { FragmentReassembler, type FragmentOptions } from './fragments';
import {
  IPPROTO_AH, IPPROTO_ESP, IPPROTO_FRAGMENT, IPPROTO_GRE, IPPROTO_IPIP, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP,
  Ipv4Names, formatIPv4, formatIPv6, isGenericIpv6ExtHeader, protocolName,
} from './ip';
import {
  ETHERTYPE_ERSPAN, ETHERTYPE_IPV4, ETHERTYPE_IPV6, ETHERTYPE_PPP, ETHERTYPE_TEB, LINKTYPE_ETHERNET, LINKTYPE_IPV4, LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_LOOP, LINKTYPE_NULL, LINKTYPE_RAW, LINKTYPE_RAW_BSD12, LINKTYPE_RAW_BSD14,
  PPP_IPV4, PPP_IPV6, linkTypeName, walkEtherType, walkEthernet, walkNull, walkSll, walkSll2,
} from './link';

export interface PacketSink extends ProblemSink {
  /** A UDP datagram with a non-empty payload. */
  udp(p: TransportPayload): void;
  /** A TCP segment with a payload, or with SYN, FIN or RST (pure ACKs are not emitted). */
  tcp(s: TcpSegment): void;
}

export interface PacketDecoderOptions extends FragmentOptions {
  /**
   * Asked before a UDP payload (`d[start, end)`, non-empty) is emitted; false drops it without
   * building the payload object or formatting its addresses. The trace engine passes a SIP
   * recogniser so that RTP, DNS and other bulk datagrams cost a few byte reads each.
   */
  udpFilter?: (d: Uint8Array, start: number, end: number) => boolean;
}

/** Tunnels inside tunnels beyond this are reported rather than followed. */
const MAX_TUNNEL_DEPTH = 8;
const EMIT_WITHOUT_DATA = TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST;

export class PacketDecoder {
  private readonly frags: FragmentReassembler;
  private readonly udpFilter: PacketDecoderOptions['udpFilter'];
  private readonly v4names = new Ipv4Names();
  private readonly unsupported = new Set<string>();
  /** SIP that cannot be read (catalog P-11, CAPTURE-001), counted per kind, reported once at the end. */
  private readonly opaque = new Map<OpaqueKind, { frames: number; first: number; offset?: number }>();

  // Per-frame state, kept in fields so that the walk allocates nothing.
  private frameNo = 0;
  private tsSec = 0;
  private tsNsec = 0;
  /** The frame's timestamp object: the RawFrame's, or built on first use (most frames emit nothing). */
  private ts: Timestamp | undefined;
  private origLen = 0;
  /** Captured bytes of the frame. */
  private capLen = 0;
  private frameFileOffset = 0;
  /** The frame was cut by a snaplen (fewer bytes captured than were on the wire). */
  private snapCut = false;
  private truncationReported = false;
  private malformedReported = false;
  /** File offset of index 0 of the buffer being walked; -1 inside a reassembled datagram. */
  private base = 0;
  private depth = 0;
  /** Addresses of the innermost IP header seen: buffer, source and destination offsets. */
  private addrBuf: Uint8Array = new Uint8Array(0);
  private srcOff = 0;
  private dstOff = 0;
  private v6 = false;

  constructor(
    private readonly sink: PacketSink,
    opts: PacketDecoderOptions = {},
  ) {
    this.frags = new FragmentReassembler(sink, opts);
    this.udpFilter = opts.udpFilter;
  }

  frame(f: RawFrame): void {
    this.walk(f.data, 0, f.data.length, f.frame, f.linkType, f.ts.sec, f.ts.nsec, f.origLen, f.fileOffset, f.interfaceId, f.ts);
  }

  /**
   * `frame` for a frame whose captured bytes are buf[start, end) (FrameSink.frameAt): no
   * RawFrame, no view and no timestamp object are built unless a payload is emitted.
   */
  frameAt(buf: Uint8Array, start: number, end: number, frame: number, linkType: number, sec: number, nsec: number, origLen: number, fileOffset: number, interfaceId: number): void {
    this.walk(buf, start, end, frame, linkType, sec, nsec, origLen, fileOffset, interfaceId, undefined);
  }

  private walk(d: Uint8Array, start: number, end: number, frame: number, linkType: number, sec: number, nsec: number, origLen: number, fileOffset: number, interfaceId: number, ts: Timestamp | undefined): void {
    this.frameNo = frame;
    this.tsSec = sec;
    this.tsNsec = nsec;
    this.ts = ts;
    this.origLen = origLen;
    this.capLen = end - start;
    this.frameFileOffset = fileOffset;
    this.snapCut = origLen > end - start;
    this.truncationReported = false;
    this.malformedReported = false;
    // Offsets below index `d`: file offset = base + index.
    this.base = fileOffset - start;
    this.depth = 0;
    if (this.frags.pendingCount > 0) this.frags.expire(sec + nsec / 1e9);
    switch (linkType) {
      case LINKTYPE_ETHERNET:
        this.network(d, walkEthernet(d, start, end), end);
        return;
      case LINKTYPE_LINUX_SLL:
        this.network(d, walkSll(d, end, start), end);
        return;
      case LINKTYPE_LINUX_SLL2:
        this.network(d, walkSll2(d, end, start), end);
        return;
      case LINKTYPE_NULL:
      case LINKTYPE_LOOP:
        this.network(d, walkNull(d, end, start), end);
        return;
      case LINKTYPE_RAW:
      case LINKTYPE_RAW_BSD12:
      case LINKTYPE_RAW_BSD14:
        this.rawIp(d, start, end);
        return;
      case LINKTYPE_IPV4:
        this.ipv4(d, start, end);
        return;
      case LINKTYPE_IPV6:
        this.ipv6(d, start, end);
        return;
      default:
        this.unsupportedLink(frame, linkType, fileOffset, interfaceId);
    }
  }

  private timestamp(): Timestamp {
    return (this.ts ??= { sec: this.tsSec, nsec: this.tsNsec });
  }

  /** Reports datagrams whose fragments never all arrived, and the SIP that could not be read. */
  end(): void {
    this.frags.end();
    for (const [kind, o] of this.opaque) {
      const what = OPAQUE_TEXT[kind];
      this.sink.problem({
        code: 'sip-not-inspectable',
        message:
          `CAPTURE-001: ${o.frames} frame${o.frames === 1 ? '' : 's'} of ${what.name} (first: frame ${o.first}), ${what.why}; ` +
          `REGISTER exchanges inside ${o.frames === 1 ? 'it' : 'them'} are not checked.`,
        severity: 'info',
        frame: o.first,
        ...(o.offset !== undefined ? { offset: o.offset } : {}),
      });
    }
  }

  /** Counts a frame of SIP that cannot be read (encrypted or compressed). */
  private notInspectable(kind: OpaqueKind, at: number): void {
    const o = this.opaque.get(kind);
    if (o) {
      o.frames++;
      return;
    }
    this.opaque.set(kind, { frames: 1, first: this.frameNo, offset: this.base >= 0 && at >= 0 ? this.base + at : undefined });
  }

  private unsupportedLink(frame: number, linkType: number, fileOffset: number, interfaceId: number): void {
    const key = `${interfaceId}:${linkType}`;
    if (this.unsupported.has(key)) return;
    this.unsupported.add(key);
    this.sink.problem({
      code: 'link-type-unsupported',
      message: `Interface ${interfaceId} captured with ${linkTypeName(linkType)}, which is not decoded; its frames are skipped (first: frame ${frame}).`,
      severity: 'warning',
      frame,
      offset: fileOffset,
    });
  }

  /** `packed` is a link walk's result: offset * 0x10000 + EtherType, or -1. */
  private network(d: Uint8Array, packed: number, end: number): void {
    if (packed < 0) return;
    const type = packed % 0x10000;
    const p = (packed - type) / 0x10000;
    if (type === ETHERTYPE_IPV4) this.ipv4(d, p, end);
    else if (type === ETHERTYPE_IPV6) this.ipv6(d, p, end);
  }

  private rawIp(d: Uint8Array, p: number, end: number): void {
    if (end - p < 1) return;
    const v = d[p] >> 4;
    if (v === 4) this.ipv4(d, p, end);
    else if (v === 6) this.ipv6(d, p, end);
    else this.malformed('ip-malformed', `Raw IP frame starts with IP version ${v}, neither 4 nor 6.`, p);
  }

  private ipv4(d: Uint8Array, p: number, end: number): void {
    const avail = end - p;
    if (avail < 20 || d[p] >> 4 !== 4 || (d[p] & 0x0f) < 5) {
      if (avail < 20 && this.snapCut) {
        if (avail >= 10 && (d[p + 9] === IPPROTO_UDP || d[p + 9] === IPPROTO_TCP)) this.truncated(p);
        return;
      }
      this.malformed('ipv4-malformed', avail < 20 ? `IPv4 header cut short: ${avail} bytes.` : `Not a valid IPv4 header (first byte 0x${d[p].toString(16)}).`, p);
      return;
    }
    const ihl = (d[p] & 0x0f) * 4;
    let totalLen = (d[p + 2] << 8) | d[p + 3];
    // 0 is what a host with TCP segmentation offload records for its own outgoing packets.
    if (totalLen === 0) totalLen = avail;
    if (totalLen < ihl) {
      this.malformed('ipv4-malformed', `IPv4 total length ${totalLen} is shorter than its ${ihl}-byte header.`, p);
      return;
    }
    let ipEnd = p + totalLen;
    let cut = false;
    if (ipEnd > end) {
      // Like Wireshark, go on with the bytes there are: the payload may still be readable.
      if (this.snapCut) cut = true;
      else this.malformed('ipv4-bad-length', `IPv4 total length ${totalLen} exceeds the ${avail} bytes in the frame.`, p);
      ipEnd = end;
    }
    if (p + ihl > ipEnd) {
      if (cut) this.truncatedIfTransport(d[p + 9], p);
      return;
    }
    const proto = d[p + 9];
    this.addrBuf = d;
    this.srcOff = p + 12;
    this.dstOff = p + 16;
    this.v6 = false;
    const fragField = (d[p + 6] << 8) | d[p + 7];
    const more = (fragField & 0x2000) !== 0;
    const fragOffset = (fragField & 0x1fff) * 8;
    if (!more && fragOffset === 0) {
      this.transport(proto, d, p + ihl, ipEnd, cut);
      return;
    }
    if (cut) {
      // A fragment missing bytes can never be reassembled into the real datagram.
      this.truncated(p);
      return;
    }
    const payload = d.subarray(p + ihl, ipEnd);
    if (more && payload.length % 8 !== 0) {
      this.malformed('ip-fragment-malformed', `IPv4 fragment with more fragments to follow carries ${payload.length} bytes, not a multiple of 8.`, p);
      return;
    }
    const id = (d[p + 4] << 8) | d[p + 5];
    const src = ((d[p + 12] << 24) | (d[p + 13] << 16) | (d[p + 14] << 8) | d[p + 15]) >>> 0;
    const dst = ((d[p + 16] << 24) | (d[p + 17] << 16) | (d[p + 18] << 8) | d[p + 19]) >>> 0;
    const srcOff = p + 12;
    const done = this.frags.add(
      `4 ${src} ${dst} ${id} ${proto}`,
      () => `IPv4 datagram ${formatIPv4(d, srcOff)} -> ${formatIPv4(d, srcOff + 4)} id 0x${id.toString(16)} (${protocolName(proto)})`,
      this.frameNo,
      this.tsSec + this.tsNsec / 1e9,
      fragOffset,
      more,
      payload,
    );
    if (done) {
      this.base = -1;
      this.transport(proto, done.data, 0, done.data.length, false);
    }
  }

  private ipv6(d: Uint8Array, p: number, end: number): void {
    const avail = end - p;
    if (avail < 40 || d[p] >> 4 !== 6) {
      if (avail < 40 && this.snapCut) return;
      this.malformed('ipv6-malformed', avail < 40 ? `IPv6 header cut short: ${avail} bytes.` : `Not a valid IPv6 header (version ${d[p] >> 4}).`, p);
      return;
    }
    const payloadLen = (d[p + 4] << 8) | d[p + 5];
    let ipEnd = p + 40 + payloadLen;
    let cut = false;
    // Payload length 0: a jumbogram (RFC 2675) or an offloaded segment; take what was captured.
    if (payloadLen === 0) ipEnd = end;
    else if (ipEnd > end) {
      if (this.snapCut) cut = true;
      else this.malformed('ipv6-bad-length', `IPv6 payload length ${payloadLen} exceeds the ${avail - 40} bytes in the frame.`, p);
      ipEnd = end;
    }
    this.addrBuf = d;
    this.srcOff = p + 8;
    this.dstOff = p + 24;
    this.v6 = true;
    this.ipv6Chain(d[p + 6], d, p + 40, ipEnd, cut, p);
  }

  /** Walks IPv6 extension headers from `q` (next header `nh`) to the upper layer. */
  private ipv6Chain(nh: number, d: Uint8Array, q: number, ipEnd: number, cut: boolean, hdr: number): void {
    for (;;) {
      let len: number;
      if (isGenericIpv6ExtHeader(nh)) len = 8;
      else if (nh === IPPROTO_AH || nh === IPPROTO_FRAGMENT) len = 8;
      else break;
      if (ipEnd - q < len) {
        if (!cut) this.malformed('ipv6-malformed', `IPv6 extension header ${nh} cut short.`, q);
        return;
      }
      if (nh === IPPROTO_FRAGMENT) {
        this.ipv6Fragment(d, q, ipEnd, cut, hdr);
        return;
      }
      len = nh === IPPROTO_AH ? (d[q + 1] + 2) * 4 : (d[q + 1] + 1) * 8;
      nh = d[q];
      q += len;
      if (q > ipEnd) {
        if (!cut) this.malformed('ipv6-malformed', 'IPv6 extension header runs past the end of the packet.', q - len);
        return;
      }
    }
    // ESP (50) and "no next header" (59) end here: the transport switch ignores them.
    this.transport(nh, d, q, ipEnd, cut);
  }

  private ipv6Fragment(d: Uint8Array, q: number, ipEnd: number, cut: boolean, hdr: number): void {
    const nh = d[q];
    const field = (d[q + 2] << 8) | d[q + 3];
    const fragOffset = field & 0xfff8;
    const more = (field & 1) !== 0;
    if (fragOffset === 0 && !more) {
      // An atomic fragment (RFC 6946): a whole packet that merely carries the header.
      this.ipv6Chain(nh, d, q + 8, ipEnd, cut, hdr);
      return;
    }
    if (cut) {
      this.truncated(hdr);
      return;
    }
    const payload = d.subarray(q + 8, ipEnd);
    if (more && payload.length % 8 !== 0) {
      this.malformed('ip-fragment-malformed', `IPv6 fragment with more fragments to follow carries ${payload.length} bytes, not a multiple of 8.`, q);
      return;
    }
    const id = ((d[q + 4] << 24) | (d[q + 5] << 16) | (d[q + 6] << 8) | d[q + 7]) >>> 0;
    const srcOff = this.srcOff;
    const done = this.frags.add(
      `6 ${hex16(d, srcOff)} ${hex16(d, srcOff + 16)} ${id} ${nh}`,
      () => `IPv6 datagram ${formatIPv6(d, srcOff)} -> ${formatIPv6(d, srcOff + 16)} id 0x${id.toString(16)} (${protocolName(nh)})`,
      this.frameNo,
      this.tsSec + this.tsNsec / 1e9,
      fragOffset,
      more,
      payload,
    );
    if (done) {
      this.base = -1;
      // The fragmentable part may begin with more extension headers (RFC 8200 §4.5).
      this.ipv6Chain(nh, done.data, 0, done.data.length, false, -1);
    }
  }

  private transport(proto: number, d: Uint8Array, q: number, end: number, cut: boolean): void {
    switch (proto) {
      case IPPROTO_UDP:
        this.udp(d, q, end, cut);
        return;
      case IPPROTO_TCP:
        this.tcp(d, q, end, cut);
        return;
      case IPPROTO_IPIP:
        if (this.tunnel(q)) this.ipv4(d, q, end);
        return;
      case IPPROTO_IPV6:
        if (this.tunnel(q)) this.ipv6(d, q, end);
        return;
      case IPPROTO_GRE:
        if (this.tunnel(q)) this.gre(d, q, end, cut);
        return;
      case IPPROTO_ESP:
        // IMS security agreements protect SIP with ESP (3GPP TS 33.203); without the keys (or
        // ESP's null encryption stripped by the capturing tool) nothing inside can be read.
        this.notInspectable('esp', q);
        return;
    }
  }

  private tunnel(q: number): boolean {
    if (++this.depth <= MAX_TUNNEL_DEPTH) return true;
    this.malformed('tunnel-too-deep', `More than ${MAX_TUNNEL_DEPTH} nested tunnels; the innermost are not decoded.`, q);
    return false;
  }

  /**
   * GRE: version 0 (RFC 2784, key and sequence number of RFC 2890) carrying IP, Ethernet
   * (transparent bridging) or ERSPAN; version 1, PPTP's enhanced GRE (RFC 2637 §4.1), carrying
   * PPP. RFC 1701 source routing (R bit) is not followed.
   */
  private gre(d: Uint8Array, q: number, end: number, cut: boolean): void {
    if (end - q < 4) {
      if (!cut) this.malformed('gre-malformed', 'GRE header cut short.', q);
      return;
    }
    const flags = (d[q] << 8) | d[q + 1];
    const version = flags & 0x7;
    if (version > 1 || (flags & 0x4000) !== 0) return;
    const type = (d[q + 2] << 8) | d[q + 3];
    let h = 4;
    if (flags & 0x8000) h += 4; // checksum + reserved1
    if (flags & 0x2000) h += 4; // key (v1: payload length + call id)
    if (flags & 0x1000) h += 4; // sequence number
    if (version === 1 && flags & 0x0080) h += 4; // acknowledgment number
    if (version === 0 && type === ETHERTYPE_ERSPAN && flags & 0x1000) h += 8; // ERSPAN type II header
    if (end - q < h) {
      if (!cut) this.malformed('gre-malformed', 'GRE header cut short.', q);
      return;
    }
    const p = q + h;
    if (version === 1) {
      if (type === ETHERTYPE_PPP) this.ppp(d, p, end);
    } else if (type === ETHERTYPE_TEB || type === ETHERTYPE_ERSPAN) this.network(d, walkEthernet(d, p, end), end);
    else this.network(d, walkEtherType(d, p, end, type), end);
  }

  /** PPP in HDLC-like framing (RFC 1662), address/control and protocol possibly compressed (RFC 1661 §6.5, 6.6). */
  private ppp(d: Uint8Array, p: number, end: number): void {
    if (end - p >= 2 && d[p] === 0xff && d[p + 1] === 0x03) p += 2;
    if (end - p < 1) return;
    let proto: number;
    if (d[p] & 1) proto = d[p++];
    else {
      if (end - p < 2) return;
      proto = (d[p] << 8) | d[p + 1];
      p += 2;
    }
    if (proto === PPP_IPV4) this.ipv4(d, p, end);
    else if (proto === PPP_IPV6) this.ipv6(d, p, end);
  }

  private udp(d: Uint8Array, q: number, end: number, cut: boolean): void {
    if (end - q < 8) {
      if (cut) this.truncated(q);
      else this.malformed('udp-malformed', `UDP header cut short: ${end - q} bytes.`, q);
      return;
    }
    const len = (d[q + 4] << 8) | d[q + 5];
    let pEnd: number;
    if (len === 0) pEnd = end; // jumbogram (RFC 2675 §4)
    else if (len < 8) {
      this.malformed('udp-malformed', `UDP length ${len} is shorter than the 8-byte header.`, q);
      return;
    } else if (q + len > end) {
      if (cut) this.truncated(q);
      else this.malformed('udp-bad-length', `UDP length ${len} exceeds the ${end - q} bytes the IP layer carries; the datagram is taken as it is.`, q);
      pEnd = end;
    } else pEnd = q + len; // shorter than the IP payload: the rest is padding
    if (pEnd - q <= 8) return;
    // SigComp (RFC 3320 §7): every message starts with the bits 11111; on a SIP port that is
    // compressed SIP (comp=sigcomp, RFC 3486), which we do not decompress.
    if ((d[q + 8] & 0xf8) === 0xf8 && isSipPort(d, q)) {
      this.notInspectable('sigcomp', q + 8);
      return;
    }
    if (this.udpFilter !== undefined && !this.udpFilter(d, q + 8, pEnd)) return;
    const p: TransportPayload = {
      frame: this.frameNo,
      ts: this.timestamp(),
      transport: 'UDP',
      src: { ip: this.src(), port: (d[q] << 8) | d[q + 1] },
      dst: { ip: this.dst(), port: (d[q + 2] << 8) | d[q + 3] },
      data: d.subarray(q + 8, pEnd),
    };
    if (this.base >= 0) p.fileOffset = this.base + q + 8;
    this.sink.udp(p);
  }

  private tcp(d: Uint8Array, q: number, end: number, cut: boolean): void {
    if (end - q < 20) {
      if (cut) this.truncated(q);
      else this.malformed('tcp-malformed', `TCP header cut short: ${end - q} bytes.`, q);
      return;
    }
    const doff = (d[q + 12] >> 4) * 4;
    if (doff < 20) {
      this.malformed('tcp-malformed', `TCP data offset ${doff} is shorter than the 20-byte header.`, q);
      return;
    }
    if (q + doff > end) {
      if (cut) this.truncated(q);
      else this.malformed('tcp-malformed', `TCP header of ${doff} bytes exceeds the ${end - q} bytes the IP layer carries.`, q);
      return;
    }
    const flags = d[q + 13];
    const start = q + doff;
    if (start === end && (flags & EMIT_WITHOUT_DATA) === 0) {
      if (cut) this.truncated(q);
      return;
    }
    if (cut) this.truncated(q);
    // A TLS record (RFC 8446 §5.1: handshake 22 or application data 23, version 3.x) on port
    // 5061, the SIPS port (RFC 3261 §26.2): SIP over TLS, unreadable without the session keys.
    if (end - start >= 3 && (d[start] === 22 || d[start] === 23) && d[start + 1] === 3 && (((d[q] << 8) | d[q + 1]) === 5061 || ((d[q + 2] << 8) | d[q + 3]) === 5061)) {
      this.notInspectable('tls', start);
      return;
    }
    const s: TcpSegment = {
      frame: this.frameNo,
      ts: this.timestamp(),
      transport: 'TCP',
      src: { ip: this.src(), port: (d[q] << 8) | d[q + 1] },
      dst: { ip: this.dst(), port: (d[q + 2] << 8) | d[q + 3] },
      data: d.subarray(start, end),
      seq: ((d[q + 4] << 24) | (d[q + 5] << 16) | (d[q + 6] << 8) | d[q + 7]) >>> 0,
      flags,
    };
    if (this.base >= 0) s.fileOffset = this.base + start;
    this.sink.tcp(s);
  }

  private src(): string {
    return this.v6 ? formatIPv6(this.addrBuf, this.srcOff) : this.v4names.get(this.addrBuf, this.srcOff);
  }

  private dst(): string {
    return this.v6 ? formatIPv6(this.addrBuf, this.dstOff) : this.v4names.get(this.addrBuf, this.dstOff);
  }

  private truncatedIfTransport(proto: number, at: number): void {
    if (proto === IPPROTO_UDP || proto === IPPROTO_TCP) this.truncated(at);
  }

  /** Once per frame, and only when a UDP/TCP payload lost bytes to the snaplen. */
  private truncated(at: number): void {
    if (this.truncationReported) return;
    this.truncationReported = true;
    this.sink.problem(this.locate({
      code: 'packet-truncated',
      message: `Frame ${this.frameNo} was cut to ${this.capLen} of its ${this.origLen} bytes by the capture's snaplen; its UDP/TCP payload is incomplete.`,
      severity: 'warning',
    }, at));
  }

  /** At most once per frame: the first defect found explains the rest. */
  private malformed(code: string, message: string, at: number): void {
    if (this.malformedReported) return;
    this.malformedReported = true;
    this.sink.problem(this.locate({ code, message: `Frame ${this.frameNo}: ${message}`, severity: 'warning' }, at));
  }

  private locate(p: Problem, at: number): Problem {
    p.frame = this.frameNo;
    p.offset = this.base >= 0 && at >= 0 ? this.base + at : this.frameFileOffset;
    return p;
  }
}

type OpaqueKind = 'tls' | 'esp' | 'sigcomp';

const OPAQUE_TEXT: Record<OpaqueKind, { name: string; why: string }> = {
  tls: { name: 'SIP over TLS (TCP port 5061)', why: 'encrypted: readable only with the TLS session keys (Wireshark takes them from an SSLKEYLOGFILE)' },
  esp: { name: 'IPsec ESP (as IMS uses to protect SIP)', why: 'encrypted: readable only when the capturing tool strips ESP (null encryption) or decrypts it' },
  sigcomp: { name: 'SigComp-compressed SIP (UDP, SIP port)', why: 'compressed with SigComp (RFC 3320), which is not decompressed' },
};

/** Either UDP port is 5060 or 5061 (the header at `q`). */
function isSipPort(d: Uint8Array, q: number): boolean {
  const src = (d[q] << 8) | d[q + 1];
  const dst = (d[q + 2] << 8) | d[q + 3];
  return src === 5060 || src === 5061 || dst === 5060 || dst === 5061;
}

function hex16(d: Uint8Array, o: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += d[o + i].toString(16).padStart(2, '0');
  return s;
}
