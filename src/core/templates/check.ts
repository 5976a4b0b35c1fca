/**
 * Every template is run through the checker before it is shown (catalog §13: "every generated
 * message must pass this catalog with zero error findings").
 *
 * A REGISTER is judged in its flow: a credentials resend after the challenge it answers, a refresh
 * or de-registration after an accepted registration, the settings PUBLISH after the 2xx that opens
 * its window. So the checker is fed a short synthetic history first, generated from the same
 * fields (same Call-ID, From tag, CSeq below the template's, the same challenge), and the
 * responses a registrar would send (written with the same SIP writer). Only findings on the
 * template itself are the template's; findings on the history are returned apart.
 */
import type { Endpoint, Finding, TraceMessage, TransportName } from '../types';
import type { Settings } from '../settings';
import type { ExchangeSummary } from '../register/model';
import { resolveSettings } from '../settings';
import { RegisterChecker } from '../register/checker';
import { parseSipMessage } from '../sip/parser';
import { firstHeader, headersOf } from '../sip/parser';
import { formatMessage, type HeaderInput } from '../sip/writer';
import { isIPv4, isIPv6 } from '../sip/uri';
import { clientPort, effectiveChallenge, generateTemplate, randomString, STAND_INS, type Rng } from './generate';
import type { GeneratedTemplate, TemplateFields, TemplateKind, TemplateOptions } from './model';

export interface TemplateCheck {
  template: GeneratedTemplate;
  /** Findings on the template message (spans index `template.checkText`). */
  findings: Finding[];
  /** Findings on the synthetic history (should be none: they would point at a generator bug). */
  contextFindings: Finding[];
  /** History + the template, as the checker saw them. */
  messages: TraceMessage[];
  templateIndex: number;
  /** How the checker classified the template REGISTER (phase, attempt); undefined for PUBLISH. */
  exchange?: ExchangeSummary;
  counts: { error: number; warning: number; info: number };
}

/** Example registrar address (RFC 5737 TEST-NET-2) when the Request-URI names a host. */
const SERVER_IP = '198.51.100.1';
const CLIENT_IP = '192.0.2.10';

interface Step {
  text: string;
  /** Seconds after the previous message. */
  gap: number;
  fromClient: boolean;
}

function reasonOf(status: number): string {
  return status === 401 ? 'Unauthorized' : status === 407 ? 'Proxy Authentication Required' : 'OK';
}

/** The request's header values as written, for the response to echo (RFC 3261 §8.2.6.2). */
function echo(text: string): { via: string[]; from?: string; to?: string; callId?: string; cseq?: string; contacts: string[] } {
  const sip = parseSipMessage(text, { octets: 'utf8' });
  return {
    via: headersOf(sip, 'via').map((h) => h.value),
    from: firstHeader(sip, 'from')?.value,
    to: firstHeader(sip, 'to')?.value,
    callId: firstHeader(sip, 'call-id')?.value,
    cseq: firstHeader(sip, 'cseq')?.value,
    contacts: headersOf(sip, 'contact').map((h) => h.value),
  };
}

/** Top Via with `received` and the `rport` value filled in, as the registrar answers (RFC 3581 §4). */
function answeredVia(via: string, client: Endpoint): string {
  return via.replace(/;rport(?=;|$)/i, `;rport=${client.port}`) + `;received=${client.ip}`;
}

