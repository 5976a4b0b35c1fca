/**
 * Saves a flow of templates as a SIPp scenario (SIPp 3.x XML: `<send>` / `<recv>`) that runs
 * against a real registrar, e.g.
 *
 *   sipp -sf flow.xml -t u1 -m 1 -cid_str '<Call-ID>' -au alice -ap <password> registrar:5060
 *
 * What changes between the template and the scenario, and why:
 * - Via sent-by and the Contact host:port become `[local_ip]:[local_port]`, the Via transport
 *   `[transport]` and the branch `[branch]`: the scenario runs wherever SIPp binds, and each run
 *   gets fresh transaction ids.
 * - Call-ID becomes `[call_id]` (the template's value is passed with `-cid_str`); SIPp maps
 *   responses to its call by Call-ID, so the PUBLISH uses `pub///[call_id]`, which SIPp sends as
 *   `pub///<Call-ID>` and still maps to the call (a legal, distinct Call-ID).
 * - Digest credentials answering a challenge the scenario received become `[authentication]`:
 *   SIPp answers the live nonce with `-au`/`-ap` (SIPp 3.6 ignores username/password given inside
 *   the keyword). IMS AKA's initial empty credentials stay literal.
 * - Content-Length becomes `[len]` (SIPp counts the body it sends).
 * Everything else is the template's text as the SIP writer wrote it.
 */
import { parseSipMessage } from '../sip/parser';
import { parseCredentials, parseNameAddrList, parseVia } from '../sip/values';
import { formatHeader, type ParamInput } from '../sip/writer';
import type { SipParam } from '../types';
import { digestUsername, domainOf } from './generate';
import type { GeneratedTemplate } from './model';

export interface SippStep {
  template: GeneratedTemplate;
  /** Final responses expected, in order (a challenge is followed by the step that answers it). Default: defaultExpectation(). */
  expect?: number[];
}

export interface SippExportOptions {
  /** Scenario name (attribute of `<scenario>`). */
  name?: string;
  /** UDP retransmission interval of each request (SIPp `retrans`, ms). */
  retransMs?: number;
  /** Pause between steps, ms (0 = none). */
  pauseMs?: number;
}

export interface SippExport {
  xml: string;
  /** Suggested command line (password left as PASSWORD). */
  commandLine: string;
  /** Why this flow cannot run as saved (empty when it can). */
  problems: string[];
}

/** What the registrar answers to this template in a compliant flow. */
export function defaultExpectation(t: GeneratedTemplate): number {
  if (t.kind === 'initial' && t.options.auth !== 'none') return t.options.proxyChallenge ? 407 : 401;
  return 200;
}

function cdata(text: string): string {
  // `]]>` cannot appear inside CDATA: split it across two sections.
  return `<![CDATA[\n${text.replace(/]]>/g, ']]]]><![CDATA[>')}\n]]>`;
}

function xmlComment(text: string): string {
  // `--` may not appear inside an XML comment.
  return `<!-- ${text.replace(/[\r\n]+/g, ' ').replace(/--/g, '- -')} -->`;
}

