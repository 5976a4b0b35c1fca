/**
 * 3GPP IMS profile rules (rule catalog §8: IMS-REG-001..018), active only when the IMS profile is
 * on (settings `profile: 'ims'`, or `auto` with the signals of catalog 2.6). Text basis: 3GPP
 * TS 24.229 §5.1.1 (UE registration procedures) as quoted in the TS 34.229-1 conformance extract
 * and the IPv6PC S.TS24229-* rule set; RFC 3329 (security agreement).
 *
 * Division of labour with the generic rules, so one mistake gives one finding: the Digest answer
 * after a challenge (realm, nonce, algorithm, response) is OMA-IM-REG-014; the `outbound` option
 * tag is OUTBOUND-003; a Call-ID change between refreshes is RFC3261-REG-010; a refresh after the
 * binding expired is RFC3261-RSP-010; the zero expiry of a de-registration is OMA-IM-REG-019.
 */
import type { SipHeader, SipMessage, SipParam, Span } from '../types';
import { firstHeader, headersOf } from '../sip/parser';
import { parseNameAddrList, parseValueParams, type ParamValue } from '../sip/values';
import { normalizeAor, type ChallengeFacts, type CredentialsFacts, type RegisterFacts } from '../register/facts';
import { EX, flow, publish, register, reply, type RegisterExample } from './examples';
import { defineRule, listText, related, startLineSpan } from './helpers';
import type { RuleContext } from './types';
import type { Exchange } from '../register/model';

// ---------------------------------------------------------------------------------------------
// Example builders (catalog §12.8 with the example identity of ./examples.ts)
// ---------------------------------------------------------------------------------------------

/** Requested / granted expiry of an IMS registration (TS 24.229 §5.1.1.2.1 e). */
export const IMS_EXPIRES = 600000;

export const IMS_EX = {
  /** Private user identity (IMPI). */
  impi: `alice@${EX.domain}`,
  instance: '"<urn:gsma:imei:35209900-176148-0>"',
  /** Protected server port of the UE (Security-Client port-s). */
  portS: 5064,
  /** RAND || AUTN, base64 (illustrative). */
  nonce: 'A7yH2mzUuDuJb8QAm1jJ6zYzcRyAAA8LFpCkOSi9VTw=',
  securityServer: 'ipsec-3gpp;q=0.1;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=201;spi-s=202;port-c=5066;port-s=5068',
  pani: '3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=0010100011A2B3C4D',
  serviceRoute: `<sip:orig@scscf.${EX.domain};lr>`,
  /** P-CSCF at its protected port, then the Service-Route: the preloaded route of later requests. */
  route: `<sip:pcscf.${EX.domain}:5068;lr>, <sip:orig@scscf.${EX.domain};lr>`,
} as const;

/** The UE's Security-Client; `generation` 0 for the initial registration, 1, 2, ... for each re-registration (new SPIs and client port, same port-s). */
export function imsSecurityClient(generation = 0): string {
  return `ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=${101 + 2 * generation};spi-s=${102 + 2 * generation};port-c=${5062 + 8 * generation};port-s=${IMS_EX.portS}`;
}

/** Authorization of the initial REGISTER with IMS AKA (TS 24.229 §5.1.1.2.2 a). */
export function imsEmptyCredentials(): string {
  return `Digest username="${IMS_EX.impi}", realm="${EX.realm}", uri="sip:${EX.domain}", nonce="", response=""`;
}

/** Authorization answering the AKA challenge of imsChallenge (RES-based response, illustrative). */
export function imsAkaAnswer(nc = 1): string {
  return `Digest username="${IMS_EX.impi}", realm="${EX.realm}", uri="sip:${EX.domain}", nonce="${IMS_EX.nonce}", response="6629fae49393a05397450978507c4ef${nc % 10}", algorithm=AKAv1-MD5, qop=auth, nc=${String(nc).padStart(8, '0')}, cnonce="0a4f113b"`;
}

export interface ImsRegisterExample extends RegisterExample {
  /** `initial`: unprotected, empty credentials (default); `protected`: over the SA with an AKA answer. */
  step?: 'initial' | 'protected';
  /** Security-Client value; null omits it. */
  securityClient?: string | null;
  /** Security-Verify value of a protected REGISTER; null omits it. */
  securityVerify?: string | null;
  proxyRequire?: string | null;
  /** P-Access-Network-Info of a protected REGISTER; null omits it. */
  pani?: string | null;
  /** Digest nonce count of the AKA answer. */
  nc?: number;
}

/** A compliant IMS REGISTER (catalog §12.8): each example states only what differs. */
export function imsRegister(o: ImsRegisterExample = {}): string {
  const { step, securityClient, securityVerify, proxyRequire, pani, nc, extra, ...rest } = o;
  const prot = step === 'protected';
  const cseq = o.cseq ?? 1;
  const port = prot ? IMS_EX.portS : EX.clientPort;
  const lines: string[] = [];
  if (securityClient !== null) lines.push(`Security-Client: ${securityClient ?? imsSecurityClient(0)}`);
  if (prot && securityVerify !== null) lines.push(`Security-Verify: ${securityVerify ?? IMS_EX.securityServer}`);
  if (proxyRequire !== null) lines.push(`Proxy-Require: ${proxyRequire ?? 'sec-agree'}`);
  if (prot && pani !== null) lines.push(`P-Access-Network-Info: ${pani ?? IMS_EX.pani}`);
  lines.push(...(extra ?? []));
  return register({
    via: `SIP/2.0/UDP ${EX.clientHost}:${port};branch=z9hG4bKreg${cseq}a;rport`,
    contact: `<sip:alice@${EX.clientHost}:${port}>;${EX.imTags};+sip.instance=${IMS_EX.instance}`,
    expires: String(IMS_EXPIRES),
    require: 'pref, sec-agree',
    supported: 'path, gruu',
    authorization: prot ? imsAkaAnswer(nc ?? cseq - 1) : imsEmptyCredentials(),
    ...rest,
    extra: lines,
  });
}

/** The 401 with the AKA challenge and Security-Server. */
export function imsChallenge(req: string, o: { securityServer?: string | null; algorithm?: string } = {}): string {
  const extra = o.securityServer === null ? [] : [`Security-Server: ${o.securityServer ?? IMS_EX.securityServer}`];
  return reply(req, 401, { extra }).replace(/^WWW-Authenticate: .*$/m, `WWW-Authenticate: Digest realm="${EX.realm}", nonce="${IMS_EX.nonce}", algorithm=${o.algorithm ?? 'AKAv1-MD5'}, qop="auth"`);
}

/** The 2xx: Service-Route and P-Associated-URI (the registered identity first). */
export function imsOk(req: string, o: { pAssociatedUri?: string | null; extra?: string[] } = {}): string {
  const extra = [`Service-Route: ${IMS_EX.serviceRoute}`];
  if (o.pAssociatedUri !== null) extra.push(`P-Associated-URI: ${o.pAssociatedUri ?? `<${EX.aor}>`}`);
  return reply(req, 200, { extra: [...extra, ...(o.extra ?? [])] });
}

/** The reg-event SUBSCRIBE after the initial registration (TS 24.229 §5.1.1.3). */
export function imsRegSubscribe(o: { requestUri?: string; expires?: string; route?: string | null; cseq?: number } = {}): string {
  const lines = [
    `SUBSCRIBE ${o.requestUri ?? EX.aor} SIP/2.0`,
    `Via: SIP/2.0/UDP ${EX.clientHost}:${IMS_EX.portS};branch=z9hG4bKsub${o.cseq ?? 1};rport`,
    'Max-Forwards: 70',
  ];
  if (o.route !== null) lines.push(`Route: ${o.route ?? IMS_EX.route}`);
  lines.push(
    `From: <${EX.aor}>;tag=s8e21`,
    `To: <${EX.aor}>`,
    'Call-ID: reg-sub-7c1e@192.0.2.10',
    `CSeq: ${o.cseq ?? 1} SUBSCRIBE`,
    `Contact: <sip:alice@${EX.clientHost}:${IMS_EX.portS}>`,
    'Event: reg',
    `Expires: ${o.expires ?? IMS_EXPIRES}`,
    'Accept: application/reginfo+xml',
    `P-Access-Network-Info: ${IMS_EX.pani}`,
    `User-Agent: ${EX.ua}`,
    'Content-Length: 0',
  );
  return `${lines.join('\n')}\n\n`;
}

/** The IM service settings PUBLISH along the preloaded route, and its 2xx. */
export function imsSettingsPublish(): string[] {
  const pub = publish({ route: IMS_EX.route });
  return [pub, reply(pub, 200, { extra: ['SIP-ETag: e1', 'Expires: 3600'] })];
}

