/**
 * GRUU, Path and Service-Route rules (rule catalog §7: GRUU-001, PATH-001, PATH-002, SR-001):
 * the option tags a registering UA announces (RFC 5627, RFC 3327) and the preloaded route it
 * builds from the Service-Route of its registration (RFC 3608, 3GPP TS 24.229 §5.1.2A.1.1).
 */
import type { Severity, SipMessage, Span } from '../types';
import { firstHeader, headersOf } from '../sip/parser';
import { parseNameAddrList, parseVia } from '../sip/values';
import { sameRouteUri } from '../register/facts';
import { EX, IM_CONTACT, flow, publish, register, reply, request } from './examples';
import { EXAMPLE_INSTANCE } from './outbound';
import { defineRule, startLineSpan } from './helpers';

export const gruu001 = defineRule({
  id: 'GRUU-001',
  title: 'GRUU support signalled consistently',
  defaultSeverity: 'error',
  clause: 'RFC 5627 §4.1; 3GPP TS 24.229 §5.1.1.2.1 c, g.1',
  basis: 'MUST',
  appliesTo: {
    events: ['register'],
    phases: ['initial', 'refresh', 'im-deregistration'],
    description: 'REGISTERs that bind a contact (initial, refresh, IM-only de-registration) and list `gruu` in Supported.',
  },
  decision: 'Only REGISTERs that keep a binding are checked: a de-registration or a query obtains no GRUU, whatever Supported says.',
  docs: {
    what: 'A REGISTER that lists `gruu` in Supported carries `+sip.instance` on the contact it registers.',
    why: 'The registrar mints a GRUU per instance-id: without `+sip.instance` it cannot assign one, and the client that asked for GRUU gets none.',
    get failing() {
      return register({ supported: 'path, gruu' });
    },
    get passing() {
      return register({ supported: 'path, gruu', contact: `${IM_CONTACT};+sip.instance=${EXAMPLE_INSTANCE}` });
    },
    fix: 'Add `;+sip.instance="<urn:uuid:…>"` to the Contact, or drop `gruu` from Supported.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const gruu = ctx.req.supported.find((t) => t.token.toLowerCase() === 'gruu');
    if (!gruu) return;
    const registering = ctx.req.contacts.filter((c) => !c.star && c.effExpiry !== 0);
    if (registering.length === 0 || registering.some((c) => c.instance !== undefined)) return;
    ctx.report(gruu.span, 'Supported lists "gruu" but no registered contact carries +sip.instance: the registrar cannot assign a GRUU (RFC 5627 §4.1)', [
      { messageIndex: ctx.msg.index, span: registering[0].span, message: 'contact without +sip.instance' },
    ]);
  },
});

export const path001 = defineRule({
  id: 'PATH-001',
  title: '`Supported: path`',
  defaultSeverity: 'warning',
  clause: 'RFC 3327 §5.1; 3GPP TS 24.229 §5.1.1.2.1 g (IMS: IMS-REG-004)',
  basis: 'SHOULD',
  appliesTo: {
    events: ['register'],
    phases: ['initial', 'refresh'],
    description: 'Initial and refresh REGISTERs, generic profile (in the IMS profile IMS-REG-004 makes it an error).',
  },
  decision: 'Runs in the generic profile only; in the IMS profile the same omission is IMS-REG-004 (error), so one mistake gives one finding.',
  docs: {
    what: 'A registering REGISTER lists `path` in Supported.',
    why: 'Proxies between the client and the registrar (an edge proxy, a P-CSCF) can only insert Path, and so receive the terminating requests, when the UA says it supports it; some registrars reject such a REGISTER with 421.',
    get failing() {
      return register({ supported: 'timer' });
    },
    get passing() {
      return register({ supported: 'path, timer' });
    },
    fix: '`Supported: path`',
  },
  check(ctx) {
    if (ctx.event !== 'register' || ctx.profile === 'ims') return;
    if (ctx.req.supported.some((t) => t.token.toLowerCase() === 'path')) return;
    const supported = firstHeader(ctx.sip, 'supported');
    if (supported) ctx.report(supported.valueSpan, 'Supported does not list "path": proxies on the registration path cannot add Path (RFC 3327)');
    else ctx.report(startLineSpan(ctx.sip), 'REGISTER has no "Supported: path": proxies on the registration path cannot add Path (RFC 3327)');
  },
});

