/**
 * OMA SIMPLE IM REGISTER headers (rule catalog §3: OMA-IM-REG-008..013):
 * `Require: pref` (§5.2.1 item 3), the User-Agent release token (§5.2.1 item 4, Appendix F) and
 * "towards the SIP/IP Core" (§5.2.1 item 5).
 */
import type { Severity } from '../types';
import type { Phase } from '../register/model';
import { firstHeader, headersOf } from '../sip/parser';
import { register } from './examples';
import { defineRule, related, startLineSpan, tokenizeServerVal, type ServerValItem } from './helpers';

const IM_PRODUCT = 'IM-client';

/** IM-client products of a User-Agent value, with the rest for context. */
export function imProducts(text: string, span: { start: number; end: number }): { all: ServerValItem[]; im: ServerValItem[] } {
  const all = tokenizeServerVal(text, span).items.filter((i) => i.kind === 'product');
  return { all, im: all.filter((i) => i.name?.toLowerCase() === IM_PRODUCT.toLowerCase()) };
}

/** Catalog 11.5: the User-Agent rules are SHALL/error while the client registers, warning when it removes or queries. */
function uaSeverity(phase: Phase): Severity {
  return phase === 'full-deregistration' || phase === 'query' ? 'warning' : 'error';
}

export const omaImReg008 = defineRule({
  id: 'OMA-IM-REG-008',
  title: '`Require: pref`',
  defaultSeverity: 'error',
  severities: { 'IM-only de-registration': 'warning' },
  clause: 'OMA-TS-SIMPLE_IM §5.2.1 item 3; RFC 3840 (`pref` option tag)',
  basis: 'SHALL',
  appliesTo: {
    events: ['register'],
    phases: ['initial', 'refresh', 'im-deregistration'],
    description: 'Initial and refresh REGISTERs (error) and IM-only de-registrations (warning); not full de-registrations or queries.',
  },
  decision: 'Catalog 11.5: an IM-only de-registration is generated "as in 5.2.1", so `Require: pref` is expected there too, as warning. Catalog 11.19: after a 420 rejecting `pref` the rule still fires, and its message says so.',
  docs: {
    what: 'A registering REGISTER carries `Require: pref`. `pref` only in Supported or Proxy-Require does not count.',
    why: 'OMA SIMPLE IM requires the `pref` option tag (RFC 3840): it makes sure the registrar understands the feature tags in Contact instead of silently ignoring them.',
    get failing() {
      return register({ require: null, supported: 'pref, path' });
    },
    get passing() {
      return register();
    },
    fix: 'Add `Require: pref` (keep `Supported: path` as is).',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const { req } = ctx;
    if (req.require.some((t) => t.token.toLowerCase() === 'pref')) return;
    const severity: Severity = ctx.exchange.phase === 'im-deregistration' ? 'warning' : 'error';
    const after420 = ctx.previous?.prefRejected;
    const context = after420 ? ' (the registrar rejected `pref` with 420 Bad Extension just before: see OMA-IM-REG-022)' : '';
    const rel = related(after420, '420 Bad Extension naming pref');
    const elsewhere = req.supported.find((t) => t.token.toLowerCase() === 'pref') ?? req.proxyRequire.find((t) => t.token.toLowerCase() === 'pref');
    if (elsewhere) {
      const where = req.supported.includes(elsewhere) ? 'Supported' : 'Proxy-Require';
      ctx.report(elsewhere.span, `"pref" is listed in ${where}, but OMA-TS-SIMPLE_IM §5.2.1 item 3 requires it in a Require header${context}`, { severity, related: rel });
      return;
    }
    const require = headersOf(ctx.sip, 'require')[0];
    if (require) ctx.report(require.valueSpan, `Require does not list the option tag "pref" (OMA-TS-SIMPLE_IM §5.2.1 item 3)${context}`, { severity, related: rel });
    else ctx.report(startLineSpan(ctx.sip), `REGISTER has no "Require: pref" header (OMA-TS-SIMPLE_IM §5.2.1 item 3)${context}`, { severity, related: rel });
  },
});

export const omaImReg009 = defineRule({
  id: 'OMA-IM-REG-009',
  title: '`User-Agent` header present',
  defaultSeverity: 'error',
  severities: { 'full de-registration, query': 'warning' },
  clause: 'OMA-TS-SIMPLE_IM §5.2.1 item 4',
  basis: 'SHALL',
  appliesTo: { events: ['register'], description: 'Every REGISTER: error while registering or leaving IM, warning for full de-registration and query.' },
  decision: 'Catalog 11.5: the header is cheap and 5.2.1 covers every REGISTER the client generates; for full de-registration and query it is reported as warning.',
  docs: {
    what: 'Every REGISTER of the IM client carries a User-Agent header.',
    why: 'OMA SIMPLE IM requires the User-Agent header so that the network can tell the IM release of the client (Appendix F).',
    get failing() {
      return register({ userAgent: null });
    },
    get passing() {
      return register();
    },
    fix: 'Add `User-Agent: IM-client/OMA1.0 <vendor>/<version>`.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    if (ctx.req.userAgent) return;
    ctx.report(startLineSpan(ctx.sip), 'REGISTER has no User-Agent header; OMA-TS-SIMPLE_IM §5.2.1 item 4 requires it to announce the IM release (e.g. "User-Agent: IM-client/OMA1.0 ...")', {
      severity: uaSeverity(ctx.exchange.phase),
    });
  },
});