/** Initial REGISTER, 401 (AKA), protected REGISTER, 200: the successful IMS initial registration. */
export function imsRegistration(o: { initial?: ImsRegisterExample; challenge?: { securityServer?: string | null; algorithm?: string }; resend?: ImsRegisterExample; ok?: { pAssociatedUri?: string | null } } = {}): string[] {
  const initial = imsRegister({ cseq: 1, ...o.initial });
  const resend = imsRegister({ cseq: 2, step: 'protected', ...o.resend });
  return [initial, imsChallenge(initial, o.challenge), resend, imsOk(resend, o.ok)];
}

/** The registration, the settings PUBLISH and the reg-event SUBSCRIBE: a registered IMS IM client. */
export function imsRegistered(): string[] {
  return [...imsRegistration(), ...imsSettingsPublish(), imsRegSubscribe()];
}

const IMS_SETTINGS = { profile: 'ims' as const };

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function isAka(c: ChallengeFacts): boolean {
  return /^akav\d-md5$/i.test(c.algorithm ?? '');
}

function credParam(c: CredentialsFacts, name: string): SipParam | undefined {
  for (const p of c.params) if (p.name.toLowerCase() === name) return p;
  return undefined;
}

function credSpan(c: CredentialsFacts, name: string): Span {
  return credParam(c, name)?.span ?? c.header.valueSpan;
}

function hostOf(uriText: string | undefined): string | undefined {
  const m = uriText && /^sips?:(?:[^@;>]*@)?(\[[^\]]+\]|[^;:>?]+)/i.exec(uriText.trim());
  return m ? m[1].toLowerCase() : undefined;
}

/**
 * Candidates for the home network domain (no setting for it yet): the To host (the public
 * identity), the Authorization realm and the domain of the private identity.
 */
function homeDomains(req: RegisterFacts, fromCredentials = true): Set<string> {
  const out = new Set<string>();
  const to = req.to?.uri;
  if (to && (to.scheme === 'sip' || to.scheme === 'sips') && to.host) out.add(to.host.toLowerCase());
  if (!fromCredentials) return out;
  const realm = req.authorization?.values.get('realm');
  if (realm) out.add(realm.toLowerCase());
  const user = req.authorization?.values.get('username');
  const at = user ? user.lastIndexOf('@') : -1;
  if (user && at >= 0 && at < user.length - 1) out.add(user.slice(at + 1).toLowerCase());
  return out;
}

/** A digest-uri naming the home domain: the Request-URI, or sip:<a home domain>. */
function uriNamesHome(uri: string, req: RegisterFacts): boolean {
  const u = uri.trim().toLowerCase();
  if (req.requestUri && u === req.requestUri.text.trim().toLowerCase()) return true;
  const host = hostOf(u);
  return !!host && /^sips?:[^@]*$/.test(u.replace(/;.*$/, '')) && homeDomains(req).has(host);
}

/** One security mechanism (RFC 3329 §2.2): name and parameters, lower-cased names. */
interface SecMechanism {
  name: string;
  params: Map<string, string>;
}

/** Parses a raw Security-Client / -Server / -Verify value (for values kept from earlier messages). */
export function parseSecurityMechanisms(raw: string | undefined): SecMechanism[] {
  const out: SecMechanism[] = [];
  if (!raw) return out;
  for (const item of raw.split(',')) {
    const parts = item.split(';');
    const name = parts[0].trim().toLowerCase();
    if (!name) continue;
    const params = new Map<string, string>();
    for (let i = 1; i < parts.length; i++) {
      const p = parts[i];
      const eq = p.indexOf('=');
      const k = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
      if (!k) continue;
      let v = eq < 0 ? '' : p.slice(eq + 1).trim();
      if (v.length >= 2 && v.charCodeAt(0) === 0x22 && v.charCodeAt(v.length - 1) === 0x22) v = v.slice(1, -1);
      params.set(k, v.toLowerCase());
    }
    out.push({ name, params });
  }
  return out;
}

/** A comparable form of a security value: mechanisms in order, parameters sorted. */
export function securityKey(raw: string | undefined): string {
  return parseSecurityMechanisms(raw)
    .map((m) => [m.name, ...[...m.params.entries()].map(([k, v]) => `${k}=${v}`).sort()].join(';'))
    .join(',');
}

/** The same security value (RFC 3329): a cheap textual test first, the parameter sets only when the texts differ. */
export function sameSecurity(a: string, b: string): boolean {
  if (a === b) return true;
  const squash = (x: string) => x.replace(/[ \t]+/g, '').toLowerCase();
  return squash(a) === squash(b) || securityKey(a) === securityKey(b);
}

const SA_PARAMS = ['spi-c', 'spi-s', 'port-c', 'port-s'];

/** A Security-Server the UE can set up the SAs with: ipsec-3gpp with the SA parameters, when the UE offered ipsec-3gpp. */
const SA_PARAM_RES = SA_PARAMS.map((k) => new RegExp(`;\\s*${k}\\s*=\\s*"?\\d+"?\\s*(?:;|$)`, 'i'));
const IPSEC_3GPP_RE = /^\s*ipsec-3gpp\s*(?:;|$)/i;

function usableSecurityServer(server: string | undefined, client: string | undefined): boolean {
  if (server === undefined) return false;
  if (!client || !/ipsec-3gpp/i.test(client)) return server.trim() !== '';
  return server.split(',').some((m) => IPSEC_3GPP_RE.test(m) && SA_PARAM_RES.every((re) => re.test(m)));
}

/** Security-* mechanisms of the current message, with spans. */
function securityValues(sip: SipMessage, key: string): { rows: SipHeader[]; values: ParamValue[] } {
  const rows = headersOf(sip, key);
  const values: ParamValue[] = [];
  for (const h of rows) values.push(...parseValueParams(sip, h, 'token').values);
  return { rows, values };
}

function secParam(v: ParamValue, name: string): SipParam | undefined {
  for (const p of v.params) if (p.name.toLowerCase() === name) return p;
  return undefined;
}

/** The client rejects the AKA challenge (TS 24.229 §5.1.1.5.3): empty response (MAC failure) or `auts` (SQN failure). */
function signalsInvalidChallenge(a: CredentialsFacts): boolean {
  return a.values.has('auts') || a.values.get('response') === '';
}

function usernameOf(raw: string | undefined): string | undefined {
  if (!raw || raw.toLowerCase().indexOf('username') < 0) return undefined;
  const m = /(?:^|[\s,])username\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/i.exec(raw.replace(/^\s*\S+\s+/, ' '));
  return m ? (m[1] ?? m[2]) : undefined;
}

