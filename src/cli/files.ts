/** Node-side file access for the CLI: streaming reads and folder walking. */
import * as fs from 'fs';
import * as path from 'path';
import type { ReadTraceResult, TraceSink } from '../core/trace';
import { readTraceFileFast, type ReadOptions } from './parallelRead';

/** File name endings walked in folders. Content decides the format; this only picks candidates. */
export const TRACE_EXTENSIONS = ['.pcap', '.pcapng', '.cap', '.sip', '.siplog', '.log', '.txt'];

export class UsageError extends Error {}

/** Expands files, folders (walked recursively, sorted) and simple globs (`*`, `**`, `?`). */
export function expandInputs(inputs: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const input of inputs) {
    if (/[*?]/.test(input)) {
      const matched = globFiles(input);
      if (matched.length === 0) missing.push(input);
      files.push(...matched);
      continue;
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch {
      missing.push(input);
      continue;
    }
    if (st.isDirectory()) files.push(...walk(input));
    else files.push(input);
  }
  return { files: [...new Set(files)], missing };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && TRACE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

function globFiles(pattern: string): string[] {
  const norm = pattern.split(path.sep).join('/');
  const firstWild = norm.search(/[*?]/);
  const baseEnd = norm.lastIndexOf('/', firstWild);
  const base = baseEnd < 0 ? '.' : norm.slice(0, baseEnd) || '/';
  const re = new RegExp(
    '^' +
      norm
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        // Private-use characters stand for `**/` and `**` while single `*` is translated.
        .replace(/\*\*\//g, '\ue000')
        .replace(/\*\*/g, '\ue001')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/\ue000/g, '(?:.*/)?')
        .replace(/\ue001/g, '.*') +
      '$',
  );
  if (!fs.existsSync(base)) return [];
  const all: string[] = [];
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = d === '.' ? e.name : `${d}/${e.name}`;
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) all.push(p);
    }
  };
  visit(base);
  return all.filter((p) => re.test(p)).sort();
}

/**
 * Streams a file through the trace engine in 1 MiB chunks; a large capture is read on two
 * threads (parallelRead.ts), with the same result.
 */
export async function readTraceFile(file: string, sink: TraceSink, opts: ReadOptions = {}): Promise<ReadTraceResult> {
  return readTraceFileFast(file, sink, opts);
}
