/**
 * Turns transport payloads into framed SIP messages: UDP (and other message-oriented
 * transports) one datagram at a time, TCP through the reassembler in `tcp.ts`.
 *
 * SIP is recognised by content, never by port: a SIP start line at the start of the payload
 * (after CRLF keep-alives). Anything else (RTP, DNS, STUN, TLS...) is dropped after looking at a
 * few bytes.
 */

import type { Endpoint, Problem, TcpSegment, TransportPayload } from '../types';
import { frameSipMessage, sipStartAt, type FramingOptions } from '../sip/framing';
import { TcpReassembler, type PduSink, type TcpReassemblyOptions } from './tcp';

export type { PduSink, TcpReassemblyOptions, TcpReassemblyStats } from './tcp';

export interface SipExtractorOptions {
  /** Options of the TCP reassembler (its limits, timeouts). */
  tcp?: TcpReassemblyOptions;
  /** Longest header section accepted in a datagram. Default 64 KiB. */
  maxHeaderBytes?: number;
  /** Largest Content-Length believed. Default 16 MiB. */
  maxContentLength?: number;
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Could the datagram payload `data[start, end)` carry a SIP message? Exactly the test
 * `SipExtractor.udp` starts with (CRLFs, then a SIP start line): a datagram failing it is
 * dropped by `udp` without a word, so a decoder may drop it earlier (`udpFilter`).
 */
export function datagramMayBeSip(data: Uint8Array, start: number, end: number): boolean {
  let off = start;
  while (off < end && (data[off] === CR || data[off] === LF)) off++;
  return off < end && sipStartAt(data, off, end);
}

function endpointText(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

export class SipExtractor {
  private readonly reassembler: TcpReassembler;
  private readonly datagramFraming: FramingOptions;

  constructor(
    private readonly sink: PduSink,
    opts: SipExtractorOptions = {},
  ) {
    this.reassembler = new TcpReassembler(sink, {
      maxHeaderBytes: opts.maxHeaderBytes,
      maxContentLength: opts.maxContentLength,
      ...opts.tcp,
    });
    this.datagramFraming = { stream: false, maxHeaderBytes: opts.maxHeaderBytes, maxContentLength: opts.maxContentLength };
  }

  /** One datagram (UDP, or any message-oriented transport): at most one SIP message. */
  udp(p: TransportPayload): void {
    const data = p.data;
    const end = data.length;
    // Skip CRLF keep-alives and CRLFs before the start line (RFC 5626 §4.4.1, RFC 3261 §7.5).
    let off = 0;
    while (off < end && (data[off] === CR || data[off] === LF)) off++;
    if (off === end || !sipStartAt(data, off, end)) return;

    const base = p.fileOffset;
    const res = frameSipMessage(data, off, end, this.datagramFraming);
    if (res.kind !== 'complete') {
      // 'invalid' only: a datagram never needs more bytes.
      if (res.kind === 'invalid') {
        this.problem({
          code: res.code,
          severity: 'error',
          message: `SIP message in a ${p.transport} datagram from ${endpointText(p.src)}: ${res.reason}; not reported.`,
          frame: p.frame,
          offset: base !== undefined ? base + off : undefined,
        });
      }
      return;
    }
    const msgEnd = off + res.length;
    this.sink.pdu({
      frame: p.frame,
      frames: [p.frame],
      ts: p.ts,
      transport: p.transport,
      src: p.src,
      dst: p.dst,
      bytes: data.slice(off, msgEnd),
      fileOffset: base !== undefined ? base + off : undefined,
    });
    for (const pr of res.problems) {
      this.problem({ code: pr.code, severity: pr.severity, message: pr.message, frame: p.frame, offset: base !== undefined ? base + pr.offset : undefined });
    }

    // RFC 3261 §18.3: octets after Content-Length in a datagram are discarded (RFC 4475
    // §3.1.1.8). They are reported so that a second message hidden there is not lost silently.
    let t = msgEnd;
    while (t < end && (data[t] === CR || data[t] === LF)) t++;
    if (t < end) {
      const another = sipStartAt(data, t, end);
      this.problem({
        code: 'udp-trailing-bytes',
        severity: 'info',
        message: `${end - msgEnd} bytes follow the SIP message (Content-Length ${res.contentLength ?? '?'}) in the ${p.transport} datagram and are ignored (RFC 3261 §18.3)${another ? '; they look like another SIP message, which is not reported' : ''}.`,
        frame: p.frame,
        offset: base !== undefined ? base + msgEnd : undefined,
      });
    }
  }

  /** One TCP segment; messages are delivered as they complete. */
  tcp(s: TcpSegment): void {
    this.reassembler.segment(s);
  }

  /** End of input: reports messages left incomplete. */
  end(): void {
    this.reassembler.end();
  }

  /** Reassembly statistics (for tests and diagnostics). */
  tcpStats(): ReturnType<TcpReassembler['stats']> {
    return this.reassembler.stats();
  }

  private problem(p: Problem): void {
    if (p.offset === undefined) delete p.offset;
    this.sink.problem(p);
  }
}
