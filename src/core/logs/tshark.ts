/**
 * SIP messages rebuilt from `tshark -V` / `tshark -O sip` text output (shapes from TShark 4.0.17
 * run here on captures of a SIPp/Kamailio exchange and on the corpus captures):
 *
 *   Frame 1: 363 bytes on wire (2904 bits), 363 bytes captured (2904 bits)
 *       Epoch Time: 1366113872.182011000 seconds              (-V only)
 *   Internet Protocol Version 4, Src: 127.0.0.1, Dst: 127.0.0.1
 *   User Datagram Protocol, Src Port: 5091, Dst Port: 5070
 *   Session Initiation Protocol (REGISTER)
 *       Request-Line: REGISTER sip:example.com SIP/2.0        (or Status-Line: SIP/2.0 200 OK)
 *           Method: REGISTER                                   (dissection details: skipped)
 *       Message Header
 *           Via: SIP/2.0/UDP 127.0.0.1:5091;branch=z9hG4bK-14758-1-0
 *               Transport: UDP                                 (skipped)
 *       Message Body
 *           Session Description Protocol
 *               Session Description Protocol Version (v): 0
 *
 * The message is rebuilt from the start line and the header lines (their text is exactly the
 * log's, from the column after "Request-Line: " or the 8-space indent), an empty line, and the
 * body when tshark shows it as text: "Line-based text data" lines, raw lines written with a
 * literal "\r\n", or SDP, whose "Label (x): value" lines become "x=value" (the "x=" is not in
 * the log: it is mapped onto the two characters before the value). Bodies tshark shows only as
 * a decoded tree (XML, ...) are left out, and a problem says so.
 */
import { endpointOf, transportName } from './address';
import { epochTimestamp, timestampOf, monthNumber } from './time';
import type { LogMeta } from './types';
import type { Problem, TransportName } from '../types';

export interface RebuiltLine {
  text: string;
  line: number;
  column: number;
}

interface Pdu {
  startLine: number;
  state: 'start' | 'headers' | 'body';
  lines: RebuiltLine[];
  hasStart: boolean;
  /** Where the header section ends in the log: after the last header line. */
  endOfHeaders: { line: number; column: number };
  body: RebuiltLine[];
  bodyKind: 'none' | 'sdp' | 'lines';
  /** Line of a body part that could not be rebuilt. */
  omittedAt?: number;
}

function indentOf(s: string): number {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 32) i++;
  return i;
}

/** tshark shows some text lines with their line break spelled out: `Messages-Waiting: no\r\n`. */
function withoutEscapedBreak(s: string): string {
  if (s.endsWith('\\r\\n')) return s.slice(0, -4);
  if (s.endsWith('\\n')) return s.slice(0, -2);
  return s;
}

function addressOf(s: string): string {
  // "Src: host (1.2.3.4)" when tshark resolves names.
  const m = /\(([^()]+)\)\s*$/.exec(s);
  return (m ? m[1] : s).trim();
}

function portOf(s: string): string {
  const m = /\((\d+)\)\s*$/.exec(s);
  return (m ? m[1] : s).trim();
}

export class TsharkAssembler {
  /** A "Frame N:" line was seen: this log is tshark text output. */
  private seen = false;
  private frameMeta: LogMeta = {};
  private srcIp?: string;
  private dstIp?: string;
  private srcPort?: string;
  private dstPort?: string;
  private transport?: TransportName;
  private secure = false;
  private pdu?: Pdu;

  constructor(
    private readonly emit: (lines: RebuiltLine[], meta: LogMeta) => void,
    private readonly problem: (p: Problem) => void,
  ) {}

  get active(): boolean {
    return this.pdu !== undefined;
  }

