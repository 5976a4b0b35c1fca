// Long fuzz campaigns over the trace engine (test/fuzz/targets.ts, compiled to out/test/fuzz/).
//
//   npm run fuzz -- [--entry capture,net,...|all] [--seconds 60] [--seed N] [--start I]
//                   [--iterations N] [--hang-seconds 10] [--max-heap-mb 512] [--jobs 1] [--out DIR]
//                   [--no-minimize] [--no-compile]
//   npm run fuzz -- --entry <entry> --replay <file>
//   npm run fuzz -- --list
//   --self-test-hang I makes input I spin forever, to check the watchdog (use with --out /tmp/x).
//
// Each entry runs in a worker thread. The worker publishes the index of the input it is running
// in shared memory; a watchdog here terminates it when that index has not moved for
// --hang-seconds (a real hang: an infinite loop cannot be timed from inside), rebuilds the input
// from (entry, seed, index) and restarts after it. A worker that exceeds its heap limit (memory
// not bounded) dies and is reported as a crash of the input it was running. Inputs slower than their budget, crashes and
// broken invariants are reported by the worker. Every distinct failure is minimised (pcap records,
// pcapng blocks, then byte ranges) and saved under test/fixtures/hostile/found/ with a note.
// Exit code: 0 nothing found, 1 something found, 2 usage error.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(import.meta.dirname, '..');
const fuzzOut = join(root, 'out', 'test', 'fuzz');
const require = createRequire(import.meta.url);

function load() {
  return { targets: require(join(fuzzOut, 'targets.js')), campaign: require(join(fuzzOut, 'campaign.js')) };
}

// ---------------------------------------------------------------------------------------------
// Worker: runs inputs start.. of one entry until its iterations or seconds are used up
// ---------------------------------------------------------------------------------------------

if (!isMainThread) {
  const { entry, seed, start, iterations, seconds, shared, selfTestHang } = workerData;
  const { targets, campaign } = load();
  const t = targets.targetByName(entry);
  const cur = new Int32Array(shared);
  const until = Date.now() + seconds * 1000;
  const seen = new Set();
  let n = 0;
  let slowest = 0;
  for (; n < iterations && Date.now() < until; n++) {
    const index = start + n;
    Atomics.store(cur, 0, index);
    Atomics.add(cur, 1, 1);
    if (index === selfTestHang) for (;;);
    const o = campaign.runOne(t, t.input(seed, index));
    slowest = Math.max(slowest, o.ms);
    if (!o.ok) {
      const sig = campaign.signature(o);
      if (!seen.has(sig)) {
        seen.add(sig);
        parentPort.postMessage({ type: 'failure', f: { target: entry, seed, index, kind: o.kind, message: o.message, stack: o.stack, ms: o.ms, signature: sig } });
      }
    }
  }
  parentPort.postMessage({ type: 'done', n, slowest });
} else {
  process.exitCode = await main(process.argv.slice(2));
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = { entry: 'all', seconds: 60, seed: undefined, start: 0, iterations: Infinity, hangSeconds: 10, maxHeapMb: 512, jobs: 1, out: join(root, 'test', 'fixtures', 'hostile', 'found'), minimize: true, compile: true, replay: undefined, list: false, selfTestHang: -1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const num = () => {
      const v = Number(val());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a non-negative number`);
      return v;
    };
    switch (a) {
      case '--entry': o.entry = val(); break;
      case '--seconds': o.seconds = num(); break;
      case '--seed': o.seed = Math.floor(num()); break;
      case '--start': o.start = Math.floor(num()); break;
      case '--iterations': o.iterations = Math.floor(num()); break;
      case '--hang-seconds': o.hangSeconds = num(); break;
      case '--max-heap-mb': o.maxHeapMb = num(); break;
      case '--jobs': o.jobs = Math.max(1, Math.floor(num())); break;
      case '--out': o.out = resolve(val()); break;
      case '--replay': o.replay = resolve(val()); break;
      case '--no-minimize': o.minimize = false; break;
      case '--no-compile': o.compile = false; break;
      case '--list': o.list = true; break;
      case '--self-test-hang': o.selfTestHang = Math.floor(num()); break;
      case '-h':
      case '--help': o.help = true; break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

function compile() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', root], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  // Errors in files other helpers are still writing must not stop a campaign: tsc emits anyway.
  const mine = (r.stdout ?? '').split('\n').filter((l) => /^(test\/fuzz|src\/core)\//.test(l));
  if (mine.length) process.stderr.write(`fuzz: tsc reports errors in the fuzzed code:\n${mine.join('\n')}\n`);
}

async function main(argv) {
  let o;
  try {
    o = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`fuzz: ${e.message}\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n') + '\n');
    return 0;
  }
  if (o.compile) compile();
  if (!existsSync(join(fuzzOut, 'targets.js'))) {
    process.stderr.write(`fuzz: ${join(fuzzOut, 'targets.js')} is missing: run npx tsc -p .\n`);
    return 2;
  }
  const { targets, campaign } = load();
  if (o.list) {
    for (const t of targets.TARGETS) process.stdout.write(`${t.name.padEnd(10)} ${t.description}\n`);
    return 0;
  }
  const names = o.entry === 'all' ? targets.TARGETS.map((t) => t.name) : o.entry.split(',');
  for (const n of names) {
    if (!targets.targetByName(n)) {
      process.stderr.write(`fuzz: unknown entry '${n}' (see --list)\n`);
      return 2;
    }
  }
  if (o.replay) return replay(targets, campaign, names, o.replay);

  const seed = o.seed ?? (Date.now() % 2147483647);
  process.stdout.write(`fuzz: seed ${seed}, entries ${names.join(', ')}, ${o.seconds} s each${o.iterations < Infinity ? `, at most ${o.iterations} inputs` : ''}, hang after ${o.hangSeconds} s\n`);
  const queue = [...names];
  const results = [];
  const runNext = async () => {
    while (queue.length) {
      const name = queue.shift();
      results.push(await runEntry(targets, campaign, name, seed, o));
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.jobs, names.length) }, runNext));
  let found = 0;
  process.stdout.write('\nfuzz summary (seed ' + seed + '):\n');
  for (const r of results.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name))) {
    found += r.saved.length;
    process.stdout.write(`  ${r.name.padEnd(10)} ${String(r.iterations).padStart(8)} inputs  ${(r.ms / 1000).toFixed(1).padStart(6)} s  slowest ${Math.round(r.slowest)} ms  ${r.saved.length ? r.saved.length + ' found' : 'clean'}\n`);
    for (const s of r.saved) process.stdout.write(`      ${s}\n`);
  }
  return found ? 1 : 0;
}

