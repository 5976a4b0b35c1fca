// `npm run bench`: builds the CLI and the benchmark inputs (scripts/bench/generate.mjs), then
// times, on each warmed input file:
//   floor     a plain read of the file in Node (fs.createReadStream, 1 MiB chunks)
//   messages  node dist/cli.js messages F --json > /dev/null
//   check     node dist/cli.js check F > /dev/null   (when the CLI has the command)
//   tshark    tshark -r F -Y sip -T fields -e frame.number -e sip.Call-ID -e sip.CSeq > /dev/null
// with wall time, MB/s and peak RSS (GNU time -v, else /proc/<pid>/status VmHWM), and checks
// that our message count equals the generator's ground truth (tshark's count is shown too).
//
//   node scripts/bench/run.mjs [--quick] [--no-tshark] [--rerun-tshark] [--repeat N]
//                              [--no-build] [--only ID,ID] [--out DIR]
//
// tshark's result only depends on the input file, so it is kept next to the file
// (<file>.tshark.json) and reused; --rerun-tshark measures it again.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync, statSync, unlinkSync, statfsSync } from 'node:fs';
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
  const o = { quick: false, tshark: true, rerunTshark: false, repeat: 3, build: true, only: undefined, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--no-tshark') o.tshark = false;
    else if (a === '--rerun-tshark') o.rerunTshark = true;
    else if (a === '--no-build') o.build = false;
    else if (a === '--repeat') o.repeat = Math.max(1, Number(argv[++i]));
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--out') o.out = resolve(argv[++i]);
    else if (a === '-h' || a === '--help') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Measuring a command
// ---------------------------------------------------------------------------------------------

const hasGnuTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-v', 'true'], { encoding: 'utf8' }).stderr?.includes('Maximum resident set size');

/**
 * Runs `cmd args` with stdout to /dev/null (or to `onStdout` chunks) and returns
 * { wallSec, peakRssMB, code, stderr }.
 */
function measure(cmd, args, { onStdout } = {}) {
  return new Promise((resolveRun, reject) => {
    const timeOut = join(tmpdir(), `sip-bench-time-${process.pid}.txt`);
    const devnull = openSync('/dev/null', 'w');
    const argv = hasGnuTime ? ['-v', '-o', timeOut, cmd, ...args] : args;
    const started = process.hrtime.bigint();
    const child = spawn(hasGnuTime ? GNU_TIME : cmd, argv, { stdio: ['ignore', onStdout ? 'pipe' : devnull, 'pipe'] });
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
      closeSync(devnull);
      if (poll) clearInterval(poll);
      let peakKb = hwm;
      let exit = code;
      if (hasGnuTime) {
        const t = readFileSync(timeOut, 'utf8');
        unlinkSync(timeOut);
        peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(t)?.[1] ?? 0);
        const st = /Exit status: (\d+)/.exec(t);
        if (st) exit = Number(st[1]);
        const sig = /Command terminated by signal (\d+)/.exec(t);
        if (sig) exit = 128 + Number(sig[1]);
      }
      resolveRun({ wallSec, peakRssMB: peakKb / 1024, code: exit, stderr });
    });
  });
}

