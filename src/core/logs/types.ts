/** Public types of the log readers. */
import type { Endpoint, LineMapEntry, ProblemSink, Timestamp, TransportName } from '../types';

/** One SIP message found in a text log, with where each of its lines came from. */
export interface LogSipText {
  /**
   * The message: each message line's text exactly as in the log after the log's own prefix
   * (time stamp, level, indent), each followed by "\r\n", so the SIP parser sees SIP framing
   * (the empty line that ends the header section is kept; body lines are included). The last
   * body line gets no CRLF when Content-Length shows the body ends without one. For `tshark`
   * the lines are taken from its dissection tree (see tshark.ts).
   */
  text: string;
  /** 1-based log line of the start line. */
  line: number;
  /** One entry per message line: its offset in `text`, its log line and 1-based column. */
  lineMap: LineMapEntry[];
  /**
   * Which dialect the message was found in: 'plain' | 'sipp' | 'kamailio' | 'opensips' |
   * 'asterisk-pjsip' | 'asterisk-chan-sip' | 'freeswitch' | 'tshark' | 'sngrep' | 'baresip' |
   * 'linphone' | 'wireshark-sipmsg' | 'generic'.
   */
  format: string;
  /** When the log says them. */
  ts?: Timestamp;
  src?: Endpoint;
  dst?: Endpoint;
  transport?: TransportName;
}

export interface LogSink extends ProblemSink {
  message(m: LogSipText): void;
}

export interface LogReaderOptions {
  /** Longer lines are reported and cut to this many UTF-16 code units. Default 1 MiB. */
  maxLineLength?: number;
  /**
   * A message whose text grows beyond this (counted in UTF-16 code units of `text`, i.e. bytes
   * for ASCII) is reported and cut at the last whole line that fits. Default 1 MiB.
   */
  maxMessageBytes?: number;
}

/** What a log says about a message besides its text. */
export interface LogMeta {
  ts?: Timestamp;
  src?: Endpoint;
  dst?: Endpoint;
  transport?: TransportName;
}
