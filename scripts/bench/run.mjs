// `npm run bench`: builds the CLI and the benchmark inputs (scripts/bench/generate.mjs), then
// times, on each warmed input file:
//   floor     a plain read of the file in Node (fs.createReadStream, 1 MiB chunks)
//   messages  node dist/cli.js messages F --json > /dev/null
//             (and again with SIP_INSPECT_THREADS=1 for captures: the one-thread figure)
//   check     node dist/cli.js check F > /dev/null   (when the CLI has the command)
//   json, sarif  node dist/cli.js check F --format json|sarif > /dev/null, once, on the 1 GB
//             capture (every input with --formats): their memory, next to the text output's
//   tshark    tshark -r F -Y sip -T fields -e frame.number -e sip.Call-ID -e sip.CSeq > /dev/null
// with wall time, CPU time, MB/s and peak RSS (GNU time -v, else /proc/<pid>/status VmHWM), and
// checks that our message count equals the generator's ground truth (tshark's count is shown
// too). Each of ours is run --repeat times (median); the load average is recorded, since other
// work on the machine stretches wall times.
//
//   node scripts/bench/run.mjs [--quick] [--no-tshark] [--rerun-tshark] [--repeat N]
//                              [--no-build] [--only ID,ID] [--out DIR] [--timeout SEC] [--formats]
//   node scripts/bench/run.mjs --editor [options of scripts/bench/editor.mjs]
//                              (only the extension's benchmark in a real editor: editor.mjs)
//
// tshark's result only depends on the input file, so it is kept next to the file
// (<file>.tshark.json) and reused; --rerun-tshark measures it again.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, writeFileSync, statSync, unlinkSync, statfsSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATASETS, ensureDataset } from './generate.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist', 'cli.js');
const GNU_TIME = '/usr/bin/time';
const TSHARK_FIELDS = ['-Y', 'sip', '-T', 'fields', '-e', 'frame.number', '-e', 'sip.Call-ID', '-e', 'sip.CSeq'];
/** A run longer than this is not repeated (check on a 1 GB file, tshark). */
const REPEAT_UNDER_SEC = 20;

function parseArgs(argv) {
  const o = { quick: false, tshark: true, rerunTshark: false, repeat: 3, build: true, only: undefined, out: undefined, timeoutSec: 600 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--no-tshark') o.tshark = false;
    else if (a === '--rerun-tshark') o.rerunTshark = true;
    else if (a === '--no-build') o.build = false;
    else if (a === '--repeat') o.repeat = Math.max(1, Number(argv[++i]));
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--formats') o.formats = true;
    else if (a === '--out') o.out = resolve(argv[++i]);
    else if (a === '--timeout') o.timeoutSec = Number(argv[++i]);
    else if (a === '-h' || a === '--help') {
      const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
      console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Measuring a command
// ---------------------------------------------------------------------------------------------

const hasGnuTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-v', 'true'], { encoding: 'utf8' }).stderr?.includes('Maximum resident set size');

let timeoutSec = 600;

/**
 * Runs `cmd args` with stdout to /dev/null (or to `onStdout` chunks) and returns
 * { wallSec, cpuSec, peakRssMB, code, stderr, load }; killed after `timeoutSec`.
 */
function measure(cmd, args, { onStdout, env } = {}) {
  return new Promise((resolveRun, reject) => {
    const timeOut = join(tmpdir(), `sip-bench-time-${process.pid}.txt`);
    const devnull = openSync('/dev/null', 'w');
    const argv = hasGnuTime ? ['-v', '-o', timeOut, cmd, ...args] : args;
    const started = process.hrtime.bigint();
    const load = loadAverage();
    const child = spawn(hasGnuTime ? GNU_TIME : cmd, argv, { stdio: ['ignore', onStdout ? 'pipe' : devnull, 'pipe'], env: env ? { ...process.env, ...env } : process.env });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutSec * 1000);
    let stderr = '';
    child.stderr.on('data', (d) => {
      if (stderr.length < 8192) stderr += d;
    });
    if (onStdout) child.stdout.on('data', onStdout);
    let hwm = 0;
    let poll;
    if (!hasGnuTime) {
      // VmHWM: the peak resident set size of the process so far.
      poll = setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch {
          // exited
        }
      }, 10);
    }
    child.on('error', reject);
    child.on('close', (code) => {
      const wallSec = Number(process.hrtime.bigint() - started) / 1e9;
      clearTimeout(timer);
      closeSync(devnull);
      if (poll) clearInterval(poll);
      let peakKb = hwm;
      let exit = timedOut ? 'timeout' : code;
      let cpuSec;
      if (hasGnuTime && existsSync(timeOut)) {
        const t = readFileSync(timeOut, 'utf8');
        unlinkSync(timeOut);
        peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(t)?.[1] ?? 0);
        cpuSec = Number(/User time \(seconds\): ([\d.]+)/.exec(t)?.[1] ?? NaN) + Number(/System time \(seconds\): ([\d.]+)/.exec(t)?.[1] ?? NaN);
        const st = /Exit status: (\d+)/.exec(t);
        if (st) exit = Number(st[1]);
        const sig = /Command terminated by signal (\d+)/.exec(t);
        if (sig) exit = timedOut ? 'timeout' : 128 + Number(sig[1]);
      }
      resolveRun({ wallSec, cpuSec, peakRssMB: peakKb / 1024, code: exit, stderr, load });
    });
  });
}