/** Median of `n` runs by wall time (one run when the first is slow). */
async function measureRepeated(n, cmd, args) {
  const runs = [await measure(cmd, args)];
  while (runs.length < n && runs[0].wallSec < REPEAT_UNDER_SEC) runs.push(await measure(cmd, args));
  runs.sort((a, b) => a.wallSec - b.wallSec);
  const med = runs[Math.floor((runs.length - 1) / 2)];
  return { ...med, runs: runs.length, peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)), allWallSec: runs.map((r) => r.wallSec) };
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
  const opts = parseArgs(process.argv.slice(2));
  const outDir = opts.out ?? join(ROOT, 'bench-data', opts.quick ? 'quick' : '');
  mkdirSync(outDir, { recursive: true });
  const datasets = DATASETS[opts.quick ? 'quick' : 'full'].filter((d) => !opts.only || opts.only.includes(d.id));
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

    const floor = await measureRepeated(opts.repeat, process.execPath, ['-e', FLOOR_SCRIPT, path]);
    row.floor = floor;
    console.log(`  floor     ${fmt(floor.wallSec)} s  ${fmt(mb / floor.wallSec, 0)} MB/s  ${fmt(floor.peakRssMB, 0)} MB RSS`);

    const msgs = await measureRepeated(opts.repeat, process.execPath, [CLI, 'messages', path, '--json']);
    row.messages = msgs;
    if (msgs.code !== 0) console.log(`  messages exited ${msgs.code}: ${msgs.stderr.slice(0, 400)}`);
    console.log(`  messages  ${fmt(msgs.wallSec)} s  ${fmt(mb / msgs.wallSec, 0)} MB/s  ${fmt(msgs.peakRssMB, 0)} MB RSS  (${fmt(msgs.wallSec / floor.wallSec, 1)}× floor)`);

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
      console.log(`  check     ${fmt(chk.wallSec)} s  ${fmt(mb / chk.wallSec, 0)} MB/s  ${fmt(chk.peakRssMB, 0)} MB RSS  (${fmt(chk.wallSec / floor.wallSec, 1)}× floor)`);
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
        ts = { wallSec: r.wallSec, peakRssMB: r.peakRssMB, code: r.code, frames: lines, messages: cseqs, bytes, mtimeMs: statSync(path).mtimeMs, tshark: m.tshark, date: new Date().toISOString() };
        writeFileSync(cache, JSON.stringify(ts, null, 2) + '\n');
      }
      if (ts) {
        row.tshark = ts;
        console.log(`  tshark    ${fmt(ts.wallSec)} s  ${fmt(mb / ts.wallSec, 1)} MB/s  ${fmt(ts.peakRssMB, 0)} MB RSS  ${ts.frames} SIP frames, ${ts.messages} CSeq values${ts.cached ? `  (measured ${ts.date})` : ''}`);
        console.log(`  ratio     tshark / messages ${fmt(ts.wallSec / msgs.wallSec, 1)}×${row.check ? `, tshark / check ${fmt(ts.wallSec / row.check.wallSec, 1)}×` : ''}`);
      } else {
        console.log(`  tshark    skipped (${m.tshark ? '--no-tshark' : 'not installed'})`);
      }
    }
    results.push(row);
  }

  const table = renderTable(results);
  console.log('\n' + table);
  const report = { machine: m, options: opts, results };
  const name = opts.quick ? 'results-quick' : 'results';
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(outDir, `${name}.md`), table + '\n');
  console.log(`\nwritten: ${relative(ROOT, join(outDir, name + '.json'))}, ${relative(ROOT, join(outDir, name + '.md'))}`);
  if (results.some((r) => !r.countOk)) process.exitCode = 1;
}

function renderTable(results) {
  const head = ['input', 'MB', 'SIP msgs (truth)', 'ours', 'floor s', 'messages s', 'MB/s', '× floor', 'RSS MB', 'check s', '× floor', 'RSS MB', 'tshark s', 'RSS MB', 'tshark msgs', 'tshark / messages', 'tshark / check'];
  const rows = results.map((r) => [
    `${r.file}`,
    fmt(r.mb, 0),
    String(r.truth),
    `${r.ourCount}${r.countOk ? '' : ' ✗'}`,
    fmt(r.floor.wallSec),
    fmt(r.messages.wallSec),
    fmt(r.mb / r.messages.wallSec, 0),
    fmt(r.messages.wallSec / r.floor.wallSec, 1),
    fmt(r.messages.peakRssMB, 0),
    r.check ? fmt(r.check.wallSec) : '–',
    r.check ? fmt(r.check.wallSec / r.floor.wallSec, 1) : '–',
    r.check ? fmt(r.check.peakRssMB, 0) : '–',
    r.tshark ? fmt(r.tshark.wallSec, 1) : '–',
    r.tshark ? fmt(r.tshark.peakRssMB, 0) : '–',
    r.tshark ? String(r.tshark.messages) : '–',
    r.tshark ? `${fmt(r.tshark.wallSec / r.messages.wallSec, 0)}×` : '–',
    r.tshark && r.check ? `${fmt(r.tshark.wallSec / r.check.wallSec, 0)}×` : '–',
  ]);
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

main().catch((e) => {
  console.error(`bench: ${e.message}`);
  process.exitCode = 2;
});
