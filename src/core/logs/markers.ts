/**
 * Lines that announce a SIP message in the logs of common SIP tools. Each detector says which
 * dialect it is, what the line tells (time, addresses, transport), and the message follows on
 * the next lines. The shapes were taken from each tool's source or from real output:
 *
 * - Asterisk res_pjsip_logger (`pjsip set logger on`): corpus logs/asterisk-altanai/debug.md,
 *   and "[Jan 02 10:15:00] VERBOSE[1001] res_pjsip_logger.c: <--- Transmitting SIP request
 *   (430 bytes) to UDP:198.51.100.20:5060 --->" full-log lines quoted in public log parsers.
 * - Asterisk chan_sip (`sip set debug on`): "<--- SIP read from UDP:10.49.0.1:5064 --->",
 *   "<--- Transmitting (no NAT) to 10.49.0.1:5064 --->", "<--- Reliably Transmitting (no NAT)
 *   to ... --->", closed by "<------------->" (public console captures, with and without a
 *   "[Mar 30 13:35:51] " stamp on every line).
 * - FreeSWITCH `sofia siptrace`: sofia-sip tport_logging.c tport_log_msg()/tport_stamp(),
 *   "%s %zu bytes %s %s/[%s]:%s at %02u:%02u:%02u.%06lu:" then a 72-dash separator, message
 *   lines indented by 3 spaces and a closing separator; FreeSWITCH's own build writes them
 *   without indent or closing separator (corpus logs/freeswitch-altanai/*.txt).
 * - SIPp `-trace_msg` (3.6.1, run here): "----------------------------------------------- <date>",
 *   "UDP message sent (321 bytes):" / "UDP message received [308] bytes :", an empty line, the
 *   message.
 * - sngrep "save as .txt": src/curses/ui_save.c save_msg_txt() and capture/capture_txt.c,
 *   "%s %s %s -> %s\n%s\n\n" = "2016/10/17 10:44:24.123456 1.2.3.4:5060 -> 5.6.7.8:5060".
 * - baresip (`-s` / sip_trace, 1.0.0 run here; src/ua.c sip_trace_handler()): "ESC[36;1m#",
 *   "UDP 127.0.0.1:5095 -> 127.0.0.1:5070", the message, "ESC[;m".
 * - liblinphone / belle-sip src/channel.c: "channel [%p]: message sent to [%s://%s:%i], size:
 *   [%i] bytes" and "channel [%p]: received [%i] new bytes from [%s://%s:%i]:" under the
 *   liblinphone prefix "2020-07-22 13:06:23:569 [belle-sip] MESSAGE " or an Android logcat one
 *   (GitHub issues BelledonneCommunications/linphone-android#1760, linphone-iphone#658).
 * - Acme Packet sipmsg.log (Wireshark test/captures/sipmsg.log, corpus logs/wireshark):
 *   "Mar  6 13:34:49.416 On [6:0]10.102.130.185:5060 received from 10.102.130.150:5060".
 */
import { endpointOf, parseHostPort, transportName } from './address';
import { LogClock } from './time';
import type { LogMeta } from './types';
import type { Timestamp } from '../types';

export interface MarkerHit {
  format: string;
  meta: LogMeta;
}

const PJSIP = /<--- (Received|Transmitting) SIP (?:request|response) \((\d+) bytes\) (?:from|to) ([A-Za-z]+):(\S+) --->/;
const CHAN_SIP_READ = /<--- SIP read from (?:([A-Za-z]+):)?(\S+) --->/;
const CHAN_SIP_SEND = /<--- (?:Reliably )?Transmitting \((?:no )?NAT\) to (\S+) --->/;
const SOFIA = /(?:^|\s)(recv|send) (\d+) bytes (?:from|to) ([A-Za-z0-9-]+)\/\[([^\]]*)\]:(\d+)\S*?(?: at (\d\d):(\d\d):(\d\d)\.(\d+))?:\s*$/;
const SIPP = /^([A-Za-z]+) (?:control )?message (sent|received) (?:\((\d+) bytes\)|\[(\d+)\] bytes) ?:\s*$/;
const BELLE_SENT = /message (?:sent|partly sent|silently discarded) to \[([A-Za-z]+):\/\/(.+?)\], (?:size|sent): \[[\d/]+\] bytes:?\s*$/;
const BELLE_RECV = /received \[(\d+)\] new bytes from \[([A-Za-z]+):\/\/(.+?)\]:\s*$/;
const SNGREP = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? (\S+) -> (\S+)\s*$/;
const BARESIP = /^(UDP|TCP|TLS|WS|WSS|SCTP) (\S+) -> (\S+)\s*$/;
const SIPMSG = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? On (?:\[[\d:]+\])?(\S+) (received from|sent to) (\S+)\s*$/;

