/**
 * sip-inspect: the command-line twin of the extension. A thin layer over src/core.
 *
 *   sip-inspect check <files|folders|globs...> [--format text|json|sarif] [--fail-on LEVEL] [--rule ID=LEVEL]... [--config FILE]
 *   sip-inspect messages <files|folders|globs...> [--json]
 *
 * Exit codes: 0 clean, 1 findings at or above --fail-on (check), 2 usage error or an input that
 * cannot be read at all, 141 the output's reader went away (see OutputBuffer).
 */
import {
  checkFile,
  exitCodeFor,
  jsonFileRestPieces,
  jsonOfFinding,
  sarifNotificationsOf,
  sarifResultOf,
  sarifRuleInfos,
  textOfFinding,
  textOfProblems,
  textSummary,
  type FailOn,
  type FileCheckResult,
  type OutputFormat,
  type ResolvedFinding,
} from './checkCommand';
import { ConfigResolver, parseRuleOverrides } from './config';
import { expandInputs, UsageError } from './files';
import { OutputBuffer, writeMessages } from './messagesCommand';
import { SarifWriter } from '../core/report/sarif';
import { setFlagsFromString } from 'v8';
import { isMainThread } from 'worker_threads';

// V8 lets a heap grow to 3-4x its live data between full collections; for `check` on a long
// capture (a few tens of MB of registration state) that made the peak resident size about 3x
// what is live. A growth of 2x at most costs no measurable CPU here (1 GB capture: 390 -> 325 MB
// peak, same CPU; docs/performance.md) and keeps a CI job's memory close to what it needs.
// Process-wide, and set before the heap has grown: the capture worker thread inherits it.
setFlagsFromString('--heap-growing-percent=100');

const VERSION = '0.1.0';

const USAGE = `Usage:
  sip-inspect check <file|folder|glob>... [options]
      Find every SIP REGISTER exchange and check it against the OMA SIMPLE IM registration
      rules, RFC 3261 and RFC 3840. Folders are walked for trace files (.pcap .pcapng .cap
      .sip .siplog .log .txt); the format is read from the bytes, not the name.
      --format text|json|sarif   output (default text: path:line:col or path#frame N)
      --fail-on error|warning|info|never
                                 exit 1 when a finding is at or above this level (default error)
      --rule ID=LEVEL            override a rule's severity (off|info|warning|error); ID may be a
                                 pattern such as RFC3261-*; repeatable
      --config FILE              settings file (default: .sip-inspect.json found upwards from
                                 each trace)

  sip-inspect messages <file|folder|glob>... [--json]
      List every SIP message (frame or line, time, transport, source -> destination,
      method or status, Call-ID, CSeq) and every problem met while reading.

Options:
  --json        one JSON object per file ({ file, format, messages, problems });
                several files give a JSON array of those objects
Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error or unreadable input,
141 the output's reader went away (as with SIGPIPE).

  -h, --help    this text
  --version     the version`;

const INFORMATION_URI = 'https://github.com/sip-trace-inspector/sip-trace-inspector';

interface ParsedArgs {
  command?: string;
  inputs: string[];
  flags: Map<string, string | true>;
  repeated: Map<string, string[]>;
}

const VALUE_FLAGS = new Set(['--format', '--fail-on', '--rule', '--config']);

export function parseArgs(argv: string[]): ParsedArgs {
  const out: ParsedArgs = { inputs: [], flags: new Map(), repeated: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('-')) {
      const eq = a.indexOf('=');
      const name = eq > 0 && a.startsWith('--') ? a.slice(0, eq) : a;
      let value: string | true = true;
      if (eq > 0 && a.startsWith('--')) value = a.slice(eq + 1);
      else if (VALUE_FLAGS.has(name)) {
        if (i + 1 >= argv.length) throw new UsageError(`${name} needs a value`);
        value = argv[++i];
      }
      out.flags.set(name, value);
      if (typeof value === 'string') out.repeated.set(name, [...(out.repeated.get(name) ?? []), value]);
    } else if (!out.command) out.command = a;
    else out.inputs.push(a);
  }
  return out;
}

async function runMessages(args: ParsedArgs): Promise<number> {
  if (args.inputs.length === 0) throw new UsageError('messages: give at least one file or folder');
  for (const f of args.flags.keys()) if (f !== '--json') throw new UsageError(`messages: unknown option ${f}`);
  const { files, missing } = expandInputs(args.inputs);
  let code = 0;
  for (const m of missing) {
    process.stderr.write(`sip-inspect: ${m}: no such file or folder\n`);
    code = 2;
  }
  // Streamed: memory stays flat however many messages the files hold.
  const unreadable = await writeMessages(files, { json: args.flags.has('--json'), single: files.length === 1 && missing.length === 0 }, process.stdout);
  return unreadable ? 2 : code;
}

