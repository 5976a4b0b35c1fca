/**
 * The saved SIPp scenario actually runs: Kamailio (the fixtures' registrar config,
 * scripts/fixtures/kamailio/kamailio.cfg, moved to a free loopback port) answers SIPp playing the
 * exported flow, and the final responses are the ones the flow expects (401, then 200 for each
 * request). A second test sends the templates themselves from Node, with the Digest response
 * computed by our own MD5 / SHA-256 against Kamailio's live nonce: Kamailio accepting them is an
 * independent check of the Digest code.
 *
 * Skipped, with the reason, when kamailio or sipp is not installed (scripts/install-test-deps.sh
 * installs both).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/paths';
import { firstHeader, parseSipMessage } from '../../../src/core/sip/parser';
import { challengesOf } from '../../../src/core/register/facts';
import {
  TEMPLATE_KINDS,
  blankFields,
  generateFlow,
  generateTemplate,
  seededRng,
  toSippScenario,
  type GeneratedTemplate,
  type TemplateFields,
  type TemplateOptions,
} from '../../../src/core/templates/index';

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
}
const missing = ['kamailio', 'sipp'].filter((t) => !has(t));
const skip = missing.length ? `not installed: ${missing.join(', ')} (bash scripts/install-test-deps.sh installs them)` : false;

const KAMAILIO_CFG = join(repoRoot, 'scripts', 'fixtures', 'kamailio', 'kamailio.cfg');
/** The password every user has in the fixture registrar's config. */
const PASSWORD = 'imsecret';

/** A port free for both UDP and TCP on 127.0.0.1 (the OS picks; we check UDP too). */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port');
}