function replay(targets, campaign, names, file) {
  if (names.length !== 1) {
    process.stderr.write('fuzz: --replay needs exactly one --entry\n');
    return 2;
  }
  const t = targets.targetByName(names[0]);
  const b = readFileSync(file);
  const o = campaign.runOne(t, t.decode(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
  if (o.ok) {
    process.stdout.write(`${names[0]}: ${file}: ok (${Math.round(o.ms)} ms)\n`);
    return 0;
  }
  process.stdout.write(`${names[0]}: ${file}: ${o.kind} after ${Math.round(o.ms)} ms\n${o.message}\n${o.stack ?? ''}\n`);
  return 1;
}

/** Runs one entry in workers until its time is used, restarting after a hang. */
async function runEntry(targets, campaign, name, seed, o) {
  const t = targets.targetByName(name);
  const t0 = Date.now();
  const failures = [];
  let next = o.start;
  let iterations = 0;
  let slowest = 0;
  while (iterations < o.iterations) {
    const left = o.seconds - (Date.now() - t0) / 1000;
    if (left <= 0) break;
    const shared = new SharedArrayBuffer(8);
    const cur = new Int32Array(shared);
    Atomics.store(cur, 0, next);
    const w = new Worker(new URL(import.meta.url), { workerData: { entry: name, seed, start: next, iterations: o.iterations - iterations, seconds: left, shared, selfTestHang: o.selfTestHang }, resourceLimits: { maxOldGenerationSizeMb: o.maxHeapMb } });
    const outcome = await new Promise((resolveRun) => {
      let beat = -1;
      let since = Date.now();
      const watchdog = setInterval(() => {
        const b = Atomics.load(cur, 1);
        if (b !== beat) {
          beat = b;
          since = Date.now();
        } else if (Date.now() - since > o.hangSeconds * 1000) {
          clearInterval(watchdog);
          const index = Atomics.load(cur, 0);
          w.terminate().then(() => resolveRun({ hang: index, ran: index - next }));
        }
      }, 250);
      w.on('message', (m) => {
        if (m.type === 'failure') {
          failures.push(m.f);
          process.stdout.write(`  ${name}: ${m.f.kind} at input ${m.f.index}: ${m.f.message.split('\n')[0].slice(0, 160)}\n`);
        } else if (m.type === 'done') {
          clearInterval(watchdog);
          slowest = Math.max(slowest, m.slowest);
          resolveRun({ ran: m.n });
        }
      });
      w.on('error', (e) => {
        clearInterval(watchdog);
        const index = Atomics.load(cur, 0);
        failures.push({ target: name, seed, index, kind: 'crash', message: `worker died: ${e?.message ?? e}`, stack: e?.stack, ms: 0, signature: `crash: worker died: ${String(e?.message ?? e).slice(0, 80)}` });
        resolveRun({ ran: index - next + 1 });
      });
    });
    if (outcome.hang !== undefined) {
      const index = outcome.hang;
      process.stdout.write(`  ${name}: no progress on input ${index} for ${o.hangSeconds} s: hang\n`);
      failures.push({ target: name, seed, index, kind: 'hang', message: `input ${index} ran for more than ${o.hangSeconds} s (the worker was stopped)`, ms: o.hangSeconds * 1000, signature: `hang: watchdog ${index}` });
      iterations += outcome.ran + 1;
      next = index + 1;
      continue;
    }
    iterations += outcome.ran;
    next += outcome.ran;
    break;
  }
  // Minimise and save each distinct failure (a hang is saved as it is).
  const saved = [];
  const seen = new Set();
  for (const f of failures) {
    const key = f.signature.startsWith('hang: watchdog') ? 'hang: watchdog' : f.signature;
    if (seen.has(key)) continue;
    seen.add(key);
    let input = t.input(f.seed, f.index);
    let from;
    if (o.minimize && f.kind !== 'hang' && input instanceof Uint8Array) {
      from = input.length;
      input = campaign.minimizeBytes(t, input, f.signature, 30000);
    }
    saved.push(campaign.saveFailure(o.out, t, f, input, { minimizedFrom: from }));
  }
  return { name, iterations, ms: Date.now() - t0, slowest, saved };
}