export const path002 = defineRule({
  id: 'PATH-002',
  title: '`path` belongs in Supported, not Require; UA does not add `Path`',
  defaultSeverity: 'warning',
  clause: 'RFC 3327 §4, §5 (Path is inserted by proxies; UA wording unconfirmed); RFC 3261 §8.2.2.3 (Require)',
  basis: 'INTEROP',
  appliesTo: { events: ['register'], description: 'Every REGISTER captured before any proxy (catalog 2.5).' },
  docs: {
    what: 'The UA lists `path` in Supported, never in Require or Proxy-Require, and does not put a Path header in its own REGISTER.',
    why: '`Require: path` makes every registrar without Path support reject the REGISTER with 420; a Path written by the UA makes the registrar route terminating requests through whatever the UA named.',
    get failing() {
      return register({ require: 'pref, path' });
    },
    get passing() {
      return register();
    },
    fix: '`Require: pref` + `Supported: path`',
  },
  check(ctx) {
    if (ctx.event !== 'register' || ctx.observedDownstream) return;
    const inRequire = ctx.req.require.find((t) => t.token.toLowerCase() === 'path');
    if (inRequire) ctx.report(inRequire.span, '"path" is listed in Require: a registrar without Path support must reject the REGISTER (420); list it in Supported');
    const inProxyRequire = ctx.req.proxyRequire.find((t) => t.token.toLowerCase() === 'path');
    if (inProxyRequire) ctx.report(inProxyRequire.span, '"path" is listed in Proxy-Require: every proxy without Path support must reject the REGISTER (420); list it in Supported');
    const path = firstHeader(ctx.sip, 'path');
    if (path) ctx.report(path.span, 'the UA puts a Path header in its own REGISTER; Path values are inserted by the proxies on the registration path (RFC 3327)');
  },
});

/** URIs of the Route headers of a request, in order, with where the first Route header is. */
function routesOf(sip: SipMessage): { uris: string[]; first?: Span } {
  const rows = headersOf(sip, 'route');
  const uris: string[] = [];
  for (const h of rows) for (const v of parseNameAddrList(sip, h).values) if (v.uri) uris.push(v.uri.text.trim());
  return { uris, first: rows[0]?.valueSpan };
}

/** More than one Via value: the request was captured after a proxy (catalog 2.5). */
function afterProxy(sip: SipMessage): boolean {
  const rows = headersOf(sip, 'via');
  if (rows.length !== 1) return rows.length > 1;
  // One Via line: only a comma can separate a second value; parse only then (quoted commas are rare).
  return rows[0].value.includes(',') && parseVia(sip, rows[0]).values.length > 1;
}

/**
 * Fast path of followsServiceRoute on the header text: the Route values, without whitespace,
 * end with `<sr1>,<sr2>`. False means "parse and compare properly", not "does not follow".
 */
function routeTextEndsWith(sip: SipMessage, serviceRoute: readonly string[]): boolean {
  const rows = headersOf(sip, 'route');
  if (rows.length === 0) return false;
  const text = (rows.length === 1 ? rows[0].value : rows.map((h) => h.value).join(',')).replace(/\s+/g, '').toLowerCase();
  const tail = serviceRoute.map((u) => `<${u.replace(/\s+/g, '').toLowerCase()}>`).join(',');
  return text.endsWith(tail) && (text.length === tail.length || text[text.length - tail.length - 1] === ',');
}

/** Whether `routes` ends with `serviceRoute`, in order (RFC 3608 §6, TS 24.229 §5.1.2A.1.1). */
export function followsServiceRoute(routes: readonly string[], serviceRoute: readonly string[]): boolean {
  if (routes.length < serviceRoute.length) return false;
  const off = routes.length - serviceRoute.length;
  for (let i = 0; i < serviceRoute.length; i++) if (!sameRouteUri(routes[off + i], serviceRoute[i])) return false;
  return true;
}