/** Context a detector may need beyond the line itself. */
export interface MarkerContext {
  clock: LogClock;
  /** Time of a SIPp separator line just before this line. */
  sippTs?: Timestamp;
  /** The caller knows the line holds no "<---" (its whole chunk holds none): skips that search. */
  noArrow?: boolean;
}

/** The dialect and details of a line that announces a SIP message, or undefined. */
export function detectMarker(s: string, ctx: MarkerContext): MarkerHit | undefined {
  const first = s.charCodeAt(0);
  if (!ctx.noArrow && s.indexOf('<---') >= 0) return arrowMarker(s, ctx);
  // This runs on every line, header lines included, so each later group is tried only when the
  // line passes a cheap test its regexes imply (how the line ends, how it starts). Which group a
  // line belongs to is still decided by the first of ' bytes', ' -> ', ' On ' it contains, as a
  // plain indexOf chain would: a group that matches checks that no earlier group's key is there.
  const bytesShape = endsLikeBytesMarker(s);
  if (bytesShape && s.indexOf(' bytes') >= 0) return bytesMarker(s, ctx);
  const arrowShape = (first >= 0x30 && first <= 0x39) || startsWithTransport(s);
  if (arrowShape && s.indexOf(' -> ') >= 0) {
    if (!bytesShape && s.indexOf(' bytes') >= 0) return undefined;
    return pointerMarker(s, ctx, first);
  }
  if (first >= 0x41 && first <= 0x5a && s.indexOf(' On ') > 0) {
    const hit = sipmsgMarker(s, ctx);
    if (!hit) return undefined;
    if (!bytesShape && s.indexOf(' bytes') >= 0) return undefined;
    if (!arrowShape && s.indexOf(' -> ') >= 0) return undefined;
    return hit;
  }
  return undefined;
}

/**
 * Whether `s` could match SOFIA, SIPP, BELLE_SENT or BELLE_RECV: all end with ':' or 's' and
 * then `\s*`. A character outside ASCII at the end might be `\s`: such lines are kept too.
 */
function endsLikeBytesMarker(s: string): boolean {
  let i = s.length - 1;
  while (i >= 0 && s.charCodeAt(i) <= 0x20) i--;
  if (i < 0) return false;
  const c = s.charCodeAt(i);
  return c === 0x3a || c === 0x73 || c >= 0x7f;
}

/** BARESIP's transports followed by a space ("UDP ", "WSS ", "SCTP ", ...). */
function startsWithTransport(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c !== 0x55 && c !== 0x54 && c !== 0x57 && c !== 0x53) return false; // U T W S
  // Header lines starting with these letters ("To:", "Via:", "User-Agent:") fail on the
  // second or third character, before the regex.
  const d = s.charCodeAt(1);
  if (d !== 0x44 && d !== 0x43 && d !== 0x4c && d !== 0x53) return false; // D C L S
  return /^(?:UDP|TCP|TLS|WS|WSS|SCTP) /.test(s);
}

/** Asterisk lines: "<--- Received SIP request ...", "<--- SIP read from ...", "<--- Transmitting ...". */
function arrowMarker(s: string, ctx: MarkerContext): MarkerHit | undefined {
  const ts = ctx.clock.leading(s);
  let m = PJSIP.exec(s);
  if (m) {
    const ep = parseHostPort(m[4]);
    const meta: LogMeta = { transport: transportName(m[3]) };
    if (ts) meta.ts = ts;
    if (ep) {
      if (m[1] === 'Received') meta.src = ep;
      else meta.dst = ep;
    }
    return { format: 'asterisk-pjsip', meta };
  }
  m = CHAN_SIP_READ.exec(s);
  if (m) {
    const meta: LogMeta = {};
    if (ts) meta.ts = ts;
    if (m[1]) meta.transport = transportName(m[1]);
    const ep = parseHostPort(m[2]);
    if (ep) meta.src = ep;
    return { format: 'asterisk-chan-sip', meta };
  }
  m = CHAN_SIP_SEND.exec(s);
  if (m) {
    const meta: LogMeta = {};
    if (ts) meta.ts = ts;
    const ep = parseHostPort(m[1]);
    if (ep) meta.dst = ep;
    return { format: 'asterisk-chan-sip', meta };
  }
  return undefined;
}