/** Median of `n` runs by wall time (one run when the first is slow); the lowest CPU time. */
async function measureRepeated(n, cmd, args, opts) {
  const runs = [await measure(cmd, args, opts)];
  while (runs.length < n && runs[0].wallSec < REPEAT_UNDER_SEC) runs.push(await measure(cmd, args, opts));
  const byWall = [...runs].sort((a, b) => a.wallSec - b.wallSec);
  const med = byWall[Math.floor((byWall.length - 1) / 2)];
  return {
    ...med,
    runs: runs.length,
    minWallSec: byWall[0].wallSec,
    cpuSec: Math.min(...runs.map((r) => r.cpuSec ?? Infinity)),
    peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)),
    allWallSec: runs.map((r) => Math.round(r.wallSec * 100) / 100),
    loads: runs.map((r) => r.load),
  };
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/**
 * CPU seconds of each thread of a run (polling /proc/<pid>/task/<tid>/stat until it exits):
 * the main thread, the busiest other thread (the capture worker; V8's GC helpers are much
 * lighter) and all together. With two threads the wall time on an idle two-core machine is about
 * the larger of the first two, which a loaded machine does not show.
 */
function threadCpu(cmd, args, env) {
  return new Promise((resolveRun, reject) => {
    const devnull = openSync('/dev/null', 'w');
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', devnull, 'ignore'], env: { ...process.env, ...env } });
    const last = new Map();
    const sample = () => {
      try {
        for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
          const stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          last.set(tid, (Number(f[11]) + Number(f[12])) / CLK_TCK);
        }
      } catch {
        // exiting
      }
    };
    const poll = setInterval(sample, 20);
    child.on('error', reject);
    child.on('close', () => {
      clearInterval(poll);
      closeSync(devnull);
      const main = last.get(String(child.pid)) ?? 0;
      const others = [...last].filter(([tid]) => tid !== String(child.pid)).map(([, s]) => s);
      resolveRun({
        wallSec: Number(process.hrtime.bigint() - started) / 1e9,
        mainSec: main,
        busiestOtherSec: others.length ? Math.max(...others) : 0,
        allSec: main + others.reduce((a, b) => a + b, 0),
      });
    });
  });
}

function loadAverage() {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

const FLOOR_SCRIPT = `const fs=require('fs');let n=0;fs.createReadStream(process.argv[1],{highWaterMark:1<<20}).on('data',(c)=>{n+=c.length}).on('end',()=>{process.stdout.write(n+'\\n')});`;

/** Reads the file once so that every run finds it in the page cache. */
function warm(path) {
  return new Promise((res, rej) => {
    createReadStream(path, { highWaterMark: 1 << 20 }).on('data', () => {}).on('end', res).on('error', rej);
  });
}

/** Counts the messages in `messages --json` output without holding it: one "transport" key per message. */
function jsonMessageCounter() {
  const needle = Buffer.from('"transport": "');
  let count = 0;
  let tail = Buffer.alloc(0);
  return {
    onStdout(chunk) {
      const b = tail.length ? Buffer.concat([tail, chunk]) : chunk;
      let i = 0;
      for (;;) {
        const k = b.indexOf(needle, i);
        if (k < 0) break;
        count++;
        i = k + needle.length;
      }
      tail = Buffer.from(b.subarray(Math.max(i, b.length - needle.length + 1)));
    },
    get count() {
      return count;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Machine and tools
// ---------------------------------------------------------------------------------------------

function machine() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(cpus().length);
  const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  return {
    nproc: Number(nproc),
    cpu: model,
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    tshark: tshark.status === 0 ? tshark.stdout.split('\n')[0].trim() : undefined,
    gnuTime: hasGnuTime,
    date: new Date().toISOString(),
  };
}

function cliHasCheck() {
  const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  return /sip-inspect check /.test(r.stdout ?? '');
}

function freeBytes(dir) {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Infinity;
  }
}

// ---------------------------------------------------------------------------------------------

const fmt = (x, d = 2) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));