export const omaImReg010 = defineRule({
  id: 'OMA-IM-REG-010',
  title: 'IM release token in User-Agent',
  defaultSeverity: 'error',
  severities: { 'full de-registration, query': 'warning', 'token not first, or spelled with another case': 'info' },
  clause: 'OMA-TS-SIMPLE_IM §5.2.1 item 4, Appendix F "Release version in User-agent and Server headers"',
  basis: 'SHALL',
  appliesTo: { events: ['register'], description: 'Every REGISTER with a User-Agent header (same phases and severities as OMA-IM-REG-009).' },
  decision: 'Catalog 11.2: the product `IM-client/<release>` is accepted anywhere in User-Agent (info when it is not the first product, as in every observed client); problems with the version part belong to OMA-IM-REG-011. A `CPM-client/...` or `PoC-client/...` product does not count.',
  docs: {
    what: 'The User-Agent of a REGISTER contains the IM release product `IM-client/OMA<major>.<minor>`.',
    why: 'Appendix F of OMA-TS-SIMPLE_IM makes the client announce its IM release in User-Agent; IM servers use it to pick the protocol variant.',
    get failing() {
      return register({ userAgent: 'ExampleIM/2.3.1 (Android 14)' });
    },
    get passing() {
      return register({ userAgent: 'IM-client/OMA1.0 ExampleIM/2.3.1 (Android 14)' });
    },
    fix: 'Put `IM-client/OMA1.0` first in User-Agent: `User-Agent: IM-client/OMA1.0 ExampleIM/2.3.1`.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const ua = ctx.req.userAgent;
    if (!ua) return;
    const { all, im } = imProducts(ctx.sip.text, ua.valueSpan);
    if (im.length === 0) {
      const sibling = all.find((p) => /^(cpm|poc)-client$/i.test(p.name ?? ''));
      const hint = sibling ? `; "${sibling.name}/${sibling.version ?? ''}" names another OMA enabler and does not count` : '';
      ctx.report(ua.valueSpan, `User-Agent has no IM release product "IM-client/OMA<d>.<d>" (OMA-TS-SIMPLE_IM Appendix F)${hint}`, { severity: uaSeverity(ctx.exchange.phase) });
      return;
    }
    const p = im[0];
    if (all[0] !== p) ctx.report(p.span, 'the IM release product is not the first product of User-Agent (every known IM client puts it first)', { severity: 'info' });
    if (p.name !== IM_PRODUCT) ctx.report(p.nameSpan ?? p.span, `"${p.name}" is spelled "${IM_PRODUCT}" in OMA-TS-SIMPLE_IM Appendix F (tokens compare case-insensitively)`, { severity: 'info' });
  },
});

const RELEASE_RE = /^OMA(\d+)\.(\d+)$/i;
const KNOWN_RELEASES = ['1.0', '2.0'];

export const omaImReg011 = defineRule({
  id: 'OMA-IM-REG-011',
  title: 'Known IM release value',
  defaultSeverity: 'warning',
  severities: { 'differs from the configured imRelease, or written in another case': 'info' },
  clause: 'OMA-TS-SIMPLE_IM Appendix F (grammar not retrieved: catalog §15 item 3)',
  basis: 'DECISION',
  appliesTo: { events: ['register'], description: 'REGISTERs whose User-Agent has an `IM-client` product.' },
  settingsKeys: ['imRelease'],
  decision: 'Catalog 11.2/11.17: the release must read `OMA<d>.<d>`; values other than 1.0 and 2.0 are warned about; a valid value that differs from the `imRelease` setting is an info.',
  docs: {
    what: 'The version of the `IM-client` product is a known OMA IM release: `OMA1.0` or `OMA2.0`.',
    why: 'IM servers match the release token exactly; a typo (`OMA_1.0`) or an unknown value makes the client look like an unknown release.',
    get failing() {
      return register({ userAgent: 'IM-client/OMA1.1 ExampleIM/2.3.1' });
    },
    get passing() {
      return register();
    },
    fix: '`IM-client/OMA1.0` (V1.0 client) or `IM-client/OMA2.0` (V2.0 client).',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const ua = ctx.req.userAgent;
    if (!ua) return;
    const p = imProducts(ctx.sip.text, ua.valueSpan).im[0];
    if (!p) return;
    const version = p.version ?? '';
    const span = p.versionSpan && p.version ? p.versionSpan : p.span;
    const m = RELEASE_RE.exec(version);
    if (!m) {
      ctx.report(span, `IM release "${version || '(none)'}" does not read OMA<major>.<minor> (e.g. "IM-client/OMA1.0")`);
      return;
    }
    const value = `${Number(m[1])}.${m[2]}`;
    if (!KNOWN_RELEASES.includes(value)) {
      ctx.report(span, `IM release ${version} is not a known OMA SIMPLE IM release (known: OMA1.0, OMA2.0)`);
      return;
    }
    if (!version.startsWith('OMA')) ctx.report(span, `IM release is written "${version}"; Appendix F spells it "OMA${value}"`, { severity: 'info' });
    if (version.toUpperCase() !== ctx.settings.imRelease.toUpperCase()) {
      ctx.report(span, `IM release ${version} differs from the configured imRelease ${ctx.settings.imRelease}`, { severity: 'info' });
    }
  },
});

