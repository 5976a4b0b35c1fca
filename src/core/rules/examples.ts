/**
 * Builders for the SIP examples in rule documentation, and the parser of the example format.
 *
 * Rule docs carry a failing and a passing example (RuleDocs). Writing them with these builders
 * keeps them short and consistent: the defaults produce the compliant initial REGISTER of rule
 * catalog §12.1, and each example states only what differs. The generated text is what the docs
 * show and what the docs test feeds to the checker, so the documentation cannot drift from the
 * behaviour.
 *
 * Example format: messages separated by lines starting with `---`; `--- +40s` puts the next
 * message 40 seconds after the previous one (default 1 s).
 */

export const EX = {
  domain: 'ims.example.net',
  aor: 'sip:alice@ims.example.net',
  clientHost: '192.0.2.10',
  clientPort: 5060,
  contactUri: 'sip:alice@192.0.2.10:5060',
  callId: 'b84c3e0f7d2a4c6e@192.0.2.10',
  fromTag: '4fa3c1',
  imTags: '+g.oma.sip-im;+g.oma.sip-im.system-message;+g.oma.sip-im.large-message',
  ua: 'IM-client/OMA1.0 ExampleIM/2.3.1',
  nonce: '5c1e9b3f0a7d42e18c6b',
  realm: 'ims.example.net',
} as const;

/** The compliant Contact value of the examples (catalog §12.1 without +sip.instance). */
export const IM_CONTACT = `<${EX.contactUri}>;${EX.imTags}`;
export const PLAIN_CONTACT = `<${EX.contactUri}>`;

export interface RegisterExample {
  requestUri?: string;
  cseq?: number;
  branch?: string;
  callId?: string;
  /** Full Via value; default UDP from the client with the branch. */
  via?: string;
  from?: string;
  to?: string;
  maxForwards?: string | null;
  /** Contact value(s); null omits the header. */
  contact?: string | null;
  expires?: string | null;
  require?: string | null;
  supported?: string | null;
  userAgent?: string | null;
  /** `Authorization` value; `true` = a correct Digest answer to the example 401. */
  authorization?: string | true | null;
  /** Extra header lines, placed before Content-Length. */
  extra?: string[];
  /** Replace the whole Content-Length line ('' drops it). */
  contentLength?: string;
  body?: string;
}

/** A Digest answer to the example challenge (placeholder response value, catalog §12.3). */
export function digestAnswer(nc = 1): string {
  return `Digest username="alice", realm="${EX.realm}", nonce="${EX.nonce}", uri="sip:${EX.domain}", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=${String(nc).padStart(8, '0')}, cnonce="a1b2c3d4"`;
}

/** Bodies end with a line break in examples (see splitExample). */
function withEol(body: string): string {
  return body === '' || body.endsWith('\n') ? body : `${body}\n`;
}

function bodyLength(body: string): number {
  return body.replace(/\r?\n/g, '\r\n').length;
}

export function register(o: RegisterExample = {}): string {
  const cseq = o.cseq ?? 1;
  const branch = o.branch ?? `z9hG4bKreg${cseq}a`;
  const lines = [
    `REGISTER ${o.requestUri ?? `sip:${EX.domain}`} SIP/2.0`,
    `Via: ${o.via ?? `SIP/2.0/UDP ${EX.clientHost}:${EX.clientPort};branch=${branch};rport`}`,
  ];
  if (o.maxForwards !== null) lines.push(`Max-Forwards: ${o.maxForwards ?? '70'}`);
  lines.push(`From: ${o.from ?? `<${EX.aor}>;tag=${EX.fromTag}`}`);
  lines.push(`To: ${o.to ?? `<${EX.aor}>`}`);
  lines.push(`Call-ID: ${o.callId ?? EX.callId}`);
  lines.push(`CSeq: ${cseq} REGISTER`);
  if (o.contact !== null) lines.push(`Contact: ${o.contact ?? IM_CONTACT}`);
  if (o.expires !== null) lines.push(`Expires: ${o.expires ?? '3600'}`);
  if (o.require !== null) lines.push(`Require: ${o.require ?? 'pref'}`);
  if (o.supported !== null) lines.push(`Supported: ${o.supported ?? 'path'}`);
  if (o.authorization) lines.push(`Authorization: ${o.authorization === true ? digestAnswer(cseq) : o.authorization}`);
  if (o.userAgent !== null) lines.push(`User-Agent: ${o.userAgent ?? EX.ua}`);
  lines.push(...(o.extra ?? []));
  const body = withEol(o.body ?? '');
  if (o.contentLength !== '') lines.push(o.contentLength ?? `Content-Length: ${bodyLength(body)}`);
  return `${lines.join('\n')}\n\n${body}`;
}

