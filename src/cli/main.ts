/**
 * sip-inspect: the command-line twin of the extension. A thin layer over src/core.
 *
 *   sip-inspect messages <files|folders|globs...> [--json]
 *
 * Exit codes: 0 done, 2 usage error or an input that cannot be read at all.
 */
import { expandInputs, UsageError } from './files';
import { listMessages, messagesJson, renderMessagesText } from './messagesCommand';

const USAGE = `Usage:
  sip-inspect messages <file|folder|glob>... [--json]
      List every SIP message (frame or line, time, transport, source -> destination,
      method or status, Call-ID, CSeq) and every problem met while reading.

Options:
  --json        one JSON object per file ({ file, format, messages, problems });
                several files give a JSON array of those objects
  -h, --help    this text
  --version     the version`;

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
  const json = args.flags.has('--json');
  const results = [];
  for (const file of files) {
    const r = await listMessages(file);
    if (r.unreadable) code = 2;
    if (json) results.push(messagesJson(r));
    else process.stdout.write(renderMessagesText(r) + '\n\n');
  }
  if (json) process.stdout.write(JSON.stringify(results.length === 1 && missing.length === 0 ? results[0] : results, null, 2) + '\n');
  return code;
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
      process.stdout.write('sip-inspect 0.1.0\n');
      return 0;
    }
    switch (args.command) {
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

if (require.main === module) {
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
