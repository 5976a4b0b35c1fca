/**
 * Types shared by every layer of the pure core: capture readers, network layers, log readers,
 * the SIP parser, the exchange builder and the rules. Nothing here depends on Node, the DOM or
 * the editor API; the core runs unchanged in the extension host, a web worker and the CLI.
 *
 * Offsets: every `Span` is a half-open range `[start, end)` of UTF-16 code-unit indices into
 * the `text` of the object that owns it (a SipMessage). For messages taken from captures the text
 * is the latin1 decoding of the bytes, so an index is also a byte offset into the message bytes.
 * For messages taken from logs the text is made of slices of the log's own (decoded) lines, and
 * `LineMapEntry` maps it back to line/column in the log file.
 */

/** `[start, end)` in the owning message's `text`. */
export interface Span {
  start: number;
  end: number;
}

export type Severity = 'error' | 'warning' | 'info';

/**
 * Something met while reading that is not a SIP message: a truncated file, a bad block, an
 * incomplete fragment, unframed TCP bytes, an unparseable message. Reported, never thrown.
 * `code` is a stable kebab-case identifier (e.g. `pcap-truncated-record`).
 */
export interface Problem {
  code: string;
  message: string;
  severity: Severity;
  /** 1-based frame number (captures). */
  frame?: number;
  /** Byte offset in the file. */
  offset?: number;
  /** 1-based line in the file (logs). */
  line?: number;
  /** 1-based column in the line (logs). */
  column?: number;
  /**
   * Set on the one problem that stands for this many problems of its code that came after the
   * first ones of a file and were not listed (problemLimit.ts); its location is the first of them.
   */
  elided?: number;
}

export interface Endpoint {
  /** Printable address: dotted IPv4 or RFC 5952 IPv6 (no brackets). */
  ip: string;
  port: number;
}

export type TransportName = 'UDP' | 'TCP' | 'SCTP' | 'TLS' | 'WS' | 'WSS' | 'unknown';

/** Timestamp with nanosecond resolution (a double cannot hold epoch nanoseconds exactly). */
export interface Timestamp {
  sec: number;
  nsec: number;
}

/** One captured frame as read from a pcap or pcapng file. */
export interface RawFrame {
  /** 1-based, numbered exactly as Wireshark numbers them (every packet block of every section). */
  frame: number;
  /** LINKTYPE_* value of the interface that captured it. */
  linkType: number;
  ts: Timestamp;
  /**
   * The captured bytes. May be a view into a buffer the reader reuses: a consumer that keeps it
   * beyond the callback must copy it.
   */
  data: Uint8Array;
  /** Length of the packet on the wire (>= data.length when cut by a snaplen). */
  origLen: number;
  /** Byte offset of data[0] in the file. */
  fileOffset: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
}

/** A transport payload ready for SIP framing (one UDP datagram or one in-order TCP chunk). */
export interface TransportPayload {
  frame: number;
  ts: Timestamp;
  transport: TransportName;
  src: Endpoint;
  dst: Endpoint;
  data: Uint8Array;
  /** Byte offset of data[0] in the file when the payload is contiguous in one frame. */
  fileOffset?: number;
}

/** Maps one line of a message's text back to where it came from in a log file. */
export interface LineMapEntry {
  /** Offset in the message text where this line starts. */
  textOffset: number;
  /** 1-based line in the log file. */
  line: number;
  /** 1-based column in that log line where the message text of this line starts. */
  column: number;
}

/** One SIP message found in a capture or a log, with where it came from. */
export interface TraceMessage {
  /** 0-based order in which messages were found. */
  index: number;
  /** Captures: the frame that completes the message (as Wireshark reports it). */
  frame?: number;
  /** Captures: every frame that contributed bytes, in stream order. */
  frames?: number[];
  /** Captures: byte offset in the file of the first byte of the message, when contiguous. */
  fileOffset?: number;
  /** Logs: 1-based line of the start line. */
  line?: number;
  /** Logs: how message text maps back to the log. Sorted by textOffset. */
  lineMap?: LineMapEntry[];
  /** Logs: which log dialect was recognised (e.g. 'sipp', 'kamailio', 'plain'). */
  logFormat?: string;
  ts?: Timestamp;
  transport: TransportName;
  src?: Endpoint;
  dst?: Endpoint;
  sip: SipMessage;
}

// ---------------------------------------------------------------------------------------------
// SIP message model (RFC 3261 §7, §20, §25)
// ---------------------------------------------------------------------------------------------

export interface SipParam {
  /** As written (case preserved). Compare with `name.toLowerCase()`. */
  name: string;
  /** Raw value as written, quotes included; undefined for a flag parameter (`;lr`). */
  value?: string;
  /** Value with surrounding quotes removed and quoted-pairs unescaped. */
  unquoted?: string;
  /** The whole `name[=value]`, without the leading `;`. */
  span: Span;
  nameSpan: Span;
  valueSpan?: Span;
}