interface Kamailio {
  port: number;
  proc: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts Kamailio with the fixtures' config on `port` (its listen lines rewritten); `extra` lines are appended to the module parameters. */
async function startKamailio(dir: string, extra: string[] = []): Promise<Kamailio> {
  const port = await freePort();
  let cfg = readFileSync(KAMAILIO_CFG, 'utf8');
  // The config listens on fixed loopback ports (5060, 5080): move them to the free port.
  cfg = cfg.replace(/^listen=(udp|tcp):127\.0\.0\.1:\d+\s*$/gm, '');
  cfg = cfg.replace(/^alias=/m, `listen=udp:127.0.0.1:${port}\nlisten=tcp:127.0.0.1:${port}\nalias=`);
  if (extra.length) cfg = cfg.replace(/^request_route \{/m, `${extra.join('\n')}\n\nrequest_route {`);
  const cfgPath = join(dir, `kamailio-${port}.cfg`);
  writeFileSync(cfgPath, cfg);
  let output = '';
  const proc = spawn('kamailio', ['-DD', '-E', '-f', cfgPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async () => {
    if (proc.exitCode === null && proc.pid !== undefined) {
      process.kill(proc.pid, 'SIGTERM');
      const t = setTimeout(() => proc.exitCode === null && proc.pid !== undefined && process.kill(proc.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
  };
  // Ready when the TCP listener accepts (the UDP one is opened before it).
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`kamailio exited with ${proc.exitCode}:\n${output}`);
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return { port, proc, log: () => output, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`kamailio did not start listening on ${port}:\n${output}`);
}

interface SippRun {
  code: number | null;
  output: string;
  /** Status codes SIPp received, in order. */
  received: number[];
}

async function runSipp(dir: string, xml: string, t: GeneratedTemplate, kamailioPort: number): Promise<SippRun> {
  const name = `flow-${kamailioPort}-${t.options.transport}`;
  const scenario = join(dir, `${name}.xml`);
  const messages = join(dir, `${name}.messages.log`);
  writeFileSync(scenario, xml);
  const localPort = await freePort();
  const args = [
    '-sf', scenario,
    '-t', t.options.transport === 'TCP' ? 't1' : 'u1',
    '-i', '127.0.0.1',
    '-p', String(localPort),
    '-m', '1',
    '-nostdin', '-nd',
    '-timeout', '20s', '-timeout_error',
    '-max_retrans', '2',
    '-cid_str', t.fields.callId.replace(/%/g, '%%'),
    '-au', 'alice',
    '-ap', PASSWORD,
    '-trace_msg', '-message_file', messages,
    '-trace_err', '-error_file', join(dir, `${name}.errors.log`),
    `127.0.0.1:${kamailioPort}`,
  ];
  const proc = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => proc.pid !== undefined && process.kill(proc.pid, 'SIGKILL'), 60000);
    proc.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  const log = existsSync(messages) ? readFileSync(messages, 'latin1') : '';
  const received = [...log.matchAll(/message received[^\n]*\n+SIP\/2\.0 (\d{3})/g)].map((m) => Number(m[1]));
  const errors = existsSync(join(dir, `${name}.errors.log`)) ? readFileSync(join(dir, `${name}.errors.log`), 'utf8') : '';
  return { code, output: `${output}\n${errors}\n${log.slice(-4000)}`, received };
}

const SETTINGS_BODY = '<?xml version="1.0" encoding="UTF-8"?>\n<service-settings xmlns="urn:oma:xml:im:service-settings">\n<active>true</active>\n</service-settings>\n';

function lifeCycleFields(profile: 'generic' | 'ims', seed: number): TemplateFields {
  return {
    ...blankFields(profile, { rng: seededRng(seed) }),
    eventPackage: 'im-settings',
    contentType: 'application/im-settings+xml',
    settingsBody: SETTINGS_BODY,
  };
}

for (const variant of [
  { label: 'generic profile over UDP', profile: 'generic' as const, options: { transport: 'UDP', gruu: true } },
  { label: 'generic profile over TCP', profile: 'generic' as const, options: { transport: 'TCP', gruu: true } },
  { label: 'IMS profile (600000 s, Digest) over UDP, outbound + GRUU', profile: 'ims' as const, options: { transport: 'UDP', outbound: true, gruu: true } },
]) {
  test(`SIPp plays the exported life cycle against Kamailio: ${variant.label}`, { skip, timeout: 120000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sti-sipp-'));
    const k = await startKamailio(dir);
    try {
      const options: Partial<TemplateOptions> = { profile: variant.profile, auth: 'digest', ...(variant.options as Partial<TemplateOptions>) };
      const flow = generateFlow(TEMPLATE_KINDS, lifeCycleFields(variant.profile, 42), options, seededRng(43));
      const exported = toSippScenario(flow, { name: 'life-cycle' });
      assert.deepEqual(exported.problems, []);
      const run = await runSipp(dir, exported.xml, flow[0], k.port);
      assert.equal(run.code, 0, `sipp failed:\n${run.output}\n--- kamailio ---\n${k.log().slice(-3000)}`);
      // initial -> 401, credentials -> 200, PUBLISH -> 200, refresh -> 200, IM de-registration -> 200, full de-registration -> 200
      assert.deepEqual(run.received.filter((s) => s >= 200), [401, 200, 200, 200, 200, 200], run.output);
    } finally {
      await k.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Sends one request over UDP and returns the final response. */
function udpExchange(port: number, local: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no final response from 127.0.0.1:${port} to:\n${text}`));
    }, 5000);
    sock.on('message', (msg) => {
      const s = msg.toString('utf8');
      if (/^SIP\/2\.0 1\d\d/.test(s)) return;
      clearTimeout(timer);
      sock.close();
      resolve(s);
    });
    sock.bind(local, '127.0.0.1', () => sock.send(Buffer.from(text, 'utf8'), port, '127.0.0.1'));
  });
}

for (const algorithm of ['MD5', 'SHA-256']) {
  test(`Kamailio accepts the templates' own Digest ${algorithm} answers (initial -> 401, credentials/refresh/full de-registration -> 200)`, { skip, timeout: 60000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sti-digest-'));
    const k = await startKamailio(dir, algorithm === 'SHA-256' ? ['modparam("auth", "algorithm", "SHA-256")'] : []);
    try {
      const local = await freePort();
      const rng = seededRng(99);
      const fields: TemplateFields = { ...blankFields('generic', { rng }), contactHost: '127.0.0.1', contactPort: local, password: PASSWORD };
      const first = generateTemplate('initial', fields, { auth: 'digest' }, rng);
      const challenge = parseSipMessage(await udpExchange(k.port, local, first.text));
      assert.equal(challenge.startLine?.kind === 'response' && challenge.startLine.status, 401, challenge.text);
      const ch = challengesOf(challenge, 'www-authenticate')[0];
      assert.equal((ch.algorithm ?? 'MD5').toUpperCase(), algorithm);
      const withChallenge = { ...fields, challenge: { realm: ch.realm!, nonce: ch.nonce!, algorithm: ch.algorithm, qop: ch.qop, opaque: ch.opaque } };
      let nc = 1;
      let cseq = 2;
      for (const kind of ['credentials', 'refresh', 'full-deregistration'] as const) {
        const t = generateTemplate(kind, { ...withChallenge, cseq: cseq++, nonceCount: nc++ }, { auth: 'digest' }, rng);
        assert.equal(t.digest, 'computed');
        const res = parseSipMessage(await udpExchange(k.port, local, t.text));
        assert.equal(res.startLine?.kind === 'response' && res.startLine.status, 200, `${kind}:\n${t.text}\n->\n${res.text}\n--- kamailio ---\n${k.log().slice(-2000)}`);
        if (kind !== 'full-deregistration') assert.match(firstHeader(res, 'contact')?.value ?? '', /expires=\d+/);
      }
    } finally {
      await k.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