  /** A line outside a SIP message: frame and lower-layer summary lines, or a new SIP message. */
  idleLine(s: string, line: number): boolean {
    const c = s.charCodeAt(0);
    if (c === 0x46 /* F */ && /^Frame \d+: /.test(s)) {
      this.seen = true;
      this.frameMeta = {};
      this.srcIp = this.dstIp = this.srcPort = this.dstPort = this.transport = undefined;
      this.secure = false;
      return true;
    }
    if (!this.seen) return false;
    if (c === 0x53 /* S */ && /^Session Initiation Protocol(?: \(.*\))?\s*$/.test(s)) {
      this.pdu = {
        startLine: line,
        state: 'start',
        lines: [],
        hasStart: false,
        endOfHeaders: { line, column: 1 },
        body: [],
        bodyKind: 'none',
      };
      return true;
    }
    if (c === 0x20) {
      const m = /^ {4}Epoch (?:Arrival )?Time: (\d+)\.?(\d*) seconds/.exec(s);
      if (m) {
        this.frameMeta.ts = epochTimestamp(m[1], m[2]);
        return true;
      }
      const a = /^ {4}Arrival Time: ([A-Z][a-z]{2}) +(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? UTC\s*$/.exec(s);
      if (a && !this.frameMeta.ts) {
        const mo = monthNumber(a[1]);
        if (mo) this.frameMeta.ts = timestampOf(Number(a[3]), mo, Number(a[2]), Number(a[4]), Number(a[5]), Number(a[6]), a[7]);
        return true;
      }
      return false;
    }
    let m = /^Internet Protocol Version [46], Src: (.+?), Dst: (.+)$/.exec(s);
    if (m) {
      // The last IP header wins: with IP-in-IP or GRE the inner one carries the SIP.
      this.srcIp = addressOf(m[1]);
      this.dstIp = addressOf(m[2]);
      return true;
    }
    m = /^(User Datagram|Transmission Control|Stream Control Transmission) Protocol, Src Port: ([^,]+), Dst Port: ([^,]+)/.exec(s);
    if (m) {
      this.transport = m[1] === 'User Datagram' ? 'UDP' : m[1] === 'Transmission Control' ? 'TCP' : 'SCTP';
      this.srcPort = portOf(m[2]);
      this.dstPort = portOf(m[3]);
      return true;
    }
    if (/^Transport Layer Security/.test(s)) {
      this.secure = true;
      return true;
    }
    if (/^WebSocket/.test(s)) {
      this.transport = transportName(this.secure ? 'WSS' : 'WS');
      return true;
    }
    return false;
  }

  /** A line while a SIP message is open; false when it ends the message (caller re-reads it). */
  line(s: string, line: number): boolean {
    const pdu = this.pdu;
    if (!pdu) return false;
    const indent = indentOf(s);
    if (indent === s.length || indent < 4) {
      this.finish();
      return false;
    }
    const rest = s.slice(indent);
    if (indent === 4) {
      const sl = /^(?:Request|Status)-Line: /.exec(rest);
      if (sl && !pdu.hasStart) {
        const text = withoutEscapedBreak(rest.slice(sl[0].length));
        pdu.lines.push({ text, line, column: indent + sl[0].length + 1 });
        pdu.hasStart = true;
        pdu.endOfHeaders = { line, column: indent + sl[0].length + text.length + 1 };
      } else if (rest === 'Message Header') {
        pdu.state = 'headers';
      } else if (rest === 'Message Body') {
        pdu.state = 'body';
      }
      return true;
    }
    if (rest.charCodeAt(0) === 0x5b /* [ */) return true; // "[Generated Call-ID: ...]" and other derived fields
    if (indent === 8) {
      if (pdu.state === 'headers') {
        const text = withoutEscapedBreak(rest);
        pdu.lines.push({ text, line, column: indent + 1 });
        pdu.endOfHeaders = { line, column: indent + text.length + 1 };
      } else if (pdu.state === 'body') {
        if (rest === 'Session Description Protocol') pdu.bodyKind = 'sdp';
        else if (rest.startsWith('Line-based text data')) pdu.bodyKind = 'lines';
        else if (rest.endsWith('\\n')) {
          pdu.bodyKind = 'none';
          pdu.body.push({ text: withoutEscapedBreak(rest), line, column: indent + 1 });
        } else {
          pdu.bodyKind = 'none';
          if (pdu.omittedAt === undefined) pdu.omittedAt = line;
        }
      }
      return true;
    }
    if (indent === 12 && pdu.state === 'body') {
      if (pdu.bodyKind === 'sdp') {
        const m = /^.*? \(([a-zA-Z])\): /.exec(rest);
        if (m) {
          const value = rest.slice(m[0].length);
          // "x=" stands on the ": " before the value, so the value itself maps exactly.
          pdu.body.push({ text: `${m[1]}=${value}`, line, column: indent + m[0].length - 1 });
        }
      } else if (pdu.bodyKind === 'lines') {
        pdu.body.push({ text: withoutEscapedBreak(rest), line, column: indent + 1 });
      }
    }
    return true;
  }

  /** Ends the open message, if any (a line at indent < 4, another message, end of input). */
  finish(): void {
    const pdu = this.pdu;
    if (!pdu) return;
    this.pdu = undefined;
    if (!pdu.hasStart) return;
    const lines = pdu.lines.slice();
    lines.push({ text: '', line: pdu.endOfHeaders.line, column: pdu.endOfHeaders.column });
    lines.push(...pdu.body);
    if (pdu.omittedAt !== undefined) {
      this.problem({
        code: 'log-tshark-body-omitted',
        severity: 'info',
        line: pdu.omittedAt,
        column: 9,
        message: 'tshark shows this SIP body only as a decoded tree, not as text; the message is read without its body.',
      });
    }
    const meta: LogMeta = { ...this.frameMeta };
    if (this.transport) meta.transport = this.transport === 'TCP' && this.secure ? 'TLS' : this.transport;
    if (this.srcIp && this.srcPort) {
      const ep = endpointOf(this.srcIp, this.srcPort);
      if (ep) meta.src = ep;
    }
    if (this.dstIp && this.dstPort) {
      const ep = endpointOf(this.dstIp, this.dstPort);
      if (ep) meta.dst = ep;
    }
    this.emit(lines, meta);
  }
}