/** A response of the registrar (or the presence server) to `request`, written by the SIP writer. */
export function responseTo(request: GeneratedTemplate, status: number, client: Endpoint, rng: Rng): string {
  const e = echo(request.checkText);
  const f = request.fields;
  const o = request.options;
  const headers: HeaderInput[] = [];
  e.via.forEach((v, i) => headers.push(['Via', i === 0 ? answeredVia(v, client) : v]));
  if (e.from) headers.push(['From', e.from]);
  if (e.to) headers.push(['To', `${e.to};tag=${randomString(rng, 8, '0123456789abcdef')}`]);
  if (e.callId) headers.push(['Call-ID', e.callId]);
  if (e.cseq) headers.push(['CSeq', e.cseq]);
  if (status === 401 || status === 407) {
    const ch = effectiveChallenge(f, o);
    const params = [
      { name: 'realm', value: ch.realm, quote: true },
      { name: 'nonce', value: ch.nonce ?? STAND_INS.nonce, quote: true },
    ];
    if (ch.algorithm) params.push({ name: 'algorithm', value: ch.algorithm, quote: false });
    if (ch.qop) params.push({ name: 'qop', value: ch.qop, quote: true });
    if (ch.opaque !== undefined) params.push({ name: 'opaque', value: ch.opaque, quote: true });
    headers.push([status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate', { scheme: 'Digest', params }]);
    if (o.auth === 'ims-aka') headers.push(['Security-Server', f.securityServer?.trim() || STAND_INS.securityServer]);
  } else if (request.kind === 'publish') {
    headers.push(['SIP-ETag', randomString(rng, 10)]);
    headers.push(['Expires', Math.max(0, Math.floor(f.publishExpires))]);
  } else if (request.kind !== 'full-deregistration') {
    // RFC 3261 §10.3 step 8: the 2xx lists the current bindings with their expiry.
    for (const c of e.contacts) headers.push(['Contact', c === '*' ? c : `${c};expires=${Math.floor(f.expires)}`]);
    if (f.serviceRoute.length) headers.push(['Service-Route', f.serviceRoute.map((u) => ({ uri: u.trim() }))]);
  }
  return formatMessage({ startLine: { status, reason: reasonOf(status) }, headers });
}

function endpointOf(host: string, port: number, fallback: string): Endpoint {
  const h = host.trim().replace(/^\[|\]$/g, '');
  return { ip: isIPv4(h) || isIPv6(h) ? h : fallback, port };
}

/** Seconds between the 2xx and a refresh: 600 s before expiry when that leaves half, else half (TS 24.229 §5.1.1.4). */
function refreshDelay(expires: number): number {
  return expires > 1200 ? expires - 600 : Math.max(1, Math.floor(expires / 2));
}

/** History the checker needs before a template of this kind (module comment). */
function history(t: GeneratedTemplate, client: Endpoint, rng: Rng): Step[] {
  const f = t.fields;
  const o = t.options;
  const auth = o.auth !== 'none';
  const challenge = o.proxyChallenge ? 407 : 401;
  const steps: Step[] = [];
  const req = (kind: TemplateKind, cseq: number, nonceCount: number, gap: number): GeneratedTemplate => {
    const fields: TemplateFields = { ...f, cseq, nonceCount, branch: undefined, cnonce: undefined };
    const g = generateTemplate(kind, fields, o, rng, { clampCSeq: false });
    steps.push({ text: g.checkText, gap, fromClient: true });
    return g;
  };
  const res = (r: GeneratedTemplate, status: number) => steps.push({ text: responseTo(r, status, client, rng), gap: 0.05, fromClient: false });
  /** initial [+ challenge + credentials] + 2xx, the last REGISTER having CSeq `last`. */
  const registered = (last: number) => {
    if (auth) {
      const first = req('initial', last - 1, 1, 0);
      res(first, challenge);
      res(req('credentials', last, 1, 0.05), 200);
    } else {
      res(req('initial', last, 1, 0), 200);
    }
  };
  const n = f.cseq ?? 1;
  switch (t.kind) {
    case 'initial':
      break;
    case 'credentials':
      res(req('initial', n - 1, 1, 0), challenge);
      break;
    case 'publish':
      registered(auth ? 2 : 1);
      break;
    case 'refresh':
    case 'im-deregistration':
    case 'full-deregistration': {
      registered(n - 1);
      // The settings PUBLISH after the initial 2xx (OMA-IM-REG-015), so the history is a compliant flow.
      const pub = generateTemplate('publish', { ...f, branch: undefined, cnonce: undefined }, { ...o, acceptPlaceholders: true }, rng);
      steps.push({ text: pub.checkText, gap: 0.1, fromClient: true });
      res(pub, 200);
      break;
    }
  }
  return steps;
}

function toTrace(steps: readonly Step[], transport: TransportName, client: Endpoint, server: Endpoint): TraceMessage[] {
  let t = 1700000000;
  return steps.map((s, index) => {
    t += s.gap;
    const sec = Math.floor(t);
    return {
      index,
      frame: index + 1,
      ts: { sec, nsec: Math.round((t - sec) * 1e9) },
      transport,
      src: s.fromClient ? client : server,
      dst: s.fromClient ? server : client,
      sip: parseSipMessage(s.text, { octets: 'utf8' }),
    };
  });
}

/** Runs the checker over the template in its flow (module comment). */
export function checkTemplate(template: GeneratedTemplate, settings: Settings = {}, rng: Rng = Math.random): TemplateCheck {
  const f = template.fields;
  const o = template.options;
  const client = endpointOf(f.contactHost, clientPort(template.kind, f, o), CLIENT_IP);
  const server: Endpoint = { ip: client.ip.includes(':') ? '2001:db8::1' : SERVER_IP, port: o.transport === 'TLS' ? 5061 : 5060 };
  const steps = history(template, client, rng);
  const last = steps.length ? steps[steps.length - 1] : undefined;
  let gap = 1;
  if (template.kind === 'refresh' && last) gap = refreshDelay(f.expires);
  steps.push({ text: template.checkText, gap, fromClient: true });
  const messages = toTrace(steps, o.transport as TransportName, client, server);
  const checker = new RegisterChecker(resolveSettings({ ...settings, profile: o.profile }));
  for (const m of messages) checker.add(m);
  const result = checker.end();
  const templateIndex = messages.length - 1;
  const findings = result.findings.filter((x) => x.messageIndex === templateIndex);
  const contextFindings = result.findings.filter((x) => x.messageIndex !== templateIndex);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const x of findings) counts[x.severity]++;
  const exchange = result.exchanges.find((e) => e.requestIndex === templateIndex);
  return { template, findings, contextFindings, messages, templateIndex, exchange, counts };
}

/** Generates one template and checks it: what the editor shows. */
export function generateCheckedTemplate(
  kind: TemplateKind,
  fields: TemplateFields,
  options: Partial<TemplateOptions> = {},
  settings: Settings = {},
  rng: Rng = Math.random,
): TemplateCheck {
  return checkTemplate(generateTemplate(kind, fields, options, rng), settings, rng);
}