function challengeRel(prev: Exchange, ch: ChallengeFacts | undefined) {
  if (!prev.final) return [];
  return [{ messageIndex: prev.final.index, span: ch?.span ?? prev.final.span, message: `${prev.finalStatus} challenge` }];
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

const HOME_DECISION = 'There is no home-domain setting: the home domain is taken from the To host (the public identity), the Authorization realm or the domain of the private identity, whichever the message has.';

export const imsReg001 = defineRule({
  id: 'IMS-REG-001',
  title: 'Request-URI is the home domain',
  defaultSeverity: 'error',
  clause: '3GPP TS 24.229 §5.1.1.2.1 f, §5.1.1.4.1 f; IPv6PC S.TS24229-5.1-41',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register'], description: 'Every REGISTER (IMS profile).' },
  decision: `${HOME_DECISION} A user part in the Request-URI is RFC3261-REG-001.`,
  docs: {
    what: 'The Request-URI of an IMS REGISTER is `sip:<home network domain>`.',
    why: 'The P-CSCF and I-CSCF route the REGISTER to the home network by the Request-URI; another domain (a P-CSCF address, a visited network) sends it to the wrong network or is rejected.',
    get failing() {
      return imsRegister({ requestUri: 'sip:pcscf.visited.example.org' });
    },
    get passing() {
      return imsRegister();
    },
    fix: `\`REGISTER sip:${EX.domain} SIP/2.0\``,
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const uri = ctx.req.requestUri;
    if (!uri || (uri.scheme !== 'sip' && uri.scheme !== 'sips') || !uri.host) return;
    const toHost = ctx.req.to?.uri?.host;
    if (toHost && toHost.toLowerCase() === uri.host.toLowerCase()) return;
    const homes = homeDomains(ctx.req);
    if (homes.size === 0 || homes.has(uri.host.toLowerCase())) return;
    ctx.report(ctx.req.requestUriSpan, `Request-URI ${uri.text} does not name the home network domain (${listText([...homes])}); TS 24.229 §5.1.1.2.1 f asks for "sip:<home domain>"`);
  },
});

export const imsReg002 = defineRule({
  id: 'IMS-REG-002',
  title: 'From and To hold the public user identity',
  defaultSeverity: 'error',
  clause: '3GPP TS 24.229 §5.1.1.2.1 a-b, §5.1.1.4.1 a-b; IPv6PC S.TS24229-5.1-31/-32',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register'], description: 'Every REGISTER (IMS profile).' },
  decision: 'A To that is not a SIP URI is left to RFC3261-REG-002 (same severity). A From that differs from To is also RFC3261-REG-003 (warning in every profile): the IMS profile makes it an error here.',
  docs: {
    what: 'From and To of an IMS REGISTER both carry the public user identity being registered, as a SIP URI.',
    why: 'The S-CSCF registers the identity in To and authorises it against the private identity; a different From (or a tel: URI) is rejected or registers the wrong identity.',
    get failing() {
      return imsRegister({ from: `<tel:+15551230001>;tag=${EX.fromTag}` });
    },
    get passing() {
      return imsRegister();
    },
    fix: `\`From: <${EX.aor}>;tag=…\` (same identity as To).`,
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const { from, to } = ctx.req;
    const f = from?.uri;
    if (!f) return;
    if (f.scheme !== 'sip' && f.scheme !== 'sips') {
      ctx.report(f.span, `From must hold the public user identity as a SIP URI, not ${f.scheme}: (TS 24.229 §5.1.1.2.1 a)`);
      return;
    }
    const t = to?.uri;
    if (!t || (t.scheme !== 'sip' && t.scheme !== 'sips')) return;
    if (f.text !== t.text && normalizeAor(f) !== normalizeAor(t)) {
      ctx.report(f.span, `From ${f.text} differs from To ${t.text}: both hold the public user identity being registered (TS 24.229 §5.1.1.2.1 a-b)`, [{ messageIndex: ctx.msg.index, span: t.span, message: 'To' }]);
    }
  },
});

export const imsReg003 = defineRule({
  id: 'IMS-REG-003',
  title: 'Requested expiry 600 000 s',
  defaultSeverity: 'warning',
  clause: '3GPP TS 24.229 §5.1.1.2.1 e, §5.1.1.4.1 e; IPv6PC S.TS24229-5.1-40',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: {
    events: ['register'],
    phases: ['initial', 'refresh', 'im-deregistration'],
    attempts: ['first', 'auth-resend'],
    description: 'Registering REGISTERs (initial, refresh, IM-only de-registration) and their credentials resends; not the retry after 423.',
  },
  decision: 'Catalog 11.11: warning, because OMA / RCS deployments commonly configure other values through device management and the registrar may shorten the expiry anyway. The expected value is 600000 s (no `ims.expectedExpires` setting yet). No expiry at all (registrar default) is reported too; a malformed one is RFC3261-REG-016.',
  docs: {
    what: 'An IMS REGISTER that registers a contact asks for 600000 seconds (Expires header or contact `expires`).',
    why: 'TS 24.229 makes the UE request 600000 s and let the S-CSCF decide; a shorter value multiplies re-registrations (and AKA runs) over the radio.',
    get failing() {
      return imsRegister({ expires: '3600' });
    },
    get passing() {
      return imsRegister();
    },
    fix: '`Expires: 600000`',
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const c = ctx.req.contacts.find((x) => !x.star && x.effExpiry !== 0);
    if (!c || c.effExpiry === 'malformed') return;
    if (c.effExpiry === 'unspecified') {
      ctx.report(startLineSpan(ctx.sip), `REGISTER requests no expiry (no Expires, no contact expires): the registrar default applies; TS 24.229 §5.1.1.2.1 e asks for ${IMS_EXPIRES} s`);
      return;
    }
    if (c.effExpiry === IMS_EXPIRES) return;
    const span = c.expiresParam ? (c.expiresParam.valueSpan ?? c.expiresParam.span) : ctx.req.expiresHeader?.header.valueSpan;
    if (span) ctx.report(span, `requested expiry ${c.effExpiry} s; TS 24.229 §5.1.1.2.1 e asks for ${IMS_EXPIRES} s`);
  },
});

export const imsReg004 = defineRule({
  id: 'IMS-REG-004',
  title: '`Supported: path` (+ `gruu` / `outbound` when used)',
  defaultSeverity: 'error',
  clause: '3GPP TS 24.229 §5.1.1.2.1 g, §5.1.1.4.1 g; IPv6PC S.TS24229-5.1-42',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: {
    events: ['register', 'register-response'],
    phases: ['initial', 'refresh', 'im-deregistration'],
    description: 'Registering REGISTERs (initial, refresh, IM-only de-registration), IMS profile.',
  },
  decision: '`gruu` is required once GRUU use is evident: the contact carries +sip.instance and an earlier 2xx of the binding returned a pub-gruu or temp-gruu. The `outbound` option tag is OUTBOUND-003 (same condition, same severity). In the generic profile a missing `path` is PATH-001 (warning).',
  docs: {
    what: 'An IMS REGISTER lists `path` in Supported, and `gruu` when it uses GRUU.',
    why: 'The P-CSCF must insert Path to stay on the terminating route; without `Supported: path` the S-CSCF does not accept it and terminating requests bypass the P-CSCF.',
    get failing() {
      return imsRegister({ supported: 'gruu' });
    },
    get passing() {
      return imsRegister();
    },
    fix: '`Supported: path, gruu`',
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event === 'register-response') {
      // Remember bindings the registrar gave a GRUU (RFC 5627 §5: pub-gruu / temp-gruu in the 2xx Contact).
      if (ctx.retransmission || !ctx.exchange || ctx.res.status < 200 || ctx.res.status >= 300) return;
      if (ctx.res.contacts.some((c) => c.params.some((p) => /^(pub|temp)-gruu$/i.test(p.name)))) ctx.store.set(ctx.exchange.lineageKey, true);
      return;
    }
    if (ctx.event !== 'register') return;
    const has = (t: string) => ctx.req.supported.some((x) => x.token.toLowerCase() === t);
    const missing: string[] = [];
    if (!has('path')) missing.push('"path"');
    const usesGruu = ctx.store.has(ctx.exchange.lineageKey) && ctx.req.contacts.some((c) => !c.star && c.instance !== undefined);
    if (usesGruu && !has('gruu')) missing.push('"gruu" (the registrar assigned this instance a GRUU)');
    if (missing.length === 0) return;
    const supported = firstHeader(ctx.sip, 'supported');
    ctx.report(supported?.valueSpan ?? startLineSpan(ctx.sip), `${supported ? 'Supported does not list' : 'REGISTER has no Supported header with'} ${listText(missing)} (TS 24.229 §5.1.1.2.1 g)`);
  },
});

export const imsReg005 = defineRule({
  id: 'IMS-REG-005',
  title: 'Contact/Via of the UE',
  defaultSeverity: 'error',
  severities: { 'Via without `rport`': 'warning', 'Via without `keep` (initial REGISTER only)': 'info' },
  clause: '3GPP TS 24.229 §5.1.1.2.1 c-d; RFC 3581 (rport); RFC 6223 (keep)',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register'], description: 'Every REGISTER captured before any proxy (catalog 2.5), IMS profile.' },
  decision: 'A non-SIP Contact or one without a host is an error; a top Via without `rport` (or with a value the UE cannot know) a warning; the missing `keep` is release and configuration dependent: info, once per registration (first attempt of the initial REGISTER).',
  docs: {
    what: 'The Contact is a SIP URI with the UE address; the top Via carries `rport` without a value (and `keep` where keep-alives are used).',
    why: 'The P-CSCF answers to the Via address and port and routes terminating requests to the Contact; without `rport` responses do not get back through a NAT.',
    get failing() {
      return imsRegister({ via: `SIP/2.0/UDP ${EX.clientHost}:5060;branch=z9hG4bKreg1a;keep` });
    },
    get passing() {
      return imsRegister({ via: `SIP/2.0/UDP ${EX.clientHost}:5060;branch=z9hG4bKreg1a;rport;keep` });
    },
    fix: '`Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK…;rport;keep`',
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register' || ctx.observedDownstream) return;
    for (const c of ctx.req.contacts) {
      if (c.star) continue;
      const u = c.uri;
      if (!u || (u.scheme !== 'sip' && u.scheme !== 'sips')) ctx.report(u?.span ?? c.span, `the Contact must be a SIP URI with the UE's IP address or FQDN (TS 24.229 §5.1.1.2.1 c), not ${u ? `${u.scheme}:` : 'this value'}`);
      else if (!u.host) ctx.report(u.span, 'the Contact URI has no host: it must carry the UE\'s IP address or FQDN (TS 24.229 §5.1.1.2.1 c)');
    }
    const top = ctx.req.via.top;
    if (!top) return;
    const rport = top.params.find((p) => p.name.toLowerCase() === 'rport');
    if (!rport) ctx.report(top.span, 'top Via has no rport parameter: responses may not find their way back through a NAT (TS 24.229 §5.1.1.2.1 d, RFC 3581)', { severity: 'warning' });
    else if (rport.value !== undefined && !ctx.observedDownstream) ctx.report(rport.span, 'the UE sends rport with a value; it is sent empty and filled in by the server (RFC 3581 §3)', { severity: 'warning' });
    if (ctx.exchange.phase === 'initial' && ctx.exchange.attempt === 'first' && !top.params.some((p) => p.name.toLowerCase() === 'keep')) {
      ctx.report(top.span, 'top Via has no keep parameter: a UE behind a NAT asks for keep-alives with ";keep" (TS 24.229 §5.1.1.2.1 d, Rel-10 and later; RFC 6223)', { severity: 'info' });
    }
  },
});