export interface SipUri {
  /** The URI text as written (for logs with folding this is the raw slice). */
  text: string;
  span: Span;
  /** Lowercased scheme: 'sip', 'sips', 'tel', 'urn', or anything else. */
  scheme: string;
  user?: string;
  /** Host as written; IPv6 references keep their brackets. */
  host?: string;
  port?: number;
  /** `;name=value` URI parameters (RFC 3261 §19.1.1). */
  params: SipParam[];
  /** `?h=v&h2=v2` URI headers, raw text after '?'. */
  headers?: string;
}

/** One value of Contact / From / To / Route / Record-Route / Path / Service-Route / … */
export interface NameAddr {
  span: Span;
  /** `Contact: *` (RFC 3261 §10.2.2). */
  star?: boolean;
  displayName?: string;
  displayNameSpan?: Span;
  /** True when the URI was enclosed in `<>` (name-addr form); false for addr-spec. */
  bracketed: boolean;
  uri?: SipUri;
  /** Header parameters: after `>` for name-addr, after the URI for addr-spec (RFC 3261 §20). */
  params: SipParam[];
}

export interface ViaValue {
  span: Span;
  /** e.g. 'SIP/2.0/UDP' */
  protocol: string;
  transport: string;
  host: string;
  port?: number;
  params: SipParam[];
}

/** A parse problem inside a message, located in its text. */
export interface SipParseProblem {
  code: string;
  message: string;
  severity: Severity;
  span: Span;
}

export interface SipHeader {
  /** Header name as written. */
  name: string;
  /** Canonical lowercase long name: 'm' -> 'contact', 'Call-Id' -> 'call-id'. */
  key: string;
  /** Written in compact form. */
  compact: boolean;
  /** Whole field: from the name to the end of the last continuation line (line break excluded). */
  span: Span;
  nameSpan: Span;
  /** Value, from its first non-blank character to its last, folding included. */
  valueSpan: Span;
  /** The value with folding (CRLF + WSP) replaced by one space and outer whitespace trimmed. */
  value: string;
}

export type StartLine =
  | { kind: 'request'; method: string; methodSpan: Span; uri: SipUri | undefined; uriSpan: Span; version: string; versionSpan: Span; span: Span }
  | { kind: 'response'; status: number; statusSpan: Span; reason: string; reasonSpan: Span; version: string; versionSpan: Span; span: Span };

export interface SipMessage {
  /**
   * The message text (header section + body). For captures, latin1 of the bytes; for logs,
   * the log's text with prefixes removed. Every Span indexes this string.
   */
  text: string;
  /** Undefined when the first line is not a SIP start line (then `problems` says why). */
  startLine?: StartLine;
  headers: SipHeader[];
  /** Where the body starts and ends (after the empty line, length by Content-Length). */
  bodySpan: Span;
  /** Content-Length value when present and valid. */
  contentLength?: number;
  problems: SipParseProblem[];
}

// ---------------------------------------------------------------------------------------------
// Between the layers
// ---------------------------------------------------------------------------------------------

/** TCP flag bits as in the TCP header (RFC 9293 §3.1). */
export const TcpFlags = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** One TCP segment, as the network layer hands it to the TCP reassembler. */
export interface TcpSegment extends TransportPayload {
  /** Sequence number of data[0] (for a SYN, the SYN's own sequence number). */
  seq: number;
  /** TcpFlags bits. */
  flags: number;
}

/** The bytes of one framed SIP message, before parsing, with where they came from. */
export interface SipPdu {
  /** The frame that completes the message. */
  frame: number;
  /** Every frame that contributed bytes, in stream order (duplicates removed). */
  frames: number[];
  ts: Timestamp;
  transport: TransportName;
  src: Endpoint;
  dst: Endpoint;
  bytes: Uint8Array;
  /** Byte offset in the file of bytes[0], when the message lies contiguous in one frame. */
  fileOffset?: number;
}

/** Receives what a layer produces. Every layer reports problems instead of throwing. */
export interface ProblemSink {
  problem(p: Problem): void;
}

// ---------------------------------------------------------------------------------------------
// Findings (rule engine output)
// ---------------------------------------------------------------------------------------------

export type SeverityLevel = Severity | 'off';

/** A message and a place in it, used for a finding's location and its related information. */
export interface MessageLocation {
  /** TraceMessage.index */
  messageIndex: number;
  span: Span;
}

export interface RelatedInfo extends MessageLocation {
  message: string;
}

export interface Finding extends MessageLocation {
  ruleId: string;
  severity: Severity;
  message: string;
  related?: RelatedInfo[];
}