/** "recv N bytes from" (sofia-sip), "UDP message sent (N bytes):" (SIPp), belle-sip channels. */
function bytesMarker(s: string, ctx: MarkerContext): MarkerHit | undefined {
  let m = SOFIA.exec(s);
  if (m) {
    const meta: LogMeta = { transport: transportName(m[3]) };
    const ep = endpointOf(m[4], m[5]);
    if (ep) {
      if (m[1] === 'recv') meta.src = ep;
      else meta.dst = ep;
    }
    if (m[6]) meta.ts = ctx.clock.timeOfDay(Number(m[6]), Number(m[7]), Number(m[8]), m[9]);
    return { format: 'freeswitch', meta };
  }
  m = SIPP.exec(s);
  if (m) {
    const meta: LogMeta = { transport: transportName(m[1]) };
    if (ctx.sippTs) meta.ts = ctx.sippTs;
    return { format: 'sipp', meta };
  }
  m = BELLE_SENT.exec(s);
  if (m) {
    const meta: LogMeta = { transport: transportName(m[1]) };
    const ts = ctx.clock.leading(s);
    if (ts) meta.ts = ts;
    const ep = parseHostPort(m[2]);
    if (ep) meta.dst = ep;
    return { format: 'linphone', meta };
  }
  m = BELLE_RECV.exec(s);
  if (m) {
    const meta: LogMeta = { transport: transportName(m[2]) };
    const ts = ctx.clock.leading(s);
    if (ts) meta.ts = ts;
    const ep = parseHostPort(m[3]);
    if (ep) meta.src = ep;
    return { format: 'linphone', meta };
  }
  return undefined;
}

/** "2016/10/17 10:44:24.123456 a -> b" (sngrep), "UDP a -> b" (baresip). */
function pointerMarker(s: string, ctx: MarkerContext, first: number): MarkerHit | undefined {
  if (first >= 0x30 && first <= 0x39) {
    const m = SNGREP.exec(s);
    if (m) {
      ctx.clock.setDate(Number(m[1]), Number(m[2]), Number(m[3]));
      const meta: LogMeta = {
        ts: ctx.clock.timeOfDay(Number(m[4]), Number(m[5]), Number(m[6]), m[7]),
      };
      const src = parseHostPort(m[8]);
      const dst = parseHostPort(m[9]);
      if (src) meta.src = src;
      if (dst) meta.dst = dst;
      return { format: 'sngrep', meta };
    }
    return undefined;
  }
  const m = BARESIP.exec(s);
  if (m) {
    const meta: LogMeta = { transport: transportName(m[1]) };
    const src = parseHostPort(m[2]);
    const dst = parseHostPort(m[3]);
    if (src) meta.src = src;
    if (dst) meta.dst = dst;
    return { format: 'baresip', meta };
  }
  return undefined;
}

/** "Mar  6 13:34:49.416 On [6:0]10.102.130.185:5060 received from ..." (Acme sipmsg.log). */
function sipmsgMarker(s: string, ctx: MarkerContext): MarkerHit | undefined {
  const m = SIPMSG.exec(s);
  if (m) {
    const meta: LogMeta = {};
    const mo = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].indexOf(m[1]) + 1;
    if (mo > 0) meta.ts = ctx.clock.withoutYear(mo, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), m[6]);
    const local = parseHostPort(m[7]);
    const peer = parseHostPort(m[9]);
    const received = m[8] === 'received from';
    const src = received ? peer : local;
    const dst = received ? local : peer;
    if (src) meta.src = src;
    if (dst) meta.dst = dst;
    return { format: 'wireshark-sipmsg', meta };
  }
  return undefined;
}

/**
 * The dialect a log line's prefix belongs to, for messages found by their start line alone:
 * Kamailio (" 1(9273) INFO: <script>: ", "host kamailio[123]: "), OpenSIPS ("Jun 24 06:18:07
 * [212] DBG:core:..." or "opensips[27666]:"), FreeSWITCH ("2022-02-02 19:17:07.920586 [DEBUG]"), old
 * chan_sip ("Reliably Transmitting (no NAT) to 10.24.18.138:5060:" on the line before).
 */
export function guessDialect(s: string): string | undefined {
  if (s.length === 0) return undefined;
  if (/kamailio|openser/i.test(s) || /^[ \t]*\d+\(\d+\) (?:[A-Z]+|L_[A-Z]+):/.test(s)) return 'kamailio';
  if (/opensips/i.test(s) || /\[\d+\] (?:DBG|INFO|NOTICE|WARNING|ERROR|CRITICAL|ALERT):/.test(s)) return 'opensips';
  if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[(?:DEBUG|INFO|NOTICE|WARNING|ERR|CRIT|ALERT|CONSOLE)\]/.test(s)) return 'freeswitch';
  // Older chan_sip wrote "Reliably Transmitting (no NAT) to 10.24.18.138:5060:" with no "<---".
  if (/Transmitting \((?:no )?NAT\)(?: to \S+)?:$/.test(s)) return 'asterisk-chan-sip';
  return undefined;
}