const SR = `<sip:orig@scscf.${EX.domain};lr>`;
const PRELOADED = `<sip:pcscf.${EX.domain};lr>, ${SR}`;

function withRoute(req: string, route: string): string {
  return req.replace(/^(Max-Forwards: .*)$/m, `$1\nRoute: ${route}`);
}

/** REGISTER, 2xx with Service-Route, the settings PUBLISH along that route and its 2xx. */
function registeredWithServiceRoute(): string[] {
  const pub = publish({ route: PRELOADED });
  return [register(), reply(register(), 200, { extra: [`Service-Route: ${SR}`] }), pub, reply(pub, 200, { extra: ['SIP-ETag: e1', 'Expires: 3600'] })];
}

export const sr001 = defineRule({
  id: 'SR-001',
  title: 'Service-Route stored and used',
  defaultSeverity: 'warning',
  severities: { 'generic profile': 'info' },
  clause: 'RFC 3608 §6; 3GPP TS 24.229 §5.1.1.2.1 d, §5.1.1.4.1 b, §5.1.2A.1.1',
  basis: 'MUST',
  appliesTo: {
    events: ['request', 'publish'],
    description: 'Out-of-dialog requests (MESSAGE, INVITE, SUBSCRIBE, PUBLISH, ...) from a registered identity after a 2xx with Service-Route, captured before any proxy.',
  },
  decision:
    'Warning in the IMS profile (a capture may start after the 2xx that carried the Service-Route), info in the generic profile. The Service-Route is the last one an accepted REGISTER of the AOR returned. The IM service settings PUBLISH is left to OMA-IM-PUB-005, which reports the same condition at the same severity, so one mistake gives one finding. Requests captured after a proxy (more than one Via) are skipped: proxies consume Route entries.',
  docs: {
    what: 'After a 2xx to REGISTER returned `Service-Route`, every new request of the client has a Route list that ends with those URIs, in order (preceded by the outbound proxy / P-CSCF).',
    why: 'The home network routes originating requests through the S-CSCF named in Service-Route; an IMS P-CSCF rejects a request that does not follow it ("400 Not following indicated service routes").',
    get failing() {
      return flow(...registeredWithServiceRoute(), request('MESSAGE', { body: 'hello' }));
    },
    get passing() {
      return flow(...registeredWithServiceRoute(), withRoute(request('MESSAGE', { body: 'hello' }), PRELOADED));
    },
    fix: `Preload \`Route: ${PRELOADED}\` (outbound proxy, then the Service-Route of the last 2xx).`,
  },
  check(ctx) {
    let sip: SipMessage;
    let serviceRoute: readonly string[];
    let at: { index: number; span: Span } | undefined;
    if (ctx.event === 'request') {
      const aor = ctx.aor;
      if (!aor || aor.serviceRoute.length === 0 || aor.imOffSince?.phase === 'full-deregistration') return;
      sip = ctx.sip;
      serviceRoute = aor.serviceRoute;
      at = aor.serviceRouteAt;
    } else if (ctx.event === 'publish') {
      const aor = ctx.aor;
      if (ctx.settingsPublish || !aor || aor.serviceRoute.length === 0 || aor.imOffSince?.phase === 'full-deregistration') return;
      sip = ctx.sip;
      serviceRoute = aor.serviceRoute;
      at = aor.serviceRouteAt;
    } else return;
    if (routeTextEndsWith(sip, serviceRoute) || afterProxy(sip)) return;
    const routes = routesOf(sip);
    if (followsServiceRoute(routes.uris, serviceRoute)) return;
    const severity: Severity = ctx.profile === 'ims' ? 'warning' : 'info';
    const method = sip.startLine?.kind === 'request' ? sip.startLine.method : 'request';
    const why = routes.uris.length === 0 ? 'has no Route' : `has Route ${routes.uris.join(', ')}`;
    ctx.report(routes.first ?? startLineSpan(sip), `${method} ${why}; it must end with the Service-Route ${serviceRoute.join(', ')} of the registration (RFC 3608, TS 24.229 §5.1.2A.1.1)`, {
      severity,
      related: at ? [{ messageIndex: at.index, span: at.span, message: '2xx with Service-Route' }] : [],
    });
  },
});