export interface ReplyExample {
  /** Header lines added after CSeq. */
  extra?: string[];
  /** Contact line(s) of a 2xx: default echoes the request's registering contacts with ;expires. */
  contact?: string[] | null;
  toTag?: string | null;
  reason?: string;
}

const REASONS: Record<number, string> = {
  100: 'Trying', 200: 'OK', 202: 'Accepted', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 407: 'Proxy Authentication Required',
  412: 'Conditional Request Failed', 420: 'Bad Extension', 423: 'Interval Too Brief', 489: 'Bad Event', 500: 'Server Internal Error',
};

function headerLine(req: string, name: string): string | undefined {
  const re = new RegExp(`^${name}\\s*:.*$`, 'im');
  return re.exec(req)?.[0];
}

/** A response to `req` (an example request built above): Via, From, To (+tag), Call-ID, CSeq copied. */
export function reply(req: string, status: number, o: ReplyExample = {}): string {
  const via = (headerLine(req, 'Via') ?? '').replace(/;rport(?![=\w])/, `;rport=${EX.clientPort};received=${EX.clientHost}`);
  const to = headerLine(req, 'To') ?? '';
  const lines = [
    `SIP/2.0 ${status} ${o.reason ?? REASONS[status] ?? 'Response'}`,
    via,
    headerLine(req, 'From') ?? '',
    o.toTag === null || status === 100 ? to : `${to};tag=${o.toTag ?? '9a0b7c'}`,
    headerLine(req, 'Call-ID') ?? '',
    headerLine(req, 'CSeq') ?? '',
  ];
  if (status >= 200 && status < 300 && o.contact !== null && /^CSeq:.*REGISTER/im.test(req)) {
    if (o.contact) lines.push(...o.contact);
    else {
      const contact = headerLine(req, 'Contact');
      const expires = /^Expires\s*:\s*(\d+)/im.exec(req)?.[1] ?? '3600';
      if (contact && !/:\s*\*\s*$/.test(contact) && expires !== '0' && !/expires=0\b/.test(contact)) lines.push(`${contact};expires=${expires}`);
    }
  }
  if (status === 401) lines.push(`WWW-Authenticate: Digest realm="${EX.realm}", nonce="${EX.nonce}", algorithm=MD5, qop="auth"`);
  lines.push(...(o.extra ?? []));
  lines.push('Content-Length: 0');
  return `${lines.join('\n')}\n\n`;
}

export interface PublishExample {
  requestUri?: string;
  cseq?: number;
  callId?: string;
  event?: string | null;
  expires?: string | null;
  contentType?: string | null;
  userAgent?: string | null;
  ifMatch?: string;
  route?: string;
  extra?: string[];
  body?: string | null;
}

export const SETTINGS_BODY = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<service-settings xmlns="urn:oma:xml:im:service-settings">',
  '<service-id>+g.oma.sip-im</service-id>',
  '<active>true</active>',
  '</service-settings>',
  '',
].join('\n');

/** The IM service settings PUBLISH of catalog §12.9 with the «» placeholders filled. */
export function publish(o: PublishExample = {}): string {
  const cseq = o.cseq ?? 1;
  const body = withEol(o.body === null ? '' : o.body ?? SETTINGS_BODY);
  const lines = [
    `PUBLISH ${o.requestUri ?? EX.aor} SIP/2.0`,
    `Via: SIP/2.0/UDP ${EX.clientHost}:${EX.clientPort};branch=z9hG4bKpub${cseq}b;rport`,
    'Max-Forwards: 70',
  ];
  if (o.route) lines.push(`Route: ${o.route}`);
  lines.push(`From: <${EX.aor}>;tag=c3d91e`, `To: <${EX.aor}>`, `Call-ID: ${o.callId ?? '2f7a9c0e5b1d4e8f@192.0.2.10'}`, `CSeq: ${cseq} PUBLISH`);
  if (o.event !== null) lines.push(`Event: ${o.event ?? 'im-settings'}`);
  if (o.ifMatch) lines.push(`SIP-If-Match: ${o.ifMatch}`);
  if (o.expires !== null) lines.push(`Expires: ${o.expires ?? '3600'}`);
  if (body && o.contentType !== null) lines.push(`Content-Type: ${o.contentType ?? 'application/im-settings+xml'}`);
  if (o.userAgent !== null) lines.push(`User-Agent: ${o.userAgent ?? EX.ua}`);
  lines.push(...(o.extra ?? []));
  lines.push(`Content-Length: ${bodyLength(body)}`);
  return `${lines.join('\n')}\n\n${body}`;
}

