/**
 * Time stamps written by logs. Logs write local time without a zone; it is read as UTC, so
 * times keep their order and differences (which is what a trace needs) but not their absolute
 * instant. Stamps that lack the date (FreeSWITCH "at 19:17:07.918818", baresip) take the last
 * date written on an earlier line of the same log; stamps that lack the year (syslog, Asterisk,
 * Acme sipmsg.log, logcat) take its year. With no such line, 1970-01-01 stands in.
 */
import type { Timestamp } from '../types';

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

export function monthNumber(name: string): number | undefined {
  return MONTHS[name.toLowerCase()];
}

/** `frac` is the digits after the decimal point, any count (".5" is 500 ms). */
export function timestampOf(y: number, mo: number, d: number, h: number, mi: number, s: number, frac = ''): Timestamp {
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const nsec = frac ? Number((frac + '000000000').slice(0, 9)) : 0;
  return { sec: Math.floor(ms / 1000), nsec };
}

/** "1366113872.182011000" (tshark Epoch Time, Kamailio sipdump `time:`). */
export function epochTimestamp(sec: string, frac = ''): Timestamp {
  return { sec: Number(sec), nsec: frac ? Number((frac + '000000000').slice(0, 9)) : 0 };
}

const ISO = /^\[?(\d{4})[-/](\d\d)[-/](\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,:](\d+))?/;
const SYSLOG = /^\[?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:[.,](\d+))?/;
const LOGCAT = /^(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d+)/;
const TIME_OF_DAY = /^\[?(\d\d):(\d\d):(\d\d)[.,](\d+)/;
const DATE_AHEAD = /^\[?(\d{4})[-/](\d\d)[-/](\d\d)/;

/** Keeps the last full date seen in the log, for stamps that leave the date or year out. */
export class LogClock {
  private y = 1970;
  private mo = 1;
  private d = 1;

  /** Notes the date of a line that starts with one (cheap; call on every log line). */
  observe(line: string): void {
    const c = line.charCodeAt(0);
    if (!((c >= 0x30 && c <= 0x39) || c === 0x5b)) return;
    const m = DATE_AHEAD.exec(line);
    if (m) this.setDate(Number(m[1]), Number(m[2]), Number(m[3]));
  }

  setDate(y: number, mo: number, d: number): void {
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= 31) {
      this.y = y;
      this.mo = mo;
      this.d = d;
    }
  }

  /** A time of day on the last date seen. */
  timeOfDay(h: number, mi: number, s: number, frac = ''): Timestamp {
    return timestampOf(this.y, this.mo, this.d, h, mi, s, frac);
  }

  /** A month/day/time stamp (syslog) in the year of the last date seen. */
  withoutYear(mo: number, d: number, h: number, mi: number, s: number, frac = ''): Timestamp {
    return timestampOf(this.y, mo, d, h, mi, s, frac);
  }

  /**
   * The time stamp that starts `s` (after an optional '['), in any of the shapes logs use:
   * `2022-02-02 19:17:07.920586`, `2020-07-22 13:06:23:569` (liblinphone), `2016/10/17 ...`
   * (sngrep), `Nov 24 10:00:00[.123]` (syslog, Asterisk, Acme), `12-20 15:24:57.639` (logcat),
   * `19:17:07.918818`.
   */
  leading(s: string): Timestamp | undefined {
    let m = ISO.exec(s);
    if (m) {
      this.setDate(Number(m[1]), Number(m[2]), Number(m[3]));
      return timestampOf(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7]);
    }
    m = SYSLOG.exec(s);
    if (m) {
      const mo = monthNumber(m[1]);
      if (mo) return this.withoutYear(mo, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), m[6]);
      return undefined;
    }
    m = LOGCAT.exec(s);
    if (m) return this.withoutYear(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), m[6]);
    m = TIME_OF_DAY.exec(s);
    if (m) return this.timeOfDay(Number(m[1]), Number(m[2]), Number(m[3]), m[4]);
    return undefined;
  }
}