const ICSI_PREFIX: Record<string, string> = { '+g.3gpp.icsi-ref': 'urn:urn-7:3gpp-service.', '+g.3gpp.iari-ref': 'urn:urn-7:3gpp-application.' };

function percentDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export const imsReg006 = defineRule({
  id: 'IMS-REG-006',
  title: 'ICSI/IARI tags',
  defaultSeverity: 'info',
  severities: { 'the URN is not a 3GPP service / application URN (e.g. "3gppservice")': 'warning' },
  clause: '3GPP TS 24.229 §5.1.1.2.1 c, §7.9.2 (g.3gpp.icsi-ref), §7.9.3 (g.3gpp.iari-ref)',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register'], phases: ['initial', 'refresh'], description: 'Initial and refresh REGISTERs whose Contact carries `+g.3gpp.icsi-ref` or `+g.3gpp.iari-ref`, IMS profile.' },
  decision: 'Catalog 11.18: the OMA IM tags do not depend on ICSI/IARI values and CPM ICSIs do not replace them; only the values present are checked. Quoting and the comma list syntax are RFC3840-002/003; here each value, percent-decoded, must be an ICSI (urn:urn-7:3gpp-service.…) or IARI (urn:urn-7:3gpp-application.…) URN (warning); a tag without a value, an empty item or a repeated value is info.',
  docs: {
    what: 'Each `+g.3gpp.icsi-ref` value is a percent-encoded ICSI URN `urn:urn-7:3gpp-service.…`, each `+g.3gpp.iari-ref` value an IARI URN `urn:urn-7:3gpp-application.…`.',
    why: 'The S-CSCF and application servers match ICSI/IARI values literally: a typo such as `3gppservice` (seen even in test fixtures) silently disables the service.',
    get failing() {
      return imsRegister({ contact: `<sip:alice@${EX.clientHost}:5060>;${EX.imTags};+sip.instance=${IMS_EX.instance};+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gppservice.ims.icsi.oma.cpm.msg"` });
    },
    get passing() {
      return imsRegister({ contact: `<sip:alice@${EX.clientHost}:5060>;${EX.imTags};+sip.instance=${IMS_EX.instance};+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"` });
    },
    fix: '`+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.oma.cpm.msg"`',
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    for (const c of ctx.req.contacts) {
      for (const p of c.featureParams) {
        if (p.name.length !== 16) continue; // both tag names have 16 characters
        const name = p.name.toLowerCase();
        const prefix = ICSI_PREFIX[name];
        if (!prefix) continue;
        const raw = p.value;
        if (raw === undefined) {
          ctx.report(p.span, `${p.name} has no value: it lists the ${name.includes('icsi') ? 'ICSI' : 'IARI'} URNs the UE supports`);
          continue;
        }
        const vs = p.valueSpan;
        if (!vs || raw.length < 2 || !raw.startsWith('"') || !raw.endsWith('"')) continue; // RFC3840-002
        const seen = new Set<string>();
        let off = vs.start + 1;
        for (const item of raw.slice(1, -1).split(',')) {
          const span = { start: off, end: off + item.length };
          off += item.length + 1;
          let t = item.trim();
          if (t.startsWith('<') && t.endsWith('>')) t = t.slice(1, -1);
          if (t === '') {
            ctx.report(span.start === span.end ? p.span : span, `${p.name} has an empty list item`);
            continue;
          }
          const decoded = percentDecode(t)?.toLowerCase();
          if (decoded === undefined) continue;
          if (seen.has(decoded)) ctx.report(span, `${decoded} is listed twice in ${p.name}`);
          seen.add(decoded);
          if (!decoded.startsWith(prefix)) ctx.report(span, `${p.name} value "${decoded}" is not a 3GPP ${prefix.includes('service') ? 'ICSI' : 'IARI'} URN (${prefix}…)`, { severity: 'warning' });
        }
      }
    }
  },
});

export const imsReg007 = defineRule({
  id: 'IMS-REG-007',
  title: 'Initial REGISTER with IMS AKA: empty-credential Authorization',
  defaultSeverity: 'error',
  clause: '3GPP TS 24.229 §5.1.1.2.2 a; IPv6PC S.TS24229-5.1-69..-73',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register-response'], description: 'The first attempt of an initial REGISTER, once its 401 shows that IMS AKA is in use (IMS profile).' },
  decision: `AKA is taken to be in use when the 401 answering the REGISTER challenges with AKAv1-MD5 / AKAv2-MD5; the finding is placed on the REGISTER. ${HOME_DECISION}`,
  docs: {
    what: 'The first REGISTER of an IMS AKA registration carries `Authorization: Digest` with the private identity as `username`, the home domain as `realm` and in `uri`, and `nonce=""`, `response=""`.',
    why: 'The S-CSCF finds the subscriber (and the authentication vectors) by the private identity in this Authorization; without it the network must guess the IMPI from the public identity, which fails for shared or multi-device subscriptions.',
    get failing() {
      return flow(...imsRegistration({ initial: { authorization: null } }));
    },
    get passing() {
      return flow(...imsRegistration());
    },
    fix: `\`Authorization: ${imsEmptyCredentials()}\``,
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission || ctx.res.status !== 401 || !ctx.exchange || !ctx.req) return;
    if (ctx.exchange.phase !== 'initial' || ctx.exchange.attempt !== 'first') return;
    const ch = ctx.res.challenges.find(isAka);
    if (!ch) return;
    const req = ctx.req;
    const opts = { messageIndex: ctx.exchange.requestIndex, related: [{ messageIndex: ctx.msg.index, span: ch.span, message: '401 with the AKA challenge' }] };
    const a = req.authorization;
    if (!a) {
      ctx.report(req.startLineSpan, 'the initial REGISTER of an IMS AKA registration has no Authorization; TS 24.229 §5.1.1.2.2 a sends one with the private identity, nonce="" and response=""', opts);
      return;
    }
    if (a.scheme.toLowerCase() !== 'digest') {
      ctx.report(a.schemeSpan, `Authorization scheme ${a.scheme || '(none)'}: IMS AKA uses Digest (TS 24.229 §5.1.1.2.2 a)`, opts);
      return;
    }
    const v = a.values;
    const missing = ['username', 'realm', 'uri', 'nonce', 'response'].filter((k) => !v.has(k));
    if (missing.length) ctx.report(a.header.valueSpan, `Authorization lacks ${listText(missing)}; the initial IMS AKA REGISTER carries username (private identity), realm, uri, nonce="" and response="" (TS 24.229 §5.1.1.2.2 a)`, opts);
    const homes = homeDomains(req, false);
    const realm = v.get('realm');
    if (realm !== undefined && homes.size && !homes.has(realm.toLowerCase()) && !(req.requestUri?.host && req.requestUri.host.toLowerCase() === realm.toLowerCase())) {
      ctx.report(credSpan(a, 'realm'), `realm "${realm}" is not the home domain (${listText([...homes])}) (TS 24.229 §5.1.1.2.2 a)`, opts);
    }
    const uri = v.get('uri');
    if (uri !== undefined && !uriNamesHome(uri, req)) ctx.report(credSpan(a, 'uri'), `uri "${uri}" is not "sip:<home domain>" (TS 24.229 §5.1.1.2.2 a)`, opts);
    for (const k of ['nonce', 'response']) {
      const x = v.get(k);
      if (x !== undefined && x !== '') ctx.report(credSpan(a, k), `${k} is "${x}"; the initial IMS AKA REGISTER sends ${k}="" (no challenge has been received yet)`, opts);
    }
  },
});

const EALGS = ['des-ede3-cbc', 'aes-cbc', 'null'];

function saParamProblem(k: string, val: string): boolean {
  const max = k.startsWith('port') ? 65535 : 4294967295;
  return !/^\d+$/.test(val) || Number(val) > max || (k.startsWith('port') && Number(val) === 0);
}

/** The ipsec-3gpp offer has alg and valid SA parameters, and a known ealg if any. */
function securityClientOk(m: SecMechanism): boolean {
  if (!m.params.has('alg')) return false;
  for (const k of SA_PARAMS) {
    const v = m.params.get(k);
    if (v === undefined || saParamProblem(k, v)) return false;
  }
  const ealg = m.params.get('ealg');
  return ealg === undefined || EALGS.includes(ealg);
}

