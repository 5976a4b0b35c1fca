/**
 * IM service settings publication (rule catalog §10: OMA-IM-PUB-002..006; 001 lives with
 * OMA-IM-REG-015). The §5.2.4 procedure text was not available (catalog §15 item 2): the PUBLISH
 * mechanism is RFC 3903 and every rule here is warning or info, package and MIME type are
 * configuration (decision 11.1).
 */
import type { Severity } from '../types';
import { firstHeader } from '../sip/parser';
import { sameRouteUri } from '../register/facts';
import { flow, publish, register, reply } from './examples';
import { defineRule, startLineSpan } from './helpers';
import { imProducts } from './oma-im-headers';

export const DEFAULT_SETTINGS_NAMESPACE = 'urn:oma:xml:im:service-settings';

/** A registration followed by its 2xx: the setting in which a PUBLISH is the settings publication. */
function registered(...after: string[]): string {
  return flow(register(), reply(register(), 200), ...after);
}

export const omaImPub002 = defineRule({
  id: 'OMA-IM-PUB-002',
  title: 'PUBLISH basics',
  defaultSeverity: 'warning',
  severities: { 'no Expires header': 'info' },
  clause: 'RFC 3903 §4.1-4.2 (requirement wording unconfirmed: catalog §15 item 9)',
  basis: 'MUST',
  appliesTo: { events: ['publish'], description: 'The IM service settings PUBLISH (the first PUBLISH of the registered client after an initial registration).' },
  docs: {
    what: 'The settings PUBLISH targets the registered identity, has exactly one Event header, is an initial publication (a body, no SIP-If-Match), has a Content-Type for its body, and should state Expires.',
    why: 'RFC 3903 event state publication: without Event the core answers 489, and a SIP-If-Match on the first publication refers to an entity that does not exist (412).',
    get failing() {
      return registered(publish({ event: null }));
    },
    get passing() {
      return registered(publish());
    },
    fix: 'Add the settings package in `Event` (see `settingsEventPackage`).',
  },
  check(ctx) {
    if (ctx.event !== 'publish' || !ctx.settingsPublish) return;
    const { pub, aor } = ctx;
    const start = startLineSpan(ctx.sip);
    if (aor && pub.requestAor && !aor.identities.has(pub.requestAor)) {
      ctx.report(pub.requestUriSpan, `PUBLISH Request-URI ${pub.requestAor} is not a registered identity of ${aor.aor} (${[...aor.identities].join(', ')})`);
    }
    if (pub.events.length === 0) ctx.report(start, 'the IM service settings PUBLISH has no Event header (RFC 3903: the event package is mandatory)');
    else if (pub.events.length > 1) ctx.report(pub.events[1].span, 'PUBLISH carries more than one Event header');
    if (pub.ifMatch) ctx.report(pub.ifMatch.span, 'the settings PUBLISH after an initial registration is an initial publication and carries no SIP-If-Match (RFC 3903 §4.1)');
    if (!pub.hasBody) ctx.report(start, 'the settings PUBLISH has no body: an initial publication carries the state it publishes (RFC 3903 §4.1)');
    else if (!pub.contentType) ctx.report(start, 'PUBLISH has a body but no Content-Type');
    if (!pub.expires) ctx.report(start, 'PUBLISH has no Expires header; the publication lifetime is then the server default', { severity: 'info' });
  },
});

export const omaImPub003 = defineRule({
  id: 'OMA-IM-PUB-003',
  title: 'Event package and content type match configuration',
  defaultSeverity: 'warning',
  severities: { 'nothing configured: report what was seen': 'info' },
  clause: 'OMA-TS-SIMPLE_IM §5.2.4 (text not retrieved: catalog §15 item 2)',
  basis: 'DECISION',
  appliesTo: { events: ['publish'], description: 'The IM service settings PUBLISH.' },
  settingsKeys: ['settingsEventPackage', 'settingsContentType'],
  decision: 'Catalog 11.1: no built-in package or MIME type. With `settingsEventPackage` / `settingsContentType` set, a different value is a warning; without them the observed values are reported as info for the user to confirm against §5.2.4.',
  docs: {
    what: 'The settings PUBLISH uses the configured Event package and Content-Type.',
    why: 'The IM server only accepts the settings document under the package and MIME type of §5.2.4; the wrong package draws 489 Bad Event.',
    get failing() {
      return registered(publish({ event: 'presence' }));
    },
    get passing() {
      return registered(publish({ event: 'im-settings' }));
    },
    fix: 'Use the package and MIME type your IM server expects (set them in the settings so the check knows).',
    settings: { settingsEventPackage: 'im-settings', settingsContentType: 'application/im-settings+xml' },
  },
  check(ctx) {
    if (ctx.event !== 'publish' || !ctx.settingsPublish) return;
    const event = ctx.pub.events[0];
    const ct = ctx.pub.contentType;
    const eventValue = event?.value.split(';')[0].trim();
    const ctValue = ct?.value.split(';')[0].trim();
    const wantEvent = ctx.settings.settingsEventPackage;
    const wantCt = ctx.settings.settingsContentType;
    if (wantEvent && event && eventValue?.toLowerCase() !== wantEvent.toLowerCase()) {
      ctx.report(event.valueSpan, `settings PUBLISH uses Event "${eventValue}", configured package is "${wantEvent}"`);
    }
    if (wantCt && ct && ctValue?.toLowerCase() !== wantCt.toLowerCase()) {
      ctx.report(ct.valueSpan, `settings PUBLISH uses Content-Type "${ctValue}", configured type is "${wantCt}"`);
    }
    if ((!wantEvent && event) || (!wantCt && ct)) {
      const seen = [!wantEvent && event ? `Event: ${eventValue}` : '', !wantCt && ct ? `Content-Type: ${ctValue}` : ''].filter(Boolean).join(', ');
      ctx.report((!wantEvent && event ? event : (ct ?? event))!.valueSpan, `IM service settings PUBLISH seen with ${seen}; confirm against OMA-TS-SIMPLE_IM §5.2.4 and set settingsEventPackage / settingsContentType to check it`, { severity: 'info' });
    }
  },
});

