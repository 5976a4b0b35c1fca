/**
 * Runs fuzz campaigns in this process: input `index` of target `t` under `seed` is built,
 * run and timed; a throw is a crash (or a broken invariant), an input that takes longer than
 * its budget is a hang. Failures are grouped by signature so one bug is reported once.
 * scripts/fuzz.mjs adds the long campaign's worker with a watchdog (real hangs) on top.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FuzzFailure, type FailureKind } from './invariants';
import { pcapLayout, pcapngBlocks } from './mutate';
import type { Target } from './targets';

export interface RunOutcome {
  ok: boolean;
  kind?: FailureKind;
  message?: string;
  stack?: string;
  ms: number;
}

export function runOne<I>(target: Target<I>, input: I): RunOutcome {
  const t0 = performance.now();
  try {
    target.run(input);
  } catch (e) {
    const ms = performance.now() - t0;
    const err = e as Error;
    return { ok: false, kind: e instanceof FuzzFailure ? e.kind : 'crash', message: err?.message ?? String(e), stack: err?.stack, ms };
  }
  const ms = performance.now() - t0;
  const budget = target.budgetMs(input);
  if (ms > budget) return { ok: false, kind: 'hang', message: `took ${Math.round(ms)} ms, budget ${budget} ms`, ms };
  return { ok: true, ms };
}

/** One bug, one signature: the kind and the message's first line without its numbers. */
export function signature(o: RunOutcome): string {
  const first = (o.message ?? '').split('\n')[0];
  const where = o.kind === 'crash' ? (o.stack ?? '').split('\n').find((l) => /src[\\/]core/.test(l))?.trim().replace(/:\d+:\d+\)?$/, '') ?? '' : '';
  return `${o.kind}: ${first.replace(/\d+/g, 'N').slice(0, 120)}${where ? ' @ ' + where : ''}`;
}

export interface FailureRecord {
  target: string;
  seed: number;
  index: number;
  kind: FailureKind;
  message: string;
  stack?: string;
  ms: number;
  signature: string;
}

export interface CampaignOptions {
  seed: number;
  /** Inputs to run (stops earlier when `seconds` pass). */
  iterations?: number;
  seconds?: number;
  /** First input index. */
  start?: number;
  /** Distinct failure signatures after which the campaign stops. */
  maxSignatures?: number;
  onFailure?(f: FailureRecord, input: unknown): void;
}

export interface CampaignResult {
  target: string;
  seed: number;
  start: number;
  iterations: number;
  ms: number;
  slowestMs: number;
  failures: FailureRecord[];
}

export function runCampaign<I>(target: Target<I>, opts: CampaignOptions): CampaignResult {
  const start = opts.start ?? 0;
  const until = opts.seconds !== undefined ? performance.now() + opts.seconds * 1000 : Infinity;
  const max = opts.iterations ?? Infinity;
  const seen = new Set<string>();
  const failures: FailureRecord[] = [];
  const t0 = performance.now();
  let slowest = 0;
  let n = 0;
  for (; n < max && performance.now() < until; n++) {
    const index = start + n;
    let input: I;
    try {
      input = target.input(opts.seed, index);
    } catch (e) {
      throw new Error(`${target.name}: building input ${index} of seed ${opts.seed} failed: ${(e as Error).stack}`);
    }
    const o = runOne(target, input);
    slowest = Math.max(slowest, o.ms);
    if (o.ok) continue;
    const sig = signature(o);
    if (seen.has(sig)) continue;
    seen.add(sig);
    const f: FailureRecord = { target: target.name, seed: opts.seed, index, kind: o.kind!, message: o.message ?? '', stack: o.stack, ms: o.ms, signature: sig };
    failures.push(f);
    opts.onFailure?.(f, input);
    if (failures.length >= (opts.maxSignatures ?? 10)) {
      n++;
      break;
    }
  }
  return { target: target.name, seed: opts.seed, start, iterations: n, ms: performance.now() - t0, slowestMs: slowest, failures };
}

// ---------------------------------------------------------------------------------------------
// Minimising and saving what was found
// ---------------------------------------------------------------------------------------------

function still<I>(target: Target<I>, input: I, sig: string): boolean {
  const o = runOne(target, input);
  return !o.ok && signature(o) === sig;
}

function without(b: Uint8Array, at: number, n: number): Uint8Array {
  const out = new Uint8Array(b.length - n);
  out.set(b.subarray(0, at));
  out.set(b.subarray(at + n), at);
  return out;
}

/**
 * Shrinks a failing byte input while it fails with the same signature: whole pcap records /
 * pcapng blocks first, then byte ranges (delta debugging), within `budgetMs`.
 */
export function minimizeBytes(target: Target<Uint8Array>, input: Uint8Array, sig: string, budgetMs = 30000): Uint8Array {
  const until = performance.now() + budgetMs;
  let cur = input;
  const units = (b: Uint8Array): { at: number; n: number }[] => {
    const pl = pcapLayout(b);
    if (pl) return pl.records.map((r) => ({ at: r.at, n: Math.min(b.length - r.at, pl.recordHeader + r.incl) }));
    const ng = pcapngBlocks(b);
    if (ng) return ng.blocks.filter((x, i) => i > 0).map((x) => ({ at: x.at, n: Math.min(b.length - x.at, x.total) }));
    return [];
  };
  // Structural units, last first (so offsets of the earlier ones stay valid).
  let progress = true;
  while (progress && performance.now() < until) {
    progress = false;
    const us = units(cur).reverse();
    for (const u of us) {
      if (performance.now() > until) break;
      if (u.n <= 0 || u.at + u.n > cur.length) continue;
      const next = without(cur, u.at, u.n);
      if (still(target, next, sig)) {
        cur = next;
        progress = true;
      }
    }
  }
  // Byte ranges.
  let chunk = Math.max(1, Math.floor(cur.length / 2));
  while (chunk >= 1 && performance.now() < until) {
    let changed = false;
    for (let at = cur.length - chunk; at >= 0 && performance.now() < until; at -= chunk) {
      const next = without(cur, at, chunk);
      if (next.length > 0 && still(target, next, sig)) {
        cur = next;
        changed = true;
      }
    }
    if (!changed) chunk = Math.floor(chunk / 2);
  }
  return cur;
}

export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
}

/** Saves a failing input and a note beside it; returns the input's path. */
export function saveFailure<I>(dir: string, target: Target<I>, f: FailureRecord, input: I, extra: { minimizedFrom?: number } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const { bytes, ext } = target.encode(input);
  const base = `${target.name}-${f.kind}-${f.seed}-${f.index}`;
  const file = path.join(dir, `${base}.${ext}`);
  fs.writeFileSync(file, bytes);
  const note = [
    `# ${target.name}: ${f.kind}`,
    '',
    `- entry: \`${target.name}\``,
    `- seed: ${f.seed}, index: ${f.index}`,
    `- signature: \`${f.signature}\``,
    `- time: ${Math.round(f.ms)} ms`,
    `- input: \`${path.basename(file)}\` (${bytes.length} bytes${extra.minimizedFrom ? `, minimised from ${extra.minimizedFrom}` : ''})`,
    `- replay: \`npm run fuzz -- --entry ${target.name} --replay ${path.relative(process.cwd(), file)}\``,
    `- regenerate: \`npm run fuzz -- --entry ${target.name} --seed ${f.seed} --start ${f.index} --iterations 1\``,
    '',
    '```',
    f.message.slice(0, 3000),
    '```',
    '',
    f.stack ? '```\n' + f.stack.split('\n').slice(0, 15).join('\n') + '\n```' : '',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, `${base}.md`), note);
  return file;
}