/** IMS-REG-008 findings on the ipsec-3gpp Security-Client offer, at the exact parameters. */
function reportSecurityClient(ctx: RuleContext, sip: SipMessage, rows: SipHeader[]): void {
  const values: ParamValue[] = [];
  for (const h of rows) values.push(...parseValueParams(sip, h, 'token').values);
  const ipsec = values.find((v) => v.value.toLowerCase() === 'ipsec-3gpp');
  if (!ipsec) return;
  const absent = ['alg', ...SA_PARAMS].filter((k) => !secParam(ipsec, k));
  if (absent.length) ctx.report(ipsec.span, `Security-Client ipsec-3gpp lacks ${listText(absent)} (TS 24.229 §5.1.1.2.2 b, TS 33.203)`);
  for (const k of SA_PARAMS) {
    const p = secParam(ipsec, k);
    if (!p) continue;
    const val = (p.value ?? '').trim();
    if (saParamProblem(k, val)) ctx.report(p.valueSpan ?? p.span, `${k}=${val} is not a valid ${k.startsWith('port') ? 'port' : 'SPI'} (1*DIGIT${k.startsWith('port') ? ', 1-65535' : ', 32 bits'})`);
  }
  const ealg = secParam(ipsec, 'ealg');
  if (ealg && !EALGS.includes((ealg.value ?? '').trim().toLowerCase())) {
    ctx.report(ealg.valueSpan ?? ealg.span, `ealg=${ealg.value ?? ''} is not one of ${EALGS.join(', ')} (TS 24.229 §5.1.1.2.2 b)`, { severity: 'warning' });
  }
}

export const imsReg008 = defineRule({
  id: 'IMS-REG-008',
  title: 'Security agreement headers (IPsec / sec-agree)',
  defaultSeverity: 'error',
  severities: { 'an `ealg` outside des-ede3-cbc, aes-cbc, null': 'warning' },
  clause: '3GPP TS 24.229 §5.1.1.2.2 b-d; RFC 3329 §2.3; IPv6PC S.TS24229-5.1-9, -74..-76',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: {
    events: ['register'],
    phases: ['initial', 'refresh', 'im-deregistration', 'full-deregistration'],
    description: 'REGISTERs that use the security agreement (Security-Client, Security-Verify or `sec-agree`), IMS profile.',
  },
  decision:
    'The SA parameters are checked for the ipsec-3gpp mechanism only (another mechanism, e.g. tls, is not checked). An `ealg` outside the catalog\'s list is a warning (later TS 33.203 releases add algorithms). Once the REGISTER carries Security-Verify (an SA exists) its Contact port and, over UDP, its top Via port must be the protected server port (`port-s`); not checked on REGISTERs captured after a proxy. This placement check is not repeated by IMS-REG-009/010.',
  docs: {
    what: 'With sec-agree, the REGISTER carries `Security-Client: ipsec-3gpp` with alg, spi-c, spi-s, port-c and port-s, lists `sec-agree` in Require and Proxy-Require, and, once the SA exists, uses `port-s` in Contact and Via.',
    why: 'The P-CSCF sets up the IPsec SAs from these parameters; a missing one or `sec-agree` missing from Proxy-Require makes it reject the REGISTER (494) or run without protection.',
    get failing() {
      return imsRegister({ securityClient: 'ipsec-3gpp;alg=hmac-sha-1-96;spi-c=101;spi-s=102;port-c=5062' });
    },
    get passing() {
      return imsRegister();
    },
    fix: `\`Security-Client: ${imsSecurityClient(0)}\``,
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const sip = ctx.sip;
    const req = ctx.req;
    const scRows = headersOf(sip, 'security-client');
    const hasVerify = !!firstHeader(sip, 'security-verify');
    const inRequire = req.require.some((t) => t.token.toLowerCase() === 'sec-agree');
    const inProxyRequire = req.proxyRequire.some((t) => t.token.toLowerCase() === 'sec-agree');
    if (scRows.length === 0 && !hasVerify && !inRequire && !inProxyRequire) return;
    if (scRows.length === 0) {
      ctx.report(startLineSpan(sip), 'the REGISTER uses the security agreement (sec-agree / Security-Verify) but has no Security-Client (TS 24.229 §5.1.1.2.2 b, RFC 3329)');
    }
    // The common, compliant case is decided on the raw value; spans are computed only to report.
    const ipsec = parseSecurityMechanisms(scRows.length === 1 ? scRows[0].value : scRows.map((h) => h.value).join(',')).find((m) => m.name === 'ipsec-3gpp');
    if (ipsec && !securityClientOk(ipsec)) reportSecurityClient(ctx, sip, scRows);
    if (!inRequire) {
      const h = firstHeader(sip, 'require');
      ctx.report(h?.valueSpan ?? startLineSpan(sip), `${h ? 'Require does not list' : 'REGISTER has no Require with'} "sec-agree" (RFC 3329 §2.3, TS 24.229 §5.1.1.2.2)`);
    }
    if (!inProxyRequire) {
      const h = firstHeader(sip, 'proxy-require');
      ctx.report(h?.valueSpan ?? startLineSpan(sip), `${h ? 'Proxy-Require does not list' : 'REGISTER has no Proxy-Require with'} "sec-agree" (RFC 3329 §2.3, TS 24.229 §5.1.1.2.2)`);
    }
    if (!hasVerify || !ipsec || ctx.observedDownstream) return;
    const portS = Number(ipsec.params.get('port-s') ?? '');
    if (!Number.isInteger(portS) || portS <= 0) return;
    for (const c of req.contacts) {
      if (c.star || !c.uri || c.effExpiry === 0) continue;
      const port = c.uri.port ?? (c.uri.scheme === 'sips' ? 5061 : 5060);
      if (port !== portS) ctx.report(c.uri.span, `Contact port ${port} is not the protected server port ${portS} (Security-Client port-s): the SA exists, terminating requests must reach the protected port (TS 24.229 §5.1.1.2.2 d)`);
    }
    const top = req.via.top;
    if (top && top.transport.toUpperCase() === 'UDP') {
      const port = top.port ?? 5060;
      if (port !== portS) ctx.report(top.span, `top Via port ${port} is not the protected server port ${portS}: responses over UDP are sent to the protected port (TS 24.229 §5.1.1.2.2 d)`);
    }
  },
});

export const imsReg009 = defineRule({
  id: 'IMS-REG-009',
  title: 'Resend after 401 (AKA)',
  defaultSeverity: 'error',
  clause: '3GPP TS 24.229 §5.1.1.5.1',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register'], attempts: ['auth-resend'], description: 'The credentials resend after a 401 with an AKA challenge (IMS profile).' },
  decision:
    'The Digest answer itself (realm, nonce, algorithm, response, uri) is OMA-IM-REG-014. This rule checks what IMS adds: the private identity as username, the Security-Client repeated unchanged and Security-Verify mirroring the Security-Server of the 401. A resend that signals an invalid challenge (empty response or auts) is IMS-REG-012. The Call-ID cannot differ here: a resend is recognised within its Call-ID (a changed Call-ID is RFC3261-REG-010). The Security-* parts are not checked on a REGISTER captured after a proxy (the P-CSCF removes those headers). Whether the resend travels over the temporary SA (its ports) is not checked: ESP-protected traffic is not readable as SIP in a capture, and decrypted logs do not keep the ports.',
  docs: {
    what: 'After the AKA 401 the UE resends the REGISTER with Authorization (private identity, RES-based response), the same Security-Client as before and a Security-Verify equal to the Security-Server of the 401.',
    why: 'The P-CSCF checks that the Security-Verify mirrors what it offered (a bidding-down attack otherwise goes unnoticed) and that Security-Client is unchanged; a mismatch makes it reject the REGISTER.',
    get failing() {
      return flow(...imsRegistration({ resend: { securityVerify: null } }).slice(0, 3));
    },
    get passing() {
      return flow(...imsRegistration().slice(0, 3));
    },
    fix: `\`Security-Verify: ${IMS_EX.securityServer}\` (copied from Security-Server).`,
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const prev = ctx.previous;
    if (!prev || prev.finalStatus !== 401) return;
    const ch = (prev.challenges ?? []).find(isAka);
    const a = ctx.req.authorization;
    if (!ch || !a || signalsInvalidChallenge(a)) return;
    const rel = challengeRel(prev, ch);
    const user = a.values.get('username');
    const before = usernameOf(prev.authorizationRaw);
    if (!user) ctx.report(a.header.valueSpan, 'Authorization has no username: the resend carries the private user identity (TS 24.229 §5.1.1.5.1)', rel);
    else if (before !== undefined && before !== '' && before !== user) {
      ctx.report(credSpan(a, 'username'), `username "${user}" differs from the private identity "${before}" of the challenged REGISTER`, related(prev.startLine, 'challenged REGISTER'));
    }
    // The P-CSCF removes the Security-* headers before forwarding (RFC 3329 §2.3.1): not checked after a proxy.
    if (ctx.observedDownstream) return;
    if (prev.securityClient !== undefined) {
      const sc = headersOf(ctx.sip, 'security-client');
      if (sc.length === 0) ctx.report(startLineSpan(ctx.sip), 'the resend has no Security-Client; it repeats the Security-Client of the challenged REGISTER unchanged (TS 24.229 §5.1.1.5.1)', related(prev.startLine, 'challenged REGISTER'));
      else if (!sameSecurity(sc.length === 1 ? sc[0].value : sc.map((h) => h.value).join(', '), prev.securityClient)) {
        ctx.report(sc[0].valueSpan, `Security-Client differs from the challenged REGISTER's (${prev.securityClient}); it is repeated unchanged (TS 24.229 §5.1.1.5.1)`, related(prev.startLine, 'challenged REGISTER'));
      }
    }
    if (prev.securityServer !== undefined) {
      const sv = headersOf(ctx.sip, 'security-verify');
      const at = prev.final ? [{ messageIndex: prev.final.index, span: prev.final.span, message: '401 with Security-Server' }] : [];
      if (sv.length === 0) ctx.report(startLineSpan(ctx.sip), `the resend has no Security-Verify; it mirrors the Security-Server of the 401 (${prev.securityServer}) (TS 24.229 §5.1.1.5.1)`, at);
      else if (!sameSecurity(sv.length === 1 ? sv[0].value : sv.map((h) => h.value).join(', '), prev.securityServer)) {
        ctx.report(sv[0].valueSpan, `Security-Verify does not mirror the Security-Server of the 401 (${prev.securityServer}) (TS 24.229 §5.1.1.5.1)`, at);
      }
    }
  },
});