/** Any other request from the client (MESSAGE by default). */
export function request(method: string, o: { acceptContact?: string; contact?: string; body?: string; contentType?: string; cseq?: number } = {}): string {
  const body = withEol(o.body ?? '');
  const lines = [
    `${method} sip:bob@${EX.domain} SIP/2.0`,
    `Via: SIP/2.0/UDP ${EX.clientHost}:${EX.clientPort};branch=z9hG4bK${method.toLowerCase()}${o.cseq ?? 1};rport`,
    'Max-Forwards: 70',
    `From: <${EX.aor}>;tag=m77a1`,
    `To: <sip:bob@${EX.domain}>`,
    `Call-ID: ${method.toLowerCase()}-5d1e@192.0.2.10`,
    `CSeq: ${o.cseq ?? 1} ${method}`,
  ];
  if (o.contact) lines.push(`Contact: ${o.contact}`);
  if (o.acceptContact) lines.push(`Accept-Contact: ${o.acceptContact}`);
  if (body) lines.push(`Content-Type: ${o.contentType ?? 'text/plain'}`);
  lines.push(`User-Agent: ${EX.ua}`, `Content-Length: ${bodyLength(body)}`);
  return `${lines.join('\n')}\n\n${body}`;
}

/**
 * A successful IM registration as the examples' starting point: REGISTER, 200, the IM service
 * settings PUBLISH and its 200 (so the settings publication rule is satisfied).
 */
export function imRegistration(o: RegisterExample = {}): string[] {
  const req = register(o);
  return [req, reply(req, 200), publish(), reply(publish(), 200, { extra: ['SIP-ETag: e1', 'Expires: 3600'] })];
}

/** Joins messages into one example; a number is the gap in seconds before the next message. */
export function flow(...items: (string | number)[]): string {
  const out: string[] = [];
  let gap: number | undefined;
  for (const it of items) {
    if (typeof it === 'number') {
      gap = it;
      continue;
    }
    if (out.length) out.push(gap !== undefined ? `--- +${gap}s` : '---');
    out.push(it.replace(/\n+$/, '\n').replace(/\n$/, ''));
    gap = undefined;
  }
  return out.join('\n');
}

export interface ExampleMessage {
  /** Message text with CRLF line ends. */
  text: string;
  /** Seconds after the first message. */
  offsetSeconds: number;
}

/** Splits an example (see the format above) into message texts with their time offsets. */
export function splitExample(example: string): ExampleMessage[] {
  const out: ExampleMessage[] = [];
  let current: string[] = [];
  let offset = 0;
  let pendingGap = 0;
  const flush = () => {
    while (current.length && current[current.length - 1].trim() === '') current.pop();
    if (current.length === 0) return;
    // The header section ends with an empty line; a body ends with a line break (examples are
    // written that way, and builders count Content-Length so).
    let text = current.join('\r\n');
    text += text.includes('\r\n\r\n') ? '\r\n' : '\r\n\r\n';
    if (out.length) offset += pendingGap;
    out.push({ text, offsetSeconds: offset });
    current = [];
  };
  for (const line of example.split('\n')) {
    const m = /^---(?:\s*\+(\d+(?:\.\d+)?)s)?\s*$/.exec(line);
    if (m) {
      flush();
      pendingGap = m[1] !== undefined ? Number(m[1]) : 1;
      continue;
    }
    if (current.length === 0 && line.trim() === '') continue;
    current.push(line.replace(/\r$/, ''));
  }
  flush();
  return out;
}