function xmlAttr(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function params(list: readonly SipParam[], replace: Record<string, string | undefined> = {}): ParamInput[] {
  return list.map((p) => {
    const k = p.name.toLowerCase();
    if (k in replace) return { name: p.name, value: replace[k], quote: false };
    return { name: p.name, value: p.value };
  });
}

/** Quotes for a POSIX shell command line. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The SIPp text of one request (module comment), and whether it answers a challenge with [authentication]. */
function sippRequest(t: GeneratedTemplate, challenged: boolean, problems: string[], label: string): string {
  const sip = parseSipMessage(t.text, { octets: 'utf8' });
  const text = sip.text;
  const lines: string[] = [];
  if (sip.startLine) lines.push(text.slice(sip.startLine.span.start, sip.startLine.span.end));
  for (const h of sip.headers) {
    const raw = text.slice(h.span.start, h.span.end).replace(/\r?\n[ \t]+/g, ' ');
    switch (h.key) {
      case 'via': {
        const v = parseVia(sip, h).values[0];
        lines.push(v ? formatHeader('Via', { protocol: 'SIP/2.0/[transport]', host: '[local_ip]:[local_port]', params: params(v.params, { branch: '[branch]' }) }) : raw);
        break;
      }
      case 'contact': {
        const values = parseNameAddrList(sip, h).values;
        if (values.length === 0 || values.some((c) => c.star || !c.uri || (c.uri.scheme !== 'sip' && c.uri.scheme !== 'sips'))) {
          lines.push(raw);
          break;
        }
        lines.push(
          formatHeader(
            'Contact',
            values.map((c) => ({
              displayName: c.displayName,
              uri: { scheme: c.uri!.scheme, user: c.uri!.user, host: '[local_ip]:[local_port]', params: params(c.uri!.params), headers: c.uri!.headers },
              params: params(c.params),
            })),
          ),
        );
        break;
      }
      case 'call-id':
        lines.push(formatHeader('Call-ID', t.kind === 'publish' ? 'pub///[call_id]' : '[call_id]'));
        break;
      case 'content-length':
        lines.push(formatHeader('Content-Length', '[len]'));
        break;
      case 'authorization':
      case 'proxy-authorization': {
        const c = parseCredentials(sip, h);
        const nonce = c?.params.find((p) => p.name.toLowerCase() === 'nonce');
        const empty = !nonce || (nonce.unquoted ?? nonce.value ?? '') === '';
        if (!empty && challenged) lines.push('[authentication]');
        else {
          if (!empty && /«[^»]*»/.test(raw)) problems.push(`${label}: credentials without a challenge earlier in the flow, and the response is a placeholder`);
          lines.push(raw);
        }
        break;
      }
      default:
        lines.push(raw);
    }
  }
  const body = text.slice(sip.bodySpan.start, sip.bodySpan.end);
  let out = lines.join('\n') + '\n';
  if (body !== '') out += '\n' + body.replace(/\r\n/g, '\n').replace(/\n$/, '');
  return out;
}

/** Keywords SIPp would try to expand: any `[...]` it does not know makes the scenario fail to load. */
const SIPP_KEYWORDS = /^\[(?:local_ip|local_port|transport|branch|call_id|len|authentication)\]$/;

/**
 * A SIPp scenario for `steps`, in order. A step whose template is not ready (open «» placeholders
 * of catalog 12.9) is reported in `problems`; the XML is still produced so the user can see it.
 */
export function toSippScenario(steps: readonly (SippStep | GeneratedTemplate)[], opts: SippExportOptions = {}): SippExport {
  const list: SippStep[] = steps.map((s) => ('template' in s ? s : { template: s }));
  const problems: string[] = [];
  const retrans = Math.max(0, Math.floor(opts.retransMs ?? 500));
  const pause = Math.max(0, Math.floor(opts.pauseMs ?? 0));
  const name = opts.name ?? 'sip-trace-inspector-flow';
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  const first = list[0]?.template;
  const register = list.find((s) => s.template.kind !== 'publish')?.template ?? first;
  const transport = first?.options.transport ?? 'UDP';
  const username = register ? digestUsername(register.fields, register.options) : 'user';
  const callId = register?.fields.callId ?? '';
  const registrarHost = register ? domainOf(register.fields.registrar) : 'registrar';
  const commandLine = [
    'sipp',
    '-sf',
    `${name}.xml`,
    '-t',
    transport === 'UDP' ? 'u1' : transport === 'TLS' ? 'l1' : 't1',
    '-m',
    '1',
    '-cid_str',
    shellQuote(callId.replace(/%/g, '%%')),
    '-au',
    shellQuote(username),
    '-ap',
    'PASSWORD',
    `${registrarHost}:${transport === 'TLS' ? 5061 : 5060}`,
  ].join(' ');
  out.push(xmlComment(`Generated by SIP Trace Inspector from ${list.length} REGISTER/PUBLISH templates (rule catalog 12).`));
  out.push(xmlComment(`Run: ${commandLine}`));
  out.push(`<scenario name="${xmlAttr(name)}">`);
  let challenged = false;
  list.forEach((step, i) => {
    const t = step.template;
    const label = `step ${i + 1} (${t.kind})`;
    if (!t.ready) problems.push(`${label}: fill the «» placeholders first (${t.placeholders.filter((p) => p.blocking).map((p) => p.name).join(', ')})`);
    const open = t.placeholders.filter((p) => !p.blocking && p.name !== 'response' && p.name !== 'nonce');
    if (open.length) problems.push(`${label}: open placeholders ${open.map((p) => p.name).join(', ')}`);
    const body = sippRequest(t, challenged, problems, label);
    for (const m of body.match(/\[[^\]\r\n]*\]/g) ?? []) {
      if (!SIPP_KEYWORDS.test(m)) problems.push(`${label}: SIPp would read "${m}" as a keyword`);
    }
    out.push(`  ${xmlComment(`${label}: ${t.kind === 'publish' ? 'PUBLISH' : 'REGISTER'} CSeq ${t.kind === 'publish' ? t.fields.publishCSeq : t.fields.cseq}`)}`);
    out.push(`  <send${transport === 'UDP' && retrans > 0 ? ` retrans="${retrans}"` : ''}>${cdata(body)}</send>`);
    const expect = step.expect && step.expect.length ? step.expect : [defaultExpectation(t)];
    for (const status of expect) {
      // A provisional response may come first on any transport (RFC 3261 §17.2.1).
      out.push('  <recv response="100" optional="true"/>');
      const auth = status === 401 || status === 407;
      out.push(`  <recv response="${status}"${auth ? ' auth="true"' : ''}/>`);
      if (auth) challenged = true;
    }
    if (pause > 0 && i < list.length - 1) out.push(`  <pause milliseconds="${pause}"/>`);
  });
  out.push('</scenario>');
  return { xml: out.join('\n') + '\n', commandLine, problems };
}

/** The Call-ID SIPp must be given (`-cid_str`) so the scenario sends the template's Call-ID. */
export function sippCallId(t: GeneratedTemplate): string {
  return (t.kind === 'publish' ? t.fields.publishCallId : t.fields.callId).replace(/%/g, '%%');
}