/** Root element of an XML body: its start tag span and namespace (default or of its prefix). */
export function xmlRoot(text: string, start: number, end: number): { span: { start: number; end: number }; name: string; namespace?: string } | undefined {
  let p = start;
  for (;;) {
    const lt = text.indexOf('<', p);
    if (lt < 0 || lt >= end) return undefined;
    const next = text[lt + 1];
    if (next === '?') {
      p = text.indexOf('?>', lt) + 2;
      if (p < 2) return undefined;
      continue;
    }
    if (next === '!') {
      const close = text.startsWith('<!--', lt) ? text.indexOf('-->', lt) + 3 : text.indexOf('>', lt) + 1;
      if (close <= 0) return undefined;
      p = close;
      continue;
    }
    const gt = text.indexOf('>', lt);
    if (gt < 0 || gt >= end) return undefined;
    const tag = text.slice(lt + 1, gt);
    const name = /^[^\s/>]+/.exec(tag)?.[0] ?? '';
    const prefix = name.includes(':') ? name.split(':')[0] : undefined;
    const attr = prefix ? `xmlns:${prefix}` : 'xmlns';
    const m = new RegExp(`(?:^|\\s)${attr.replace('.', '\\.')}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
    return { span: { start: lt, end: gt + 1 }, name, namespace: m ? (m[2] ?? m[3]) : undefined };
  }
}

export const omaImPub004 = defineRule({
  id: 'OMA-IM-PUB-004',
  title: 'Body namespace (optional check)',
  defaultSeverity: 'info',
  clause: 'OMA-TS-SIMPLE_IM §5.2.4 (unconfirmed); namespace observed in an implementation',
  basis: 'DECISION',
  appliesTo: { events: ['publish'], description: 'The IM service settings PUBLISH, when it has an XML body.' },
  settingsKeys: ['settingsNamespace'],
  decision: `The expected root namespace is \`settingsNamespace\` when set; \`${DEFAULT_SETTINGS_NAMESPACE}\` is always accepted (catalog §10).`,
  docs: {
    what: `The root element of the settings document is in the configured namespace or in \`${DEFAULT_SETTINGS_NAMESPACE}\`.`,
    why: 'A settings document in another namespace is most likely a different document (e.g. a presence document sent by mistake).',
    get failing() {
      return registered(publish({ body: '<?xml version="1.0"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@ims.example.net"/>\n' }));
    },
    get passing() {
      return registered(publish());
    },
  },
  check(ctx) {
    if (ctx.event !== 'publish' || !ctx.settingsPublish || !ctx.pub.hasBody) return;
    const root = xmlRoot(ctx.sip.text, ctx.pub.bodySpan.start, ctx.pub.bodySpan.end);
    if (!root) return;
    const ok = [DEFAULT_SETTINGS_NAMESPACE, ctx.settings.settingsNamespace].filter(Boolean);
    if (root.namespace && ok.includes(root.namespace)) return;
    ctx.report(root.span, `settings document root <${root.name}> is in namespace ${root.namespace ? `"${root.namespace}"` : '(none)'}, expected ${ok.map((n) => `"${n}"`).join(' or ')}`);
  },
});

export const omaImPub005 = defineRule({
  id: 'OMA-IM-PUB-005',
  title: 'PUBLISH carries the IM release product and follows Service-Route',
  defaultSeverity: 'info',
  severities: { 'Route does not follow Service-Route (IMS profile)': 'warning' },
  clause: 'OMA-TS-SIMPLE_IM Appendix F (User-Agent); RFC 3608 / 3GPP TS 24.229 §5.1.2A.1.1 (Service-Route)',
  basis: 'DECISION',
  appliesTo: { events: ['publish'], description: 'The IM service settings PUBLISH.' },
  decision: 'User-Agent token: info. Route: SR-001 severity, i.e. warning in the IMS profile and info in the generic profile.',
  docs: {
    what: 'The settings PUBLISH carries `IM-client/<release>` in User-Agent and, when the registration 2xx returned a Service-Route, a Route ending with those URIs in order.',
    why: 'The IM server reads the release from the PUBLISH too; an IMS core rejects requests that do not follow the Service-Route ("400 Not following indicated service routes").',
    get failing() {
      return flow(register(), reply(register(), 200, { extra: ['Service-Route: <sip:orig@scscf.ims.example.net;lr>'] }), publish());
    },
    get passing() {
      return flow(
        register(),
        reply(register(), 200, { extra: ['Service-Route: <sip:orig@scscf.ims.example.net;lr>'] }),
        publish({ route: '<sip:pcscf.ims.example.net;lr>, <sip:orig@scscf.ims.example.net;lr>' }),
      );
    },
  },
  check(ctx) {
    if (ctx.event !== 'publish' || !ctx.settingsPublish) return;
    const ua = ctx.pub.userAgent;
    if (!ua) ctx.report(startLineSpan(ctx.sip), 'the settings PUBLISH has no User-Agent with the IM release product (IM-client/OMA<d>.<d>)');
    else if (imProducts(ctx.sip.text, ua.valueSpan).im.length === 0) ctx.report(ua.valueSpan, 'the settings PUBLISH User-Agent lacks the IM release product (IM-client/OMA<d>.<d>)');
    const sr = ctx.aor?.serviceRoute ?? [];
    if (sr.length === 0) return;
    const routes = ctx.pub.routes.map((r) => r.uri);
    const tail = routes.slice(routes.length - sr.length);
    const follows = routes.length >= sr.length && tail.every((u, i) => sameRouteUri(u, sr[i]));
    if (follows) return;
    const severity: Severity = ctx.profile === 'ims' ? 'warning' : 'info';
    const at = ctx.aor?.serviceRouteAt;
    ctx.report(ctx.pub.routeHeader?.valueSpan ?? startLineSpan(ctx.sip), `the settings PUBLISH does not follow the Service-Route ${sr.join(', ')} of the registration (its Route must end with it)`, {
      severity,
      related: at ? [{ messageIndex: at.index, span: at.span, message: '2xx with Service-Route' }] : [],
    });
  },
});

export const omaImPub006 = defineRule({
  id: 'OMA-IM-PUB-006',
  title: 'PUBLISH response handling',
  defaultSeverity: 'info',
  severities: { 'refresh without SIP-If-Match, 2xx without SIP-ETag': 'warning' },
  clause: 'RFC 3903 §4.1, §6 (exact clauses unconfirmed)',
  basis: 'DECISION',
  appliesTo: { events: ['publish', 'publish-response'], description: 'Responses to the settings PUBLISH and later refreshes of that publication.' },
  docs: {
    what: '489 (package unknown) and 412 (entity-tag unknown) answers to the settings PUBLISH are explained; a 2xx must return SIP-ETag; a refresh (same Event, no body) must carry SIP-If-Match.',
    why: 'Without SIP-If-Match a refresh is a new, empty publication; without SIP-ETag the client cannot refresh at all.',
    get failing() {
      return registered(publish(), reply(publish(), 489));
    },
    get passing() {
      return registered(publish(), reply(publish(), 200, { extra: ['SIP-ETag: e1', 'Expires: 3600'] }));
    },
  },
  check(ctx) {
    if (ctx.event === 'publish') {
      if (ctx.refreshOf?.settings && !ctx.pub.ifMatch) {
        ctx.report(startLineSpan(ctx.sip), `refresh of the IM service settings publication without SIP-If-Match: ${ctx.refreshOf.etag}`, {
          severity: 'warning',
          related: [{ messageIndex: ctx.refreshOf.index, span: ctx.refreshOf.startLine, message: 'the publication being refreshed' }],
        });
      }
      return;
    }
    if (ctx.event !== 'publish-response' || ctx.retransmission || !ctx.publish?.settings) return;
    const s = ctx.res.status;
    const start = ctx.res.startLineSpan;
    if (s === 489) ctx.report(start, `489 Bad Event: the SIP/IP Core does not know the settings package "${ctx.publish.event ?? ''}"; check settingsEventPackage against OMA-TS-SIMPLE_IM §5.2.4`);
    else if (s === 412) ctx.report(start, '412 Conditional Request Failed: the entity-tag is unknown; the client must publish its settings again without SIP-If-Match');
    else if (s >= 200 && s < 300 && !firstHeader(ctx.sip, 'sip-etag')) ctx.report(start, '2xx to PUBLISH without SIP-ETag: the client cannot refresh or modify the publication (RFC 3903 §6)', { severity: 'warning' });
  },
});