export const omaImReg012 = defineRule({
  id: 'OMA-IM-REG-012',
  title: 'User-Agent syntax',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §20.41, §25.1 (server-val)',
  basis: 'MUST',
  appliesTo: { events: ['register'], description: 'Every REGISTER with a User-Agent header.' },
  explainsParseProblems: true,
  docs: {
    what: 'User-Agent is a list of products (`token[/token]`) and comments (`( ... )`) separated by whitespace only.',
    why: 'Most registrars ignore User-Agent, but the IM release token must be extractable: a `;` or `,` glued to it changes the token the server reads.',
    get failing() {
      return register({ userAgent: 'IM-client/OMA1.0; ExampleIM/2.3.1' });
    },
    get passing() {
      return register();
    },
    fix: 'Separate products with a space: `User-Agent: IM-client/OMA1.0 ExampleIM/2.3.1`.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const ua = ctx.req.userAgent;
    if (!ua) return;
    for (const p of tokenizeServerVal(ctx.sip.text, ua.valueSpan).problems) ctx.report(p.span, `User-Agent: ${p.message} (RFC 3261 §25.1)`);
  },
});

function endpointMatches(list: readonly string[], ip: string | undefined, port: number | undefined): boolean {
  if (!ip) return false;
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return list.some((a) => a === ip.toLowerCase() || a === host.toLowerCase() || (port !== undefined && a === `${host}:${port}`.toLowerCase()));
}

export const omaImReg013 = defineRule({
  id: 'OMA-IM-REG-013',
  title: 'REGISTER goes towards the SIP/IP Core',
  defaultSeverity: 'info',
  clause: 'OMA-TS-SIMPLE_IM §5.2.1 item 5',
  basis: 'SHALL',
  appliesTo: { events: ['register'], description: 'Every REGISTER, only when `sipIpCoreAddresses` is configured.' },
  settingsKeys: ['sipIpCoreAddresses'],
  decision: 'Catalog 11.7: "towards the SIP/IP Core" cannot be read from the message; the rule runs only when the user lists the core entry points, and compares the packet destination or the first Route entry with them.',
  docs: {
    what: 'With `sipIpCoreAddresses` set, the REGISTER must be sent to one of those addresses (packet destination) or routed through one (first Route entry).',
    why: 'OMA SIMPLE IM registers through the SIP/IP Core (P-CSCF / outbound proxy); a REGISTER sent straight to an application server bypasses the core.',
    get failing() {
      return register();
    },
    get passing() {
      return register({ extra: ['Route: <sip:pcscf.ims.example.net;lr>'] });
    },
    fix: 'Send the REGISTER to the configured P-CSCF / outbound proxy.',
    settings: { sipIpCoreAddresses: ['pcscf.ims.example.net'] },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const list = ctx.settings.sipIpCoreAddresses;
    if (list.length === 0) return;
    const dst = ctx.msg.dst;
    if (endpointMatches(list, dst?.ip, dst?.port)) return;
    const route = firstHeader(ctx.sip, 'route');
    const firstRoute = route ? /<\s*sips?:([^;>]+)/i.exec(route.value)?.[1]?.toLowerCase() : undefined;
    if (firstRoute) {
      const hostOnly = firstRoute.replace(/^[^@]*@/, '');
      const host = hostOnly.replace(/:\d+$/, '');
      if (list.includes(hostOnly) || list.includes(host)) return;
    }
    if (!dst && !firstRoute) return;
    const where = firstRoute ? `its first Route entry (${firstRoute})` : `its destination ${dst?.ip}:${dst?.port}`;
    ctx.report(route?.valueSpan ?? startLineSpan(ctx.sip), `REGISTER is not sent towards the configured SIP/IP Core (${list.join(', ')}): ${where} is not one of them`);
  },
});