export const imsReg010 = defineRule({
  id: 'IMS-REG-010',
  title: 'Re-registration content',
  defaultSeverity: 'error',
  clause: '3GPP TS 24.229 §5.1.1.4.1, §5.1.1.4.2; IPv6PC S.TS24229-5.1-147, -153, -184..-191',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: {
    events: ['register'],
    phases: ['refresh', 'im-deregistration', 'full-deregistration'],
    attempts: ['first', 'interval-retry'],
    description: 'Refreshes and IM-only de-registrations (credentials and security agreement) and full de-registrations (security agreement) of a binding seen authenticating in the capture, IMS profile.',
  },
  decision:
    'Compared with the last accepted REGISTER of the binding that carried credentials: realm and nonce as last used (a nextnonce in the 2xx\'s Authentication-Info replaces the nonce), a response present, `uri` naming the home domain; and, when the security agreement was used, a new Security-Client (new spi-c, spi-s, port-c, same port-s) and Security-Verify equal to the Security-Server of the last successful authentication. The credentials of a full de-registration rest on unconfirmed text (catalog §15 item 7) and are IMS-REG-014 (info); the Contact port is IMS-REG-008. The security agreement is not checked after a proxy (the P-CSCF removes the Security-* headers).',
  docs: {
    what: 'An IMS re-registration repeats the credentials of the last successful authentication (same realm and nonce) and offers a new Security-Client (new SPIs and client port, same server port) with Security-Verify = the Security-Server of that authentication.',
    why: 'The S-CSCF accepts a re-registration over the SA without a new AKA run only when the credentials match; new SPIs let the P-CSCF set up the next SA pair when the network re-authenticates.',
    get failing() {
      return flow(...imsRegistered(), 599400, imsRegister({ cseq: 3, step: 'protected', securityClient: imsSecurityClient(0), nc: 2 }));
    },
    get passing() {
      return flow(...imsRegistered(), 599400, imsRegister({ cseq: 3, step: 'protected', securityClient: imsSecurityClient(1), nc: 2 }));
    },
    fix: `\`Security-Client: ${imsSecurityClient(1)}\` (new spi-c, spi-s, port-c; same port-s).`,
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const last = ctx.lineage.lastAuth;
    if (!last) return;
    const sip = ctx.sip;
    const rel = related(last.ref, 'last accepted REGISTER with credentials');
    if (ctx.exchange.phase !== 'full-deregistration') {
      const a = ctx.req.authorization;
      if (!a) ctx.report(startLineSpan(sip), 'the re-registration has no Authorization; TS 24.229 §5.1.1.4.1 repeats the credentials of the last successful authentication', rel);
      else {
        const v = a.values;
        for (const [k, want] of [['realm', last.realm], ['nonce', last.nonce]] as const) {
          if (want === undefined) continue;
          const got = v.get(k);
          if (got !== want) ctx.report(got === undefined ? a.header.valueSpan : credSpan(a, k), `${k} ${got === undefined ? 'is missing' : `"${got}"`}; the re-registration uses the ${k} of the last successful authentication "${want}" (TS 24.229 §5.1.1.4.1)`, rel);
        }
        if (!v.has('response')) ctx.report(a.header.valueSpan, 'Authorization has no response; the re-registration carries the last computed response (TS 24.229 §5.1.1.4.1)', rel);
        const uri = v.get('uri');
        if (uri !== undefined && !uriNamesHome(uri, ctx.req)) ctx.report(credSpan(a, 'uri'), `uri "${uri}" is not "sip:<home domain>" (TS 24.229 §5.1.1.4.1)`, rel);
      }
    }
    if (last.securityClient === undefined || ctx.observedDownstream) return; // the P-CSCF removes Security-* headers
    const sc = securityValues(sip, 'security-client');
    if (sc.rows.length === 0) {
      ctx.report(startLineSpan(sip), 'no Security-Client: a re-registration offers a new one (new spi-c, spi-s, port-c; same port-s) (TS 24.229 §5.1.1.4.1)', rel);
    } else {
      const cur = sc.values.find((v) => v.value.toLowerCase() === 'ipsec-3gpp');
      const old = parseSecurityMechanisms(last.securityClient).find((m) => m.name === 'ipsec-3gpp');
      if (cur && old) {
        const same = ['spi-c', 'spi-s', 'port-c'].filter((k) => {
          const p = secParam(cur, k);
          return p !== undefined && (p.value ?? '').trim().toLowerCase() === old.params.get(k);
        });
        if (same.length) ctx.report(cur.span, `Security-Client repeats ${listText(same)} of the last registration; a re-registration offers new ${listText(same)} (TS 24.229 §5.1.1.4.1)`, rel);
        const ps = secParam(cur, 'port-s');
        if (ps && old.params.has('port-s') && (ps.value ?? '').trim() !== old.params.get('port-s')) {
          ctx.report(ps.valueSpan ?? ps.span, `port-s changed from ${old.params.get('port-s')}; a re-registration keeps the protected server port (TS 24.229 §5.1.1.4.1)`, rel);
        }
      }
    }
    if (last.securityServer === undefined) return;
    const sv = headersOf(sip, 'security-verify');
    if (sv.length === 0) ctx.report(startLineSpan(sip), `no Security-Verify; it carries the Security-Server of the last successful authentication (${last.securityServer}) (TS 24.229 §5.1.1.4.1)`, rel);
    else if (!sameSecurity(sv.length === 1 ? sv[0].value : sv.map((h) => h.value).join(', '), last.securityServer)) {
      ctx.report(sv[0].valueSpan, `Security-Verify differs from the Security-Server of the last successful authentication (${last.securityServer}) (TS 24.229 §5.1.1.4.1)`, rel);
    }
  },
});

export const imsReg011 = defineRule({
  id: 'IMS-REG-011',
  title: 'No usable Security-Server → new Call-ID',
  defaultSeverity: 'error',
  clause: '3GPP TS 24.229 §5.1.1.5.1 item 3; IPv6PC S.TS24229-5.1-219',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register'], attempts: ['auth-resend'], description: 'A credentials resend in the same Call-ID after a 401 without a usable Security-Server, when the REGISTER offered a Security-Client (IMS profile).' },
  decision: 'A Security-Server is usable when it offers ipsec-3gpp with spi-c, spi-s, port-c and port-s (or, when the UE offered no ipsec-3gpp, any mechanism). RFC3261-REG-010 already accepts the new Call-ID this rule asks for. Not checked after a proxy (the P-CSCF removes the Security-* headers).',
  docs: {
    what: 'When the 401 has no usable Security-Server, the UE abandons that authentication and starts a new initial REGISTER with a new Call-ID instead of answering the challenge.',
    why: 'Without the SA parameters no protected channel can be set up; answering the challenge anyway sends the RES over an unprotected path and the P-CSCF cannot accept the result.',
    get failing() {
      return flow(...imsRegistration({ challenge: { securityServer: null } }).slice(0, 3));
    },
    get passing() {
      return flow(...imsRegistration().slice(0, 3));
    },
    fix: 'Send a new initial REGISTER (new Call-ID, CSeq 1) without answering the challenge.',
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const prev = ctx.previous;
    if (!prev || prev.finalStatus !== 401 || prev.securityClient === undefined || ctx.observedDownstream) return;
    if (usableSecurityServer(prev.securityServer, prev.securityClient)) return;
    const what = prev.securityServer === undefined ? 'has no Security-Server' : 'has a Security-Server without usable SA parameters';
    ctx.report(ctx.req.callIdSpan ?? startLineSpan(ctx.sip), `the 401 ${what}, yet this REGISTER answers its challenge in the same Call-ID; TS 24.229 §5.1.1.5.1 item 3: abandon the authentication and send a new initial REGISTER with a new Call-ID`, challengeRel(prev, undefined));
  },
});

