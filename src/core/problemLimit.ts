/**
 * Reading problems of one code past the first PROBLEMS_PER_CODE are counted, not listed.
 *
 * Why: some problems come once per frame or per datagram, and real captures can have millions of
 * them. A capture taken with a snaplen (`tcpdump -s 128`, common on probes) reports
 * `packet-truncated` for every cut frame: 560 993 on the 90 MB benchmark capture cut to 128
 * bytes, which made `check` hold 940 MB and print half a million warnings, and `messages --json`
 * hold 1.6 GB. The first ones show where and what; the rest are one problem that says how many
 * more there were and over which frames (or lines), at the first of them. Memory is then bounded
 * by the number of distinct codes, whatever the file holds.
 */
import type { Problem, Severity } from './types';

export const PROBLEMS_PER_CODE = 100;

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

interface Elided {
  first: Problem;
  last: Problem;
  count: number;
  severity: Severity;
}

export class ProblemLimiter {
  private readonly seen = new Map<string, number>();
  private readonly elided = new Map<string, Elided>();

  constructor(
    private readonly out: (p: Problem) => void,
    private readonly perCode = PROBLEMS_PER_CODE,
  ) {}

  problem(p: Problem): void {
    const n = (this.seen.get(p.code) ?? 0) + 1;
    this.seen.set(p.code, n);
    if (n <= this.perCode) {
      this.out(p);
      return;
    }
    const e = this.elided.get(p.code);
    if (!e) this.elided.set(p.code, { first: p, last: p, count: 1, severity: p.severity });
    else {
      e.last = p;
      e.count++;
      if (RANK[p.severity] > RANK[e.severity]) e.severity = p.severity;
    }
  }

  /** One problem per code that went past the limit: how many more, from where to where. */
  end(): void {
    for (const [code, e] of this.elided) {
      const { first, last } = e;
      const range =
        first.frame !== undefined && last.frame !== undefined
          ? `frames ${first.frame} to ${last.frame}`
          : first.line !== undefined && last.line !== undefined
            ? `lines ${first.line} to ${last.line}`
            : first.offset !== undefined && last.offset !== undefined
              ? `bytes ${first.offset} to ${last.offset}`
              : 'the rest of the file';
      const summary: Problem = {
        code,
        severity: e.severity,
        message: `${e.count} more '${code}' problems after the first ${this.perCode}, in ${range}, not listed one by one; the first of them: ${first.message}`,
        elided: e.count,
      };
      if (first.frame !== undefined) summary.frame = first.frame;
      if (first.offset !== undefined) summary.offset = first.offset;
      if (first.line !== undefined) summary.line = first.line;
      if (first.column !== undefined) summary.column = first.column;
      this.out(summary);
    }
    this.elided.clear();
  }
}

/** How many problems a list stands for: a summary of elided ones counts for all of them. */
export function countProblems(problems: readonly Problem[]): number {
  let n = 0;
  for (const p of problems) n += p.elided ?? 1;
  return n;
}