async function runCheck(args: ParsedArgs): Promise<number> {
  if (args.inputs.length === 0) throw new UsageError('check: give at least one file, folder or glob');
  for (const f of args.flags.keys()) if (!['--format', '--fail-on', '--rule', '--config'].includes(f)) throw new UsageError(`check: unknown option ${f}`);
  const format = (args.flags.get('--format') ?? 'text') as OutputFormat;
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, json or sarif`);
  const failOn = (args.flags.get('--fail-on') ?? 'error') as FailOn;
  if (!['error', 'warning', 'info', 'never'].includes(failOn)) throw new UsageError(`--fail-on must be error, warning, info or never`);
  const configFile = args.flags.get('--config');
  const configs = new ConfigResolver(typeof configFile === 'string' ? configFile : undefined, parseRuleOverrides(args.repeated.get('--rule') ?? []));
  const { files, missing } = expandInputs(args.inputs);
  for (const m of missing) process.stderr.write(`sip-inspect: ${m}: no such file or folder\n`);
  if (files.length === 0 && missing.length > 0) return 2;
  const results: FileCheckResult[] = [];
  // Every format streams each finding as soon as it is final, so memory stays flat however large
  // the capture (findings come in capture order; an expectation that closes later, such as a
  // missing PUBLISH, is reported when it closes).
  const out = new OutputBuffer(process.stdout);
  const between = (): Promise<void> => out.ready();
  if (format === 'sarif') {
    const sarif = new SarifWriter({ toolVersion: VERSION, informationUri: INFORMATION_URI, rules: sarifRuleInfos(), files });
    const notifications: ReturnType<typeof sarifNotificationsOf> = [];
    out.write(sarif.begin());
    for (const file of files) {
      const r = await checkFile(file, configs, { onFinding: (f) => out.write(sarif.result(sarifResultOf(file, f))), between, listExchanges: false });
      // Bounded: at most PROBLEMS_PER_CODE (+1) per problem code and file (problemLimit.ts).
      notifications.push(...sarifNotificationsOf(r));
      results.push({ ...r, problems: [] });
      await out.ready();
    }
    out.write(sarif.end(results.map((r) => ({ path: r.path, format: r.format })), notifications) + '\n');
  } else {
    if (format === 'json') out.write('{\n  "files": [');
    for (const [n, file] of files.entries()) {
      let first = true;
      if (format === 'json') out.write(`${n ? ',' : ''}\n    {\n      "path": ${JSON.stringify(file)},\n      "findings": [`);
      const onFinding = (f: ResolvedFinding): void => {
        if (format === 'json') out.write(`${first ? '' : ','}\n        ${JSON.stringify(jsonOfFinding(f))}`);
        else out.write(textOfFinding(file, f));
        first = false;
      };
      const r = await checkFile(file, configs, { onFinding, between, listExchanges: format === 'json' });
      if (format === 'json') {
        out.write(`${first ? '' : '\n      '}],`);
        for (const piece of jsonFileRestPieces(r)) {
          out.write(piece);
          await out.ready();
        }
      } else out.write(textOfProblems(r));
      // Only the counts are needed from here on.
      results.push({ ...r, exchanges: [], problems: format === 'json' ? [] : r.problems });
      await out.ready();
    }
    out.write(format === 'json' ? '\n  ]\n}\n' : textSummary(results) + '\n');
  }
  out.flush();
  const code = exitCodeFor(results, failOn);
  return missing.length > 0 ? 2 : code;
}

export async function main(argv: string[]): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
    if (args.flags.has('--help') || args.flags.has('-h') || args.command === 'help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (args.flags.has('--version')) {
      process.stdout.write(`sip-inspect ${VERSION}\n`);
      return 0;
    }
    switch (args.command) {
      case 'check':
        return await runCheck(args);
      case 'messages':
        return await runMessages(args);
      case undefined:
        throw new UsageError('no command given');
      default:
        throw new UsageError(`unknown command '${args.command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sip-inspect: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}

// Not in a worker thread: the bundle is loaded again there to read captures (parallelRead.ts), and
// in the bundle `require.main === module` holds for every thread.
if (require.main === module && isMainThread) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`sip-inspect: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