export const imsReg012 = defineRule({
  id: 'IMS-REG-012',
  title: 'Signalling an invalid challenge (MAC/SQN failure)',
  defaultSeverity: 'info',
  clause: '3GPP TS 24.229 §5.1.1.5.3 (Rel-12)',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register'], attempts: ['auth-resend'], description: 'A resend after an AKA 401 with an empty response or an `auts` parameter (IMS profile).' },
  decision: 'The checker cannot verify MAC or SQN itself, so the pattern is reported as info (OMA-IM-REG-014 accepts the empty response). The resend must also carry a new Security-Client (new spi-c, spi-s, port-c); a repeated one is reported in the same finding. CSeq + 1 on the same Call-ID is RFC3261-REG-011.',
  docs: {
    what: 'Recognises a UE that rejects the AKA challenge: `response=""` without `auts` (the network failed authentication: MAC failure) or `auts="…"` (sequence number out of sync: resynchronisation).',
    why: 'A rejected challenge looks like a broken Digest answer; knowing it is the AKA failure signalling points at the SIM / HSS rather than at the client code.',
    get failing() {
      return flow(
        ...imsRegistration().slice(0, 2),
        imsRegister({ cseq: 2, authorization: `Digest username="${IMS_EX.impi}", realm="${EX.realm}", uri="sip:${EX.domain}", nonce="${IMS_EX.nonce}", response="", algorithm=AKAv1-MD5, qop=auth, nc=00000001, cnonce="0a4f113b"`, securityClient: imsSecurityClient(1) }),
      );
    },
    get passing() {
      return flow(...imsRegistration().slice(0, 3));
    },
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const prev = ctx.previous;
    if (!prev || prev.finalStatus !== 401) return;
    const ch = (prev.challenges ?? []).find(isAka);
    const a = ctx.req.authorization;
    if (!ch || !a || !signalsInvalidChallenge(a)) return;
    const auts = credParam(a, 'auts');
    let note = '';
    if (prev.securityClient !== undefined && !ctx.observedDownstream) {
      const cur = securityValues(ctx.sip, 'security-client').values.find((v) => v.value.toLowerCase() === 'ipsec-3gpp');
      const old = parseSecurityMechanisms(prev.securityClient).find((m) => m.name === 'ipsec-3gpp');
      const same = cur && old ? ['spi-c', 'spi-s', 'port-c'].filter((k) => (secParam(cur, k)?.value ?? '').trim().toLowerCase() === old.params.get(k)) : [];
      if (same.length) note = `; the Security-Client repeats ${listText(same)} of the challenged REGISTER, but this resend offers new ones (TS 24.229 §5.1.1.5.3)`;
    }
    const rel = challengeRel(prev, ch);
    if (auts) ctx.report(auts.span, `the UE signals an AKA synchronisation failure (auts): the network must resynchronise the sequence number (TS 24.229 §5.1.1.5.3)${note}`, rel);
    else ctx.report(credSpan(a, 'response'), `the UE rejects the AKA challenge with an empty response (MAC failure: the network could not be authenticated, TS 24.229 §5.1.1.5.3)${note}`, rel);
  },
});

export const imsReg013 = defineRule({
  id: 'IMS-REG-013',
  title: 'Re-registration timing',
  defaultSeverity: 'warning',
  severities: { 'more than 10 % early': 'info' },
  clause: '3GPP TS 24.229 §5.1.1.4.1',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register'], phases: ['refresh'], attempts: ['first'], description: 'Refreshes of a binding whose 2xx is in the capture, with timestamps (IMS profile).' },
  decision:
    'The refresh is due 600 s before expiry when the granted expiry exceeds 1200 s, else when half of it has elapsed. Late (warning): more than 10 % of the safety margin after that point (60 s for the 600 s case, 10 % of the half-expiry otherwise), timer jitter and device sleep included; a refresh after the expiry is RFC3261-RSP-010. Early (info): more than 10 % before that point, which may also be a capability change (e.g. feature tags).',
  docs: {
    what: 'An IMS UE re-registers 600 s before the granted expiry (expiry > 1200 s), or when half of the granted time has passed.',
    why: 'Too late and a lost or challenged refresh cannot complete before the binding lapses; too early wastes signalling and radio resources.',
    get failing() {
      return flow(...imsRegistered(), 599520, imsRegister({ cseq: 3, step: 'protected', securityClient: imsSecurityClient(1), nc: 2 }));
    },
    get passing() {
      return flow(...imsRegistered(), 599400, imsRegister({ cseq: 3, step: 'protected', securityClient: imsSecurityClient(1), nc: 2 }));
    },
    fix: 'Start the refresh timer at (expiry − 600 s) of the granted expiry.',
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const l = ctx.lineage;
    if (ctx.time === undefined || l.grantTime === undefined || l.grantedExpiry === undefined || l.grantedExpiry <= 0) return;
    const g = l.grantedExpiry;
    const elapsed = ctx.time - l.grantTime;
    const due = g > 1200 ? g - 600 : g / 2;
    const lateAfter = g > 1200 ? due + 60 : due * 1.1;
    const when = g > 1200 ? '600 s before the expiry' : 'when half of it has elapsed';
    const rel = related(l.grant, `2xx granting ${g} s`);
    if (elapsed > lateAfter) {
      ctx.report(startLineSpan(ctx.sip), `refresh sent ${Math.round(elapsed)} s after the 2xx granting ${g} s; TS 24.229 §5.1.1.4.1 re-registers ${when} (at ${Math.round(due)} s)`, rel);
    } else if (elapsed < due * 0.9) {
      ctx.report(startLineSpan(ctx.sip), `refresh sent ${Math.round(elapsed)} s after the 2xx granting ${g} s, well before the due time (${Math.round(due)} s, ${when}); unless capabilities changed this is excess signalling`, { severity: 'info', related: rel });
    }
  },
});

export const imsReg014 = defineRule({
  id: 'IMS-REG-014',
  title: 'Full de-registration content',
  defaultSeverity: 'info',
  clause: 'OMA-TS-SIMPLE_IM §5.2.3 → 3GPP TS 24.229 §5.1.1.6 (text not retrieved: catalog §15 item 7)',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register'], phases: ['full-deregistration'], attempts: ['first'], description: 'Full de-registrations of a binding seen authenticating in the capture (IMS profile).' },
  decision: 'Our reading of TS 24.229 §5.1.1.6, unconfirmed (U): info only. The de-registration repeats the credentials of the last successful authentication (realm, nonce). The zero expiry is OMA-IM-REG-019, the registrar identity RFC3261-REG-023, the security agreement IMS-REG-010 / IMS-REG-008.',
  docs: {
    what: 'An IMS full de-registration carries the Authorization of the last successful authentication (same realm and nonce), like a re-registration.',
    why: 'The S-CSCF accepts a de-registration over the SA with the current credentials; without them it may challenge again, and a UE that is shutting down does not answer.',
    get failing() {
      return flow(...imsRegistered(), imsRegister({ cseq: 3, step: 'protected', securityClient: imsSecurityClient(1), expires: '0', authorization: null }));
    },
    get passing() {
      return flow(...imsRegistered(), imsRegister({ cseq: 3, step: 'protected', securityClient: imsSecurityClient(1), expires: '0', nc: 2 }));
    },
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const last = ctx.lineage.lastAuth;
    if (!last) return;
    const rel = related(last.ref, 'last accepted REGISTER with credentials');
    const a = ctx.req.authorization;
    if (!a) {
      ctx.report(startLineSpan(ctx.sip), 'the de-registration has no Authorization; it is expected to repeat the credentials of the last successful authentication (our reading of TS 24.229 §5.1.1.6)', rel);
      return;
    }
    for (const [k, want] of [['realm', last.realm], ['nonce', last.nonce]] as const) {
      const got = a.values.get(k);
      if (want !== undefined && got !== want) ctx.report(got === undefined ? a.header.valueSpan : credSpan(a, k), `${k} ${got === undefined ? 'is missing' : `"${got}"`}; expected the ${k} of the last successful authentication "${want}"`, rel);
    }
  },
});

export const imsReg015 = defineRule({
  id: 'IMS-REG-015',
  title: '`integrity-protected` in a UE request',
  defaultSeverity: 'info',
  clause: 'TS 24.229 (P-CSCF procedures; clause unconfirmed: catalog §15 item 8); observed in Kamailio ims_ipsec and Clearwater',
  basis: 'DECISION',
  profile: 'ims',
  appliesTo: { events: ['register'], description: 'Every REGISTER captured before any proxy (catalog 2.5), IMS profile.' },
  decision: 'Catalog 11.13: the P-CSCF inserts `integrity-protected` towards the S-CSCF; a UE that sends it is noted (info), never an error. Alone it does not make a REGISTER "downstream" (catalog 2.5).',
  docs: {
    what: 'Notes an Authorization `integrity-protected` parameter in a REGISTER sent by the UE itself.',
    why: 'The parameter tells the S-CSCF whether the P-CSCF received the request over the SA; the P-CSCF overwrites or removes the UE\'s value, so sending it achieves nothing.',
    get failing() {
      return imsRegister({ authorization: `${imsEmptyCredentials()}, integrity-protected="no"` });
    },
    get passing() {
      return imsRegister();
    },
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register' || ctx.observedDownstream) return;
    const a = ctx.req.authorization;
    const p = a && credParam(a, 'integrity-protected');
    if (p) ctx.report(p.span, 'the UE sends integrity-protected; the P-CSCF sets this parameter towards the S-CSCF and overrides it');
  },
});