async function main() {
  if (process.argv.includes('--editor')) {
    const editor = await import('./editor.mjs');
    process.exit(await editor.main(process.argv.slice(2).filter((a) => a !== '--editor')));
  }
  const opts = parseArgs(process.argv.slice(2));
  timeoutSec = opts.timeoutSec;
  const outDir = opts.out ?? join(ROOT, 'bench-data', opts.quick ? 'quick' : '');
  mkdirSync(outDir, { recursive: true });
  // The extra inputs (the 2 GB capture) only when named with --only.
  const datasets = (opts.quick ? DATASETS.quick : opts.only ? [...DATASETS.full, ...DATASETS.extra] : DATASETS.full).filter((d) => !opts.only || opts.only.includes(d.id));
  const m = machine();
  console.log(`machine: ${m.nproc} × ${m.cpu}, ${m.memoryGB} GB, node ${m.node}, ${m.tshark ?? 'no tshark'}`);

  const missingBytes = datasets.reduce((a, d) => a + (existsSync(join(outDir, d.file)) ? 0 : d.targetBytes * 1.1), 0);
  const free = freeBytes(outDir);
  console.log(`disk: ${(free / 1e9).toFixed(1)} GB free under ${outDir}; ${(missingBytes / 1e9).toFixed(2)} GB of inputs to build`);
  if (missingBytes > free - 1e9) throw new Error('not enough disk space for the benchmark inputs (keeping 1 GB free)');

  if (opts.build) {
    console.log('build: webpack --config-name cli');
    const r = spawnSync('npx', ['webpack', '--mode', 'production', '--config-name', 'cli'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('webpack failed');
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing (run without --no-build)`);
  const withCheck = cliHasCheck();

  console.log('inputs:');
  const inputs = datasets.map((d) => ({ ds: d, ...ensureDataset(d, outDir, (s) => console.log(s)) }));

  const results = [];
  for (const inp of inputs) {
    const { ds, path, truth, bytes } = inp;
    const mb = bytes / 1e6;
    const rel = relative(ROOT, path);
    console.log(`\n${rel} (${fmt(mb, 1)} MB, ${truth.sipMessages} SIP messages)`);
    await warm(path);
    const row = { id: ds.id, file: rel, format: ds.kind === 'log' ? 'log' : ds.format, mb, truth: truth.sipMessages, flows: truth.sipFlows };

    const line = (label, r) =>
      `  ${label.padEnd(10)}${fmt(r.wallSec)} s  cpu ${fmt(r.cpuSec)} s  ${fmt(mb / r.wallSec, 0)} MB/s  ${fmt(r.peakRssMB, 0)} MB RSS${r === row.floor ? '' : `  (${fmt(r.wallSec / row.floor.wallSec, 1)}× floor)`}  load ${r.loads?.join('/') ?? r.load}`;
    row.floor = await measureRepeated(opts.repeat, process.execPath, ['-e', FLOOR_SCRIPT, path]);
    console.log(line('floor', row.floor));

    const msgs = await measureRepeated(opts.repeat, process.execPath, [CLI, 'messages', path, '--json']);
    row.messages = msgs;
    if (msgs.code !== 0) console.log(`  messages exited ${msgs.code}: ${msgs.stderr.slice(0, 400)}`);
    console.log(line('messages', msgs));
    if (ds.kind === 'capture') {
      // The same on one thread (the capture worker of parallelRead.ts switched off).
      row.messages1 = await measureRepeated(opts.repeat, process.execPath, [CLI, 'messages', path, '--json'], { env: { SIP_INSPECT_THREADS: '1' } });
      console.log(line('1 thread', row.messages1));
      if (existsSync('/proc/self/task')) {
        row.threads = await threadCpu(process.execPath, [CLI, 'messages', path, '--json'], {});
        const t = row.threads;
        console.log(`  threads   main ${fmt(t.mainSec)} s, capture worker ${fmt(t.busiestOtherSec)} s, all ${fmt(t.allSec)} s of CPU: about ${fmt(Math.max(t.mainSec, t.busiestOtherSec))} s on two idle cores`);
      }
    }

    // Correctness: count the messages of one more (untimed) run.
    const counter = jsonMessageCounter();
    await measure(process.execPath, [CLI, 'messages', path, '--json'], { onStdout: (c) => counter.onStdout(c) });
    row.ourCount = counter.count;
    row.countOk = counter.count === truth.sipMessages;
    console.log(`  count     ${counter.count} messages, ground truth ${truth.sipMessages}: ${row.countOk ? 'OK' : 'MISMATCH'}`);

    if (withCheck) {
      const chk = await measureRepeated(opts.repeat, process.execPath, [CLI, 'check', path]);
      row.check = chk;
      if (chk.code !== 0 && chk.code !== 1) console.log(`  check exited ${chk.code}: ${chk.stderr.slice(0, 400)}`);
      console.log(line('check', chk));
      if (ds.kind === 'capture' && existsSync('/proc/self/task')) {
        // Which thread bounds `check`: the main thread (parse, rules, output) or the capture worker.
        row.checkThreads = await threadCpu(process.execPath, [CLI, 'check', path], {});
        const t = row.checkThreads;
        console.log(`  threads   check: main ${fmt(t.mainSec)} s, capture worker ${fmt(t.busiestOtherSec)} s, all ${fmt(t.allSec)} s of CPU`);
      }
      if (ds.id === 'pcap-1g' || opts.formats) {
        // The formats CI uses: their memory must stay as flat as the text output's (once, not timed against a target).
        row.checkFormats = {};
        for (const format of ['json', 'sarif']) {
          const r = await measure(process.execPath, [CLI, 'check', path, '--format', format, '--fail-on', 'never']);
          row.checkFormats[format] = r;
          if (r.code !== 0) console.log(`  check --format ${format} exited ${r.code}: ${r.stderr.slice(0, 400)}`);
          console.log(line(format.padEnd(9), r));
        }
      }
    } else {
      console.log('  check     skipped: dist/cli.js has no check command yet');
    }

    if (ds.kind === 'capture') {
      const cache = `${path}.tshark.json`;
      let ts;
      if (existsSync(cache) && !opts.rerunTshark) {
        const c = JSON.parse(readFileSync(cache, 'utf8'));
        if (c.bytes === bytes && c.mtimeMs === statSync(path).mtimeMs && c.tshark === m.tshark) ts = { ...c, cached: true };
      }
      if (!ts && opts.tshark && m.tshark) {
        let lines = 0, cseqs = 0, tail = '';
        const r = await measure('tshark', ['-r', path, ...TSHARK_FIELDS], {
          onStdout: (c) => {
            const text = tail + c.toString('latin1');
            const parts = text.split('\n');
            tail = parts.pop();
            for (const l of parts) {
              lines++;
              cseqs += (l.split('\t')[2] ?? '').split(',').filter(Boolean).length;
            }
          },
        });
        ts = { wallSec: r.wallSec, cpuSec: r.cpuSec, load: r.load, peakRssMB: r.peakRssMB, code: r.code, frames: lines, messages: cseqs, bytes, mtimeMs: statSync(path).mtimeMs, tshark: m.tshark, date: new Date().toISOString() };
        writeFileSync(cache, JSON.stringify(ts, null, 2) + '\n');
      }
      if (ts) {
        row.tshark = ts;
        console.log(`  tshark    ${fmt(ts.wallSec)} s  cpu ${fmt(ts.cpuSec)} s  ${fmt(mb / ts.wallSec, 1)} MB/s  ${fmt(ts.peakRssMB, 0)} MB RSS  ${ts.frames} SIP frames, ${ts.messages} CSeq values  load ${ts.load}${ts.cached ? `  (measured ${ts.date})` : ''}`);
        console.log(`  ratio     tshark / messages ${fmt(ts.wallSec / msgs.wallSec, 1)}× wall, ${fmt(ts.cpuSec / msgs.cpuSec, 1)}× cpu${row.check ? `; tshark / check ${fmt(ts.wallSec / row.check.wallSec, 1)}× wall` : ''}`);
      } else {
        console.log(`  tshark    skipped (${m.tshark ? '--no-tshark' : 'not installed'})`);
      }
    }
    results.push(row);
  }

  const table = renderTable(results);
  console.log('\n' + table);
  const verdict = targets(results);
  if (verdict.length) console.log('\n' + verdict.join('\n'));
  const report = { machine: m, options: opts, results };
  const name = opts.quick ? 'results-quick' : 'results';
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(outDir, `${name}.md`), table + '\n');
  console.log(`\nwritten: ${relative(ROOT, join(outDir, name + '.json'))}, ${relative(ROOT, join(outDir, name + '.md'))}`);
  if (results.some((r) => !r.countOk)) process.exitCode = 1;
}

/**
 * The issue's targets for `check`, met or not, from this run: on the 1 GB capture at least 50×
 * faster than tshark and within 4× of the floor; peak memory under 200 MB there, and not growing
 * from the 200 MB capture to the 1 GB one (within 10 %).
 */
function targets(results) {
  const big = results.find((r) => r.file.endsWith('capture-1g.pcap'));
  const small = results.find((r) => r.file.endsWith('capture-200m.pcap'));
  if (!big?.check) return [];
  const mark = (ok) => (ok ? 'met' : 'NOT met');
  const out = ['targets (check, capture-1g.pcap):'];
  if (big.tshark) {
    const x = big.tshark.wallSec / big.check.wallSec;
    out.push(`  50× faster than tshark: ${mark(x >= 50)} (${fmt(x, 1)}×: ${fmt(big.check.wallSec)} s against ${fmt(big.tshark.wallSec, 1)} s)`);
  }
  const f = big.check.wallSec / big.floor.wallSec;
  out.push(`  within 4× of the floor: ${mark(f <= 4)} (${fmt(f, 1)}×: ${fmt(big.check.wallSec)} s against ${fmt(big.floor.wallSec)} s)`);
  out.push(`  peak memory under 200 MB: ${mark(big.check.peakRssMB < 200)} (${fmt(big.check.peakRssMB, 0)} MB)`);
  if (small?.check) {
    const g = big.check.peakRssMB / small.check.peakRssMB;
    out.push(`  memory flat from 200 MB to 1 GB: ${mark(g <= 1.1)} (${fmt(small.check.peakRssMB, 0)} MB -> ${fmt(big.check.peakRssMB, 0)} MB)`);
  }
  const bigger = results.find((r) => r.file.endsWith('capture-2g.pcap'));
  if (bigger?.check) {
    const g = bigger.check.peakRssMB / big.check.peakRssMB;
    out.push(`  memory flat from 1 GB to 2 GB (--only pcap-2g): ${mark(g <= 1.1)} (${fmt(big.check.peakRssMB, 0)} MB -> ${fmt(bigger.check.peakRssMB, 0)} MB)`);
  }
  return out;
}

function renderTable(results) {
  const head = ['input', 'MB', 'SIP msgs: truth / ours / tshark', 'floor s', 'messages s (cpu)', '× floor', 'RSS MB', '1 thread s (cpu)', 'RSS MB', 'check s', '× floor', 'RSS MB', 'tshark s (cpu)', 'RSS MB', 'tshark / messages: wall (cpu)', 'tshark / check'];
  const wall = (r) => (r ? `${fmt(r.wallSec)} (${fmt(r.cpuSec)})` : '–');
  const rows = results.map((r) => [
    r.file,
    fmt(r.mb, 0),
    `${r.truth} / ${r.ourCount}${r.countOk ? '' : ' ✗'} / ${r.tshark ? r.tshark.messages : '–'}`,
    fmt(r.floor.wallSec),
    wall(r.messages),
    fmt(r.messages.wallSec / r.floor.wallSec, 1),
    fmt(r.messages.peakRssMB, 0),
    wall(r.messages1),
    r.messages1 ? fmt(r.messages1.peakRssMB, 0) : '–',
    r.check ? (typeof r.check.code === 'number' && r.check.code <= 1 ? fmt(r.check.wallSec) : `failed (${r.check.code}) after ${fmt(r.check.wallSec, 0)}`) : '–',
    r.check ? fmt(r.check.wallSec / r.floor.wallSec, 1) : '–',
    r.check ? fmt(r.check.peakRssMB, 0) : '–',
    r.tshark ? `${fmt(r.tshark.wallSec, 1)} (${fmt(r.tshark.cpuSec, 1)})` : '–',
    r.tshark ? fmt(r.tshark.peakRssMB, 0) : '–',
    r.tshark ? `${fmt(r.tshark.wallSec / r.messages.wallSec, 0)}× (${fmt(r.tshark.cpuSec / r.messages.cpuSec, 0)}×)` : '–',
    r.tshark && r.check ? `${fmt(r.tshark.wallSec / r.check.wallSec, 0)}×` : '–',
  ]);
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

main().catch((e) => {
  console.error(`bench: ${e.message}`);
  process.exitCode = 2;
});
