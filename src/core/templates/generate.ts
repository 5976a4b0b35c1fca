/**
 * The REGISTER / PUBLISH template generator (rule catalog §12 examples, §13 generation notes).
 *
 * Messages are written with the SIP writer (../sip/writer.ts), which formats every header by the
 * grammar table the parser validates with: what the generator writes is what the checker reads
 * (sdp-transform's one-grammar shape). Nothing here writes SIP text by hand.
 *
 * Each template is built twice from the same resolved fields: once for display, with «name»
 * placeholders where the user must supply a value (an unknown nonce, a password, the unconfirmed
 * settings package of catalog 11.1), and once for the checker, with a syntactically valid stand-in
 * in each placeholder, so the check (./check.ts) judges the structure the user will complete.
 */
import { formatMessage, type HeaderInput, type NameAddrInput, type ParamInput, type UriInput } from '../sip/writer';
import { parseUri } from '../sip/values';
import { isIPv6 } from '../sip/uri';
import { IM_TAGS } from '../register/facts';
import { digestResponse, formatNonceCount, hexOctets } from './digest';
import {
  DEFAULT_OPTIONS,
  type GeneratedTemplate,
  type DigestState,
  type Placeholder,
  type TemplateFields,
  type TemplateKind,
  type TemplateOptions,
  type TemplateProfile,
} from './model';

/** A source of numbers in [0, 1): Math.random by default, a seeded one in tests. */
export type Rng = () => number;

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const HEX = '0123456789abcdef';

export function randomString(rng: Rng, length: number, alphabet: string = ALNUM): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rng() * alphabet.length) % alphabet.length];
  return s;
}