export const imsReg016 = defineRule({
  id: 'IMS-REG-016',
  title: '2xx bookkeeping: P-Associated-URI, barred identity',
  defaultSeverity: 'warning',
  clause: '3GPP TS 24.229 §5.1.1.2.1 (P-Associated-URI; default and barred identities)',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register-response'], description: '2xx responses to initial REGISTERs with a P-Associated-URI header (IMS profile).' },
  decision: 'Only a P-Associated-URI that is present and does not list the registered identity is reported (no header: nothing to conclude). The finding is about the network answer and what the client must do next.',
  docs: {
    what: 'The 2xx to the initial registration lists the registered identity (To) in P-Associated-URI; when it does not, that identity is barred.',
    why: 'A barred identity cannot be used for IM requests or for the IM service settings PUBLISH: the client must use the default identity (the first P-Associated-URI entry) instead.',
    get failing() {
      return flow(imsRegister(), imsOk(imsRegister(), { pAssociatedUri: '<sip:+15551230001@ims.example.net;user=phone>, <tel:+15551230001>' }));
    },
    get passing() {
      return flow(imsRegister(), imsOk(imsRegister()));
    },
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission || !ctx.exchange) return;
    if (ctx.res.status < 200 || ctx.res.status >= 300 || ctx.exchange.phase !== 'initial') return;
    const rows = headersOf(ctx.sip, 'p-associated-uri');
    if (rows.length === 0) return;
    const ids: string[] = [];
    for (const h of rows) for (const v of parseNameAddrList(ctx.sip, h).values) if (v.uri) ids.push(normalizeAor(v.uri));
    if (ids.includes(ctx.exchange.aor)) return;
    const first = ctx.res.pAssociatedUri[0];
    ctx.report(rows[0].valueSpan, `the registered identity ${ctx.exchange.aor} is not listed in P-Associated-URI: it is barred; the client must use the default identity${first ? ` ${first}` : ''} for IM requests and the settings PUBLISH (TS 24.229 §5.1.1.2.1)`, [
      { messageIndex: ctx.exchange.requestIndex, span: ctx.exchange.startLine.span, message: 'initial REGISTER' },
    ]);
  },
});

interface RegEventPending {
  ref: { index: number; span: Span };
  exchange: Exchange;
  continued: boolean;
}

function firstToken(h: SipHeader | undefined): string | undefined {
  return h?.value.split(';')[0].trim().toLowerCase();
}

export const imsReg017 = defineRule({
  id: 'IMS-REG-017',
  title: 'reg-event subscription after initial registration',
  defaultSeverity: 'info',
  clause: '3GPP TS 24.229 §5.1.1.3; IPv6PC S.TS24229-5.1-123..-127',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register-response', 'register', 'publish', 'request', 'end'], description: 'The client\'s requests after the 2xx to an initial REGISTER (IMS profile).' },
  decision: 'Not part of the OMA IM requirement, reported to complete the picture: info. The missing subscription is reported at the end of the capture, and only when the client did something else after the 2xx (so a capture that stops at the 2xx says nothing). A SUBSCRIBE to `reg` is checked for its Request-URI / To (the registered identity) and Expires (600000).',
  docs: {
    what: 'After its initial registration the UE subscribes to the `reg` event package for the registered identity (Request-URI, From and To = that identity, Expires 600000).',
    why: 'The reg-event subscription is how the UE learns about network-initiated de-registration and re-authentication; without it the UE keeps using a registration the network has dropped.',
    get failing() {
      return flow(...imsRegistration(), ...imsSettingsPublish());
    },
    get passing() {
      return flow(...imsRegistration(), ...imsSettingsPublish(), imsRegSubscribe());
    },
    fix: 'Send `SUBSCRIBE <public identity>` with `Event: reg` and `Expires: 600000` after the 2xx.',
    settings: IMS_SETTINGS,
  },
  check(ctx: RuleContext) {
    const store = ctx.store as Map<string, RegEventPending>;
    switch (ctx.event) {
      case 'register-response': {
        if (ctx.retransmission || !ctx.exchange || ctx.res.status < 200 || ctx.res.status >= 300) return;
        if (ctx.exchange.phase !== 'initial' || ctx.exchange.uncertain) return;
        if (!ctx.req?.contacts.some((c) => !c.star && c.effExpiry !== 0)) return;
        store.set(ctx.exchange.aor, { ref: { index: ctx.msg.index, span: ctx.res.startLineSpan }, exchange: ctx.exchange, continued: false });
        return;
      }
      case 'register': {
        const p = store.get(ctx.exchange.aor);
        if (p && p.exchange !== ctx.exchange) p.continued = true;
        return;
      }
      case 'publish': {
        const p = ctx.aor && store.get(ctx.aor.aor);
        if (p) p.continued = true;
        return;
      }
      case 'request': {
        const key = ctx.aor?.aor;
        const p = key !== undefined ? store.get(key) : undefined;
        if (!p) return;
        if (ctx.method !== 'SUBSCRIBE' || firstToken(firstHeader(ctx.sip, 'event')) !== 'reg') {
          p.continued = true;
          return;
        }
        store.delete(key as string);
        const sl = ctx.sip.startLine;
        const rel = [{ messageIndex: p.ref.index, span: p.ref.span, message: '2xx to the initial REGISTER' }];
        if (sl?.kind === 'request' && sl.uri && normalizeAor(sl.uri) !== p.exchange.aor && !ctx.aor?.identities.has(normalizeAor(sl.uri))) {
          ctx.report(sl.uriSpan, `the reg-event SUBSCRIBE targets ${sl.uri.text}, not the registered identity ${p.exchange.aor} (TS 24.229 §5.1.1.3)`, rel);
        }
        const exp = firstHeader(ctx.sip, 'expires');
        if (!exp) ctx.report(startLineSpan(ctx.sip), `the reg-event SUBSCRIBE has no Expires; TS 24.229 §5.1.1.3 asks for ${IMS_EXPIRES}`, rel);
        else if (exp.value.trim() !== String(IMS_EXPIRES)) ctx.report(exp.valueSpan, `the reg-event SUBSCRIBE asks for Expires ${exp.value.trim()}; TS 24.229 §5.1.1.3 asks for ${IMS_EXPIRES}`, rel);
        return;
      }
      case 'end': {
        for (const p of store.values()) {
          if (!p.continued) continue;
          ctx.report(p.ref.span, `no SUBSCRIBE to the reg event package followed this initial registration of ${p.exchange.aor} (TS 24.229 §5.1.1.3): the client will not learn about network-initiated de-registration`, {
            messageIndex: p.ref.index,
            exchange: p.exchange,
          });
        }
        store.clear();
        return;
      }
      default:
    }
  },
});

const PROTECTED_TRANSPORTS = new Set(['TLS', 'WSS']);

export const imsReg018 = defineRule({
  id: 'IMS-REG-018',
  title: 'P-Access-Network-Info',
  defaultSeverity: 'info',
  clause: '3GPP TS 24.229 §5.1.1.2.1 h, §5.1.1.4.1 h',
  basis: 'SHALL',
  profile: 'ims',
  appliesTo: { events: ['register'], description: 'Protected REGISTERs (carrying Security-Verify, or over TLS), IMS profile.' },
  decision: 'Conditional on the access technology making the information available, which the capture cannot show: info.',
  docs: {
    what: 'A REGISTER sent over an SA (or TLS) carries P-Access-Network-Info with the access type and cell.',
    why: 'The network uses the access information for charging, lawful interception and emergency routing; the P-CSCF only trusts it when it arrives over the SA.',
    get failing() {
      return flow(...imsRegistration({ resend: { pani: null } }).slice(0, 3));
    },
    get passing() {
      return flow(...imsRegistration().slice(0, 3));
    },
    fix: `\`P-Access-Network-Info: ${IMS_EX.pani}\``,
    settings: IMS_SETTINGS,
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const isProtected = !!firstHeader(ctx.sip, 'security-verify') || PROTECTED_TRANSPORTS.has(ctx.msg.transport);
    if (!isProtected || firstHeader(ctx.sip, 'p-access-network-info')) return;
    ctx.report(startLineSpan(ctx.sip), 'protected REGISTER without P-Access-Network-Info: TS 24.229 §5.1.1.2.1 h includes it when the access network makes it available');
  },
});