/** A version-4 UUID (RFC 9562 §5.4) from `rng`. */
export function randomUuid(rng: Rng): string {
  const h = randomString(rng, 32, HEX).split('');
  h[12] = '4';
  h[16] = HEX[(parseInt(h[16], 16) & 0x3) | 0x8];
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** A small deterministic generator (mulberry32) for tests and reproducible previews. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Security-Client of catalog 12.8 (TS 33.203 ipsec-3gpp). */
export const DEFAULT_SECURITY_CLIENT = 'ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=101;spi-s=102;port-c=5062;port-s=5064';

/**
 * A blank form: the catalog §12 example identities (documentation addresses, RFC 5737 / RFC 2606)
 * with fresh Call-IDs, tags and instance id. Catalog 11.11 for the expiry.
 */
export function blankFields(profile: TemplateProfile = 'generic', opts: { imRelease?: string; rng?: Rng; eventPackage?: string; contentType?: string } = {}): TemplateFields {
  const rng = opts.rng ?? Math.random;
  const host = '192.0.2.10';
  const ims = profile === 'ims';
  return {
    aor: 'sip:alice@ims.example.net',
    registrar: 'sip:ims.example.net',
    contactHost: host,
    contactPort: 5060,
    instanceId: `urn:uuid:${randomUuid(rng)}`,
    regId: 1,
    callId: `${randomString(rng, 16, HEX)}@${host}`,
    fromTag: randomString(rng, 8, HEX),
    vendorProduct: 'ExampleIM/2.3.1',
    imRelease: opts.imRelease ?? 'OMA1.0',
    expires: ims ? 600000 : 3600,
    securityClient: DEFAULT_SECURITY_CLIENT,
    outboundProxy: ims ? 'sip:pcscf.ims.example.net;lr' : undefined,
    serviceRoute: ims ? ['sip:orig@scscf.ims.example.net;lr'] : [],
    publishCallId: `${randomString(rng, 16, HEX)}@${host}`,
    publishFromTag: randomString(rng, 8, HEX),
    eventPackage: opts.eventPackage,
    contentType: opts.contentType,
    publishExpires: 3600,
  };
}

/** The kinds that make sense with these options (no credentials resend without authentication). */
export function availableKinds(options: Pick<TemplateOptions, 'auth'>): TemplateKind[] {
  const all: TemplateKind[] = ['initial', 'credentials', 'publish', 'refresh', 'im-deregistration', 'full-deregistration'];
  return options.auth === 'none' ? all.filter((k) => k !== 'credentials') : all;
}

/** Whether requests of this kind carry Digest credentials with these options. */
function authenticated(kind: TemplateKind, o: TemplateOptions): boolean {
  if (kind === 'publish' || kind === 'initial') return false;
  return kind === 'credentials' || o.auth !== 'none';
}

/** CSeq of each REGISTER in the life cycle: initial 1, [credentials 2], refresh, IM de-registration, full de-registration. */
export function lifeCycleCSeq(kind: TemplateKind, o: Pick<TemplateOptions, 'auth'>): number {
  const auth = o.auth !== 'none' ? 1 : 0;
  switch (kind) {
    case 'initial':
    case 'publish':
      return 1;
    case 'credentials':
      return 2;
    case 'refresh':
      return 2 + auth;
    case 'im-deregistration':
      return 3 + auth;
    case 'full-deregistration':
      return 4 + auth;
  }
}

/** Nonce count of each authenticated REGISTER in the life cycle (the nonce of one challenge reused). */
function lifeCycleNonceCount(kind: TemplateKind): number {
  switch (kind) {
    case 'refresh':
      return 2;
    case 'im-deregistration':
      return 3;
    case 'full-deregistration':
      return 4;
    default:
      return 1;
  }
}

/**
 * Smallest CSeq a template of this kind may have so that the history the checker is fed
 * (./check.ts: the first REGISTER, the challenge, the credentials, the 2xx) fits at CSeq >= 1.
 */
export function minimumCSeq(kind: TemplateKind, o: Pick<TemplateOptions, 'auth'>): number {
  if (kind === 'initial' || kind === 'publish') return 1;
  if (kind === 'credentials') return 2;
  return o.auth !== 'none' ? 3 : 2;
}

function domainOf(uri: string): string {
  const t = uri.trim();
  const u = parseUri(t, { start: 0, end: t.length });
  return u.host ?? t.replace(/^sips?:/i, '').replace(/^[^@]*@/, '').replace(/[;:?].*$/, '');
}

function userOf(uri: string): string | undefined {
  const t = uri.trim();
  return parseUri(t, { start: 0, end: t.length }).user;
}

/** Host for a URI or Via: IPv6 references get their brackets (RFC 3261 §19.1.1, RFC 5118). */
export function uriHost(host: string): string {
  const h = host.trim();
  return isIPv6(h) ? `[${h}]` : h;
}

/** A Security-Client / Security-Server parameter value (`port-s`, `spi-c`, ...). */
function secParam(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  const m = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*([^;,\\s]+)`, 'i').exec(value);
  return m?.[1];
}

/**
 * The Security-Client of the next registration: spi-c and spi-s + 2, port-c + 8 (new SAs), port-s
 * kept (TS 24.229 §5.1.1.4.1; the numbering of the rule examples). Other mechanisms unchanged.
 */
export function nextSecurityClient(value: string): string {
  return value.replace(/(^|;)(\s*)(spi-c|spi-s|port-c)(\s*=\s*)(\d+)/gi, (_m, sep: string, ws: string, name: string, eq: string, n: string) => {
    const step = name.toLowerCase() === 'port-c' ? 8 : 2;
    const max = name.toLowerCase() === 'port-c' ? 65535 : 4294967295;
    const next = Number(n) + step > max ? Number(n) - step : Number(n) + step;
    return `${sep}${ws}${name}${eq}${next}`;
  });
}

/** The options after their dependencies: outbound and GRUU need an instance id (RFC 5626 §4.2, RFC 5627 §3.2). */
function effectiveOptions(options: Partial<TemplateOptions>, f: TemplateFields): { o: TemplateOptions; notes: string[] } {
  const o: TemplateOptions = { ...DEFAULT_OPTIONS, ...options };
  const notes: string[] = [];
  if (!f.instanceId?.trim()) {
    if (o.outbound) notes.push('outbound (reg-id) needs +sip.instance: left out (RFC 5626 §4.2)');
    if (o.gruu) notes.push('gruu needs +sip.instance: Supported: gruu left out (RFC 5627 §3.2)');
    o.outbound = false;
    o.gruu = false;
  }
  return { o, notes };
}

/** Collects placeholders while building the display text; returns stand-ins while building the check text. */
class Values {
  readonly placeholders: Placeholder[] = [];
  constructor(private readonly display: boolean) {}

  value(p: Placeholder, given: string | undefined, standIn: string): string {
    if (given !== undefined && given.trim() !== '') return given;
    if (!this.display) return standIn;
    if (!this.placeholders.some((x) => x.name === p.name)) this.placeholders.push(p);
    return `«${p.name}»`;
  }
}

const PH = {
  nonce: { name: 'nonce', where: 'Authorization', description: 'nonce of the 401/407 challenge (open the template on a trace to take it from there)', blocking: false },
  response: { name: 'response', where: 'Authorization', description: 'Digest response: type the password (or the AKA RES in hex) to compute it here', blocking: false },
  securityServer: { name: 'security-server', where: 'Security-Verify', description: 'Security-Server of the 401 (RFC 3329 §2.3.1: echoed in Security-Verify)', blocking: false },
  event: { name: 'im-settings-event-package', where: 'Event', description: 'Event package of the IM service settings (OMA-TS-SIMPLE_IM §5.2.4; catalog 11.1: not confirmed)', blocking: true },
  contentType: { name: 'im-settings-mime-type', where: 'Content-Type', description: 'MIME type of the IM service settings document (catalog 11.1: not confirmed)', blocking: true },
  body: { name: 'im-service-settings-document', where: 'body', description: 'IM service settings document; root element and schema per OMA-TS-SIMPLE_IM §5.2.4 (unconfirmed; one implementation uses namespace urn:oma:xml:im:service-settings)', blocking: true },
} satisfies Record<string, Placeholder>;

/** Stand-ins the checker reads in place of placeholders: valid syntax, nothing that looks real. */
export const STAND_INS = {
  nonce: '5c1e9b3f0a7d42e18c6b',
  securityServer: 'ipsec-3gpp;q=0.1;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=201;spi-s=202;port-c=5066;port-s=5068',
  event: 'x-im-settings',
  contentType: 'application/x-im-settings+xml',
  body: '<?xml version="1.0" encoding="UTF-8"?>\r\n<service-settings xmlns="urn:oma:xml:im:service-settings"/>\r\n',
};

interface Built {
  message: Parameters<typeof formatMessage>[0];
  digest: DigestState;
  notes: string[];
}

/** Resolves the per-request values (CSeq, branch, nonce count, cnonce) once, for both builds. */
function resolveFields(kind: TemplateKind, fields: TemplateFields, o: TemplateOptions, rng: Rng, notes: string[], clamp: boolean): TemplateFields {
  const f: TemplateFields = { ...fields, serviceRoute: [...(fields.serviceRoute ?? [])] };
  if (kind === 'publish') {
    f.publishCSeq = Math.max(1, Math.floor(f.publishCSeq ?? 1));
  } else {
    const min = clamp ? minimumCSeq(kind, o) : 1;
    const want = f.cseq ?? lifeCycleCSeq(kind, o);
    if (want < min) notes.push(`CSeq raised from ${want} to ${min}: the earlier requests of the flow need the numbers below it`);
    f.cseq = Math.max(min, Math.floor(want));
  }
  f.branch = f.branch?.trim() ? f.branch.trim() : `z9hG4bK${randomString(rng, 10)}`;
  f.nonceCount = Math.max(1, Math.floor(f.nonceCount ?? lifeCycleNonceCount(kind)));
  f.cnonce = f.cnonce?.trim() ? f.cnonce.trim() : randomString(rng, 16, HEX);
  return f;
}

/**
 * The challenge the credentials answer: the one taken from the trace, else what a registrar of
 * this profile would send (realm = the registrar domain, MD5 or AKAv1-MD5, qop=auth) with the
 * nonce still unknown (`nonce` undefined: a placeholder in the text, a stand-in for the checker).
 */
export function effectiveChallenge(f: TemplateFields, o: Pick<TemplateOptions, 'auth'>): { realm: string; nonce?: string; algorithm?: string; qop?: string; opaque?: string } {
  const ch = f.challenge;
  if (ch) return { realm: ch.realm, nonce: ch.nonce, algorithm: ch.algorithm, qop: ch.qop, opaque: ch.opaque };
  return { realm: domainOf(f.registrar) || domainOf(f.aor), algorithm: o.auth === 'ims-aka' ? 'AKAv1-MD5' : 'MD5', qop: 'auth' };
}

function chooseQop(offered: string | undefined): 'auth' | 'auth-int' | undefined {
  if (!offered) return undefined;
  const list = offered.split(',').map((s) => s.trim().toLowerCase());
  if (list.includes('auth')) return 'auth';
  if (list.includes('auth-int')) return 'auth-int';
  return undefined;
}

/** Digest username: as given, else the private identity user@domain (IMS, TS 23.003 §13.3) or the AOR user. */
export function digestUsername(f: TemplateFields, o: Pick<TemplateOptions, 'auth' | 'profile'>): string {
  const given = f.username?.trim();
  if (given) return given;
  const user = userOf(f.aor) ?? 'user';
  return o.profile === 'ims' || o.auth === 'ims-aka' ? `${user}@${domainOf(f.aor)}` : user;
}

/** Authorization / Proxy-Authorization answering the challenge (RFC 3261 §22.4, RFC 7616 §3.4, RFC 3310). */
function credentials(kind: TemplateKind, f: TemplateFields, o: TemplateOptions, v: Values, display: boolean): { header: HeaderInput; digest: DigestState; notes: string[] } {
  const notes: string[] = [];
  const aka = o.auth === 'ims-aka';
  const username = digestUsername(f, o);
  const ch = effectiveChallenge(f, o);
  const realm = ch.realm;
  const nonceGiven = f.challenge?.nonce;
  const nonce = v.value(PH.nonce, nonceGiven, STAND_INS.nonce);
  const algorithm = ch.algorithm;
  const qop = chooseQop(ch.qop);
  const nc = formatNonceCount(f.nonceCount ?? 1);
  const cnonce = f.cnonce ?? '';
  const uri = f.registrar.trim();
  const method = kind === 'publish' ? 'PUBLISH' : 'REGISTER';

  let response: string | undefined;
  let digest: DigestState = 'placeholder';
  const password = f.password ?? '';
  if (password !== '' && nonceGiven !== undefined) {
    const secret = aka || (algorithm ?? '').toUpperCase().startsWith('AKA') ? hexOctets(password) : password;
    if (secret === undefined) {
      notes.push('the AKA RES must be given in hex: response left as a placeholder');
    } else {
      const r = digestResponse({ algorithm, username, realm, password: secret, method, uri, nonce: nonceGiven, qop, nc: qop ? nc : undefined, cnonce: qop ? cnonce : undefined, body: '' });
      if (r.ok) {
        response = r.response;
        digest = 'computed';
        notes.push(`Digest response computed locally with ${algorithm ?? 'MD5'}${qop ? `, qop=${qop}, nc=${nc}` : ' (no qop)'}`);
      } else {
        notes.push(`Digest response not computed: ${r.reason}`);
      }
    }
  } else if (password !== '' && nonceGiven === undefined) {
    notes.push('no challenge known: the response needs the nonce of the 401/407');
  }
  // The stand-in has the length of the algorithm's hash, like a real response.
  const standIn = (algorithm ?? '').toUpperCase().startsWith('SHA-256') ? '0'.repeat(64) : '0'.repeat(32);
  const responseText = response ?? v.value(PH.response, undefined, standIn);
  if (display && response === undefined && digest === 'placeholder' && !notes.some((n) => n.includes('response'))) {
    notes.push('Digest response left as a placeholder: enter the password to compute it');
  }
  const params: ParamInput[] = [
    { name: 'username', value: username, quote: true },
    { name: 'realm', value: realm, quote: true },
    { name: 'nonce', value: nonce, quote: true },
    { name: 'uri', value: uri, quote: true },
    { name: 'response', value: responseText, quote: true },
  ];
  if (algorithm) params.push({ name: 'algorithm', value: algorithm, quote: false });
  if (qop) params.push({ name: 'qop', value: qop, quote: false }, { name: 'nc', value: nc, quote: false }, { name: 'cnonce', value: cnonce, quote: true });
  if (ch.opaque !== undefined) params.push({ name: 'opaque', value: ch.opaque, quote: true });
  const name = o.proxyChallenge ? 'Proxy-Authorization' : 'Authorization';
  return { header: [name, { scheme: 'Digest', params }], digest, notes };
}

/** IMS initial REGISTER: Authorization with the private identity and empty nonce/response (TS 24.229 §5.1.1.2.1, IMS-REG-007). */
function emptyCredentials(f: TemplateFields, o: TemplateOptions): HeaderInput {
  const domain = domainOf(f.registrar) || domainOf(f.aor);
  const username = digestUsername(f, o);
  return [
    'Authorization',
    {
      scheme: 'Digest',
      params: [
        { name: 'username', value: username, quote: true },
        { name: 'realm', value: domain, quote: true },
        { name: 'uri', value: f.registrar.trim(), quote: true },
        { name: 'nonce', value: '', quote: true },
        { name: 'response', value: '', quote: true },
      ],
    },
  ];
}

function transportParam(o: TemplateOptions): ParamInput[] {
  return o.transport === 'UDP' ? [] : [{ name: 'transport', value: o.transport.toLowerCase() }];
}

function defaultPort(o: TemplateOptions): number {
  return o.transport === 'TLS' ? 5061 : 5060;
}

/** sec-agree is used with IMS AKA (TS 33.203 §7, RFC 3329). */
function secAgree(o: TemplateOptions): boolean {
  return o.auth === 'ims-aka';
}

/**
 * The client's port for this request: with sec-agree, requests after the challenge go over the
 * protected association and carry the protected server port port-s in Via and Contact
 * (TS 24.229 §5.1.1.2.1 / catalog 12.8 note).
 */
export function clientPort(kind: TemplateKind, f: TemplateFields, o: TemplateOptions): number {
  const base = f.contactPort ?? defaultPort(o);
  if (!secAgree(o) || kind === 'initial') return base;
  const ps = Number(secParam(f.securityClient, 'port-s'));
  return Number.isInteger(ps) && ps > 0 && ps < 65536 ? ps : base;
}

function viaHeader(kind: TemplateKind, f: TemplateFields, o: TemplateOptions): HeaderInput {
  return [
    'Via',
    {
      transport: o.transport,
      host: uriHost(f.contactHost),
      port: clientPort(kind, f, o),
      params: [{ name: 'branch', value: f.branch ?? '' }, { name: 'rport' }],
    },
  ];
}

function userAgent(f: TemplateFields): HeaderInput {
  // Catalog §13 / 11.2: the IM release product first, then the vendor's products.
  const products: (string | { product: string; version?: string })[] = [{ product: 'IM-client', version: f.imRelease.trim() || 'OMA1.0' }];
  if (f.vendorProduct.trim()) products.push(f.vendorProduct.trim());
  return ['User-Agent', products];
}

function aorUri(f: TemplateFields): string {
  return f.aor.trim();
}

function registerMessage(kind: TemplateKind, f: TemplateFields, o: TemplateOptions, v: Values, display: boolean): Built {
  const notes: string[] = [];
  const headers: HeaderInput[] = [];
  const aor = aorUri(f);
  const registering = kind === 'initial' || kind === 'credentials' || kind === 'refresh';
  const full = kind === 'full-deregistration';
  headers.push(viaHeader(kind, f, o));
  headers.push(['Max-Forwards', 70]);
  headers.push(['From', { uri: aor, params: [{ name: 'tag', value: f.fromTag }] }]);
  headers.push(['To', { uri: aor }]);
  headers.push(['Call-ID', f.callId.trim()]);
  headers.push(['CSeq', { num: f.cseq ?? 1, method: 'REGISTER' }]);

  if (full && o.wildcard) {
    // RFC 3261 §10.2.2: `*` only with Expires: 0 and no other Contact (RFC3261-REG-013/014).
    headers.push(['Contact', { star: true }]);
  } else {
    const uri: UriInput = {
      scheme: 'sip',
      user: f.contactUser?.trim() || userOf(aor),
      host: uriHost(f.contactHost),
      port: clientPort(kind, f, o),
      params: transportParam(o),
    };
    const params: ParamInput[] = [];
    // Catalog §13: the three IM tags as bare header parameters in fixed order (OMA-IM-REG-001..006);
    // IM_DEREG drops exactly these (OMA-IM-REG-016/017); full de-registration carries none (decision 11.5).
    if (registering) for (const t of IM_TAGS) params.push({ name: t });
    if (f.instanceId?.trim()) params.push({ name: '+sip.instance', value: `<${f.instanceId.trim()}>`, quote: true });
    if (o.outbound) params.push({ name: 'reg-id', value: Math.max(1, Math.floor(f.regId || 1)) });
    const contact: NameAddrInput = { uri, params };
    headers.push(['Contact', contact]);
  }
  headers.push(['Expires', full ? 0 : Math.max(0, Math.floor(f.expires))]);

  const require: string[] = [];
  if (!full) require.push('pref'); // OMA-IM-REG-008; kept on IM_DEREG (decision 11.5)
  if (secAgree(o)) require.push('sec-agree'); // RFC 3329 §2.3.1
  if (require.length) headers.push(['Require', require]);
  if (secAgree(o)) headers.push(['Proxy-Require', ['sec-agree']]);
  if (!full) {
    const supported = ['path'];
    if (o.gruu) supported.push('gruu');
    if (o.outbound) supported.push('outbound'); // RFC 5626 §4.2: reg-id needs Supported: outbound (OUTBOUND-003)
    headers.push(['Supported', supported]);
  } else if (o.outbound && !o.wildcard) {
    // The flow's binding is removed by instance + reg-id, which needs the option too (RFC 5626 §4.2).
    headers.push(['Supported', ['outbound']]);
  }

  let digest: DigestState = 'none';
  if (kind === 'initial' && o.auth === 'ims-aka') {
    headers.push(emptyCredentials(f, o));
    digest = 'empty';
  } else if (authenticated(kind, o)) {
    const c = credentials(kind, f, o, v, display);
    headers.push(c.header);
    digest = c.digest;
    notes.push(...c.notes);
  }
  if (secAgree(o)) {
    const offered = f.securityClient?.trim() || DEFAULT_SECURITY_CLIENT;
    // TS 24.229 §5.1.1.4.1: a re-registration offers new spi-c, spi-s and port-c, same port-s;
    // the resend after the 401 repeats the initial Security-Client unchanged (catalog 12.8).
    const reRegistration = kind === 'refresh' || kind === 'im-deregistration' || kind === 'full-deregistration';
    headers.push(['Security-Client', reRegistration ? nextSecurityClient(offered) : offered]);
    if (kind !== 'initial') headers.push(['Security-Verify', v.value(PH.securityServer, f.securityServer, STAND_INS.securityServer)]);
  }
  headers.push(userAgent(f));
  return { message: { startLine: { method: 'REGISTER', uri: f.registrar.trim() }, headers }, digest, notes };
}

/** The IM service settings PUBLISH of catalog 12.9 (RFC 3903 §4.1 initial publication). */
function publishMessage(f: TemplateFields, o: TemplateOptions, v: Values): Built {
  const headers: HeaderInput[] = [];
  const aor = aorUri(f);
  headers.push(viaHeader('publish', f, o));
  headers.push(['Max-Forwards', 70]);
  // Route: outbound proxy / P-CSCF, then the stored Service-Route (RFC 3608 §6, SR-001, OMA-IM-PUB-005).
  const route = [f.outboundProxy?.trim(), ...f.serviceRoute.map((s) => s.trim())].filter((s): s is string => !!s);
  if (route.length) headers.push(['Route', route.map((u) => ({ uri: u }))]);
  headers.push(['From', { uri: aor, params: [{ name: 'tag', value: f.publishFromTag }] }]);
  headers.push(['To', { uri: aor }]);
  headers.push(['Call-ID', f.publishCallId.trim()]);
  headers.push(['CSeq', { num: f.publishCSeq ?? 1, method: 'PUBLISH' }]);
  headers.push(['Event', v.value(PH.event, f.eventPackage, STAND_INS.event)]);
  headers.push(['Expires', Math.max(0, Math.floor(f.publishExpires))]);
  headers.push(['Content-Type', v.value(PH.contentType, f.contentType, STAND_INS.contentType)]);
  if (secAgree(o)) {
    headers.push(['Require', ['sec-agree']]);
    headers.push(['Proxy-Require', ['sec-agree']]);
    headers.push(['Security-Verify', v.value(PH.securityServer, f.securityServer, STAND_INS.securityServer)]);
  }
  headers.push(userAgent(f));
  let body = v.value(PH.body, f.settingsBody, STAND_INS.body);
  if (!body.endsWith('\n')) body += '\r\n';
  body = body.replace(/\r?\n/g, '\r\n');
  return { message: { startLine: { method: 'PUBLISH', uri: aor }, headers, body }, digest: 'none', notes: [] };
}

function build(kind: TemplateKind, f: TemplateFields, o: TemplateOptions, display: boolean): Built & { placeholders: Placeholder[] } {
  const v = new Values(display);
  const b = kind === 'publish' ? publishMessage(f, o, v) : registerMessage(kind, f, o, v, display);
  return { ...b, placeholders: v.placeholders };
}

/**
 * One template. `fields` may come from blankFields() or a trace prefill (./prefill.ts); values not
 * given are chosen here (CSeq by the kind's place in the life cycle, a fresh branch and cnonce).
 */
export function generateTemplate(
  kind: TemplateKind,
  fields: TemplateFields,
  options: Partial<TemplateOptions> = {},
  rng: Rng = Math.random,
  opts: { clampCSeq?: boolean } = {},
): GeneratedTemplate {
  const { o, notes } = effectiveOptions(options, fields);
  if (kind === 'credentials' && o.auth === 'none') notes.push('credentials need a challenge: written as Digest');
  const f = resolveFields(kind, fields, o, rng, notes, opts.clampCSeq !== false);
  const shown = build(kind, f, o, true);
  const checked = build(kind, f, o, false);
  const placeholders = shown.placeholders;
  const ready = o.acceptPlaceholders || !placeholders.some((p) => p.blocking);
  if (!ready) notes.push('fill the «» placeholders (catalog 11.1) or accept them to use this template');
  return {
    kind,
    options: o,
    fields: f,
    text: formatMessage(shown.message),
    checkText: formatMessage(checked.message),
    message: shown.message,
    placeholders,
    ready,
    digest: shown.digest,
    notes: [...notes, ...shown.notes],
  };
}

/**
 * A flow of templates in the order given, as one client would send them: one Call-ID and From tag,
 * CSeq + 1 per REGISTER, a new branch per request, the nonce count + 1 per authenticated request
 * (catalog §13 "Flow generation"). The PUBLISH keeps its own Call-ID and CSeq.
 */
export function generateFlow(kinds: readonly TemplateKind[], fields: TemplateFields, options: Partial<TemplateOptions> = {}, rng: Rng = Math.random): GeneratedTemplate[] {
  const { o } = effectiveOptions(options, fields);
  const out: GeneratedTemplate[] = [];
  let cseq = fields.cseq ?? lifeCycleCSeq(kinds.find((k) => k !== 'publish') ?? 'initial', o);
  let nc = fields.nonceCount ?? 1;
  let publishCSeq = fields.publishCSeq ?? 1;
  for (const kind of kinds) {
    if (kind === 'publish') {
      out.push(generateTemplate(kind, { ...fields, publishCSeq: publishCSeq++, branch: undefined, cnonce: undefined }, o, rng));
      continue;
    }
    const auth = authenticated(kind, o);
    const t = generateTemplate(kind, { ...fields, cseq, nonceCount: nc, branch: undefined, cnonce: undefined }, o, rng, { clampCSeq: false });
    out.push(t);
    cseq = (t.fields.cseq ?? cseq) + 1;
    if (auth) nc++;
  }
  return out;
}

export { domainOf, userOf };
