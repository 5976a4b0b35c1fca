/**
 * Flow rules (rule catalog §9: FLOW-001..004): what a sequence of registrations means for the
 * client's IM service.
 */
import type { SipMessage, Span } from '../types';
import { headersOf } from '../sip/parser';
import { parseNameAddrList } from '../sip/values';
import { isBound } from '../register/model';
import { EX, IM_CONTACT, PLAIN_CONTACT, flow, imRegistration, publish, register, reply, request } from './examples';
import { defineRule, startLineSpan } from './helpers';

const IM_TAG = '+g.oma.sip-im';

/** Where a request shows it is IM traffic: the IM tag in Accept-Contact or Contact, or an MSRP (m=message) SDP line. */
export function imMarker(sip: SipMessage): Span | undefined {
  const text = sip.text;
  for (const h of headersOf(sip, 'accept-contact')) {
    const lower = text.slice(h.valueSpan.start, h.valueSpan.end).toLowerCase();
    for (let i = lower.indexOf(IM_TAG); i >= 0; i = lower.indexOf(IM_TAG, i + 1)) {
      const next = lower[i + IM_TAG.length];
      if (next === undefined || !/[a-z0-9.!'%-]/.test(next)) return { start: h.valueSpan.start + i, end: h.valueSpan.start + i + IM_TAG.length };
    }
  }
  for (const h of headersOf(sip, 'contact')) {
    for (const v of parseNameAddrList(sip, h).values) {
      const p = v.params.find((x) => x.name.toLowerCase() === IM_TAG);
      if (p) return p.span;
    }
  }
  const body = text.slice(sip.bodySpan.start, sip.bodySpan.end);
  const m = /^m=message [^\r\n]*/m.exec(body);
  if (m) return { start: sip.bodySpan.start + m.index, end: sip.bodySpan.start + m.index + m[0].length };
  return undefined;
}

export const flow001 = defineRule({
  id: 'FLOW-001',
  title: 'Registration outcome summary',
  defaultSeverity: 'info',
  clause: 'Rule catalog §9',
  basis: 'DECISION',
  appliesTo: { events: ['end'], description: 'Once per binding lineage, at the end of the capture.' },
  docs: {
    what: 'Summarises each binding: the sequence of registration steps with their final responses, and whether the binding ends registered (with or without IM).',
    why: 'A one-line timeline per binding is the fastest way to see where a registration went wrong.',
    get failing() {
      return flow(register(), reply(register(), 200));
    },
    get passing() {
      return request('OPTIONS');
    },
  },
  check(ctx) {
    if (ctx.event !== 'end') return;
    for (const l of ctx.lineages) {
      if (!l.history || !l.first) continue;
      const steps = l.timeline.map((t) => `${t.kind}${t.status !== undefined ? `→${t.status}` : '→(no final response)'}`);
      if (l.timelineDropped) steps.push(`… ${l.timelineDropped} more`);
      const state = l.registered ? (l.imRegistered ? 'registered with IM' : 'registered without IM') : 'not registered';
      const expiry = l.registered && l.grantedExpiry !== undefined ? ` (granted ${l.grantedExpiry} s)` : '';
      const who = l.instanceId ? `instance ${l.instanceId}` : l.contactUri.replace(/;$/, '') || '(no contact)';
      ctx.report(l.first.span, `binding ${who} of ${l.aor}: ${steps.join(', ')}; at the end of the capture: ${state}${expiry}`, { messageIndex: l.first.index });
    }
  },
});

export const flow002 = defineRule({
  id: 'FLOW-002',
  title: 'IM requests while not IM-registered',
  defaultSeverity: 'warning',
  clause: 'OMA-TS-SIMPLE_IM §5.2.3 (leaving IM removes the tags); rule catalog §9',
  basis: 'DECISION',
  appliesTo: { events: ['request'], description: 'Out-of-dialog MESSAGE / INVITE from the client (IM tag in Accept-Contact or Contact, or MSRP in SDP) after it left IM and before it registers for IM again.' },
  docs: {
    what: 'After an IM-only or full de-registration, the client sends IM requests although the core no longer knows it as an IM client.',
    why: 'Replies and new IM requests towards the client will not reach it: the binding no longer carries the IM tags.',
    get failing() {
      return flow(
        ...imRegistration(),
        register({ cseq: 2, contact: PLAIN_CONTACT }),
        reply(register({ cseq: 2, contact: PLAIN_CONTACT }), 200),
        request('MESSAGE', { acceptContact: `*;${IM_TAG}`, body: 'hello' }),
      );
    },
    get passing() {
      return flow(...imRegistration(), request('MESSAGE', { acceptContact: `*;${IM_TAG}`, body: 'hello' }));
    },
  },
  check(ctx) {
    if (ctx.event !== 'request') return;
    if (ctx.method !== 'MESSAGE' && ctx.method !== 'INVITE') return;
    const off = ctx.aor?.imOffSince;
    if (!off) return;
    const at = imMarker(ctx.sip);
    if (!at) return;
    const how = off.phase === 'full-deregistration' ? 'de-registered' : 'left IM (IM-only de-registration)';
    ctx.report(at, `IM ${ctx.method} sent after the client ${how}; the SIP/IP Core no longer routes IM to it`, [{ messageIndex: off.index, span: off.span, message: 'de-registration' }]);
  },
});

export const flow003 = defineRule({
  id: 'FLOW-003',
  title: 'Contact change without removing the old binding',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §10.2.4 (refresh semantics); rule catalog §9',
  basis: 'DECISION',
  appliesTo: { events: ['register'], phases: ['refresh'], description: 'A refresh of a +sip.instance binding with a different contact URI while the old one is still bound.' },
  decision: 'Suppressed when the binding uses RFC 5626 outbound (reg-id with `Supported: outbound`), where the registrar replaces the old flow; an IM-only de-registration that moves the contact is OMA-IM-REG-017.',
  docs: {
    what: 'The same device (+sip.instance) refreshes with a new contact URI and does not remove the old one.',
    why: 'Without RFC 5626 the registrar keeps both bindings; the stale one keeps attracting (IM) requests until it expires.',
    get failing() {
      return flow(
        ...imRegistration({ cseq: 1, contact: `${IM_CONTACT};+sip.instance="<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"` }),
        register({ cseq: 2, contact: `<sip:alice@192.0.2.77:5060>;${EX.imTags};+sip.instance="<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"` }),
      );
    },
    get passing() {
      return flow(
        ...imRegistration({ cseq: 1, contact: `${IM_CONTACT};+sip.instance="<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"` }),
        register({ cseq: 2, contact: `${IM_CONTACT};+sip.instance="<urn:uuid:6f1d2c4e-8b3a-4f5e-9a7c-2d1e0b9c8a71>"` }),
      );
    },
    fix: 'Remove the old contact in the same REGISTER (`;expires=0`) or use RFC 5626 outbound (reg-id).',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const l = ctx.lineage;
    if (!l.instanceId || l.outbound || !l.contactUri || !isBound(l, ctx.time)) return;
    const primary = ctx.req.contacts.find((c) => !c.star && c.effExpiry !== 0);
    if (!primary || primary.uriKey === l.contactUri) return;
    if (ctx.req.contacts.some((c) => !c.star && c.uriKey === l.contactUri && c.effExpiry === 0)) return;
    ctx.report(primary.span, 'the same instance registers a new contact URI while its previous contact is still bound; the old binding stays until it expires', l.grant ? [{ messageIndex: l.grant.index, span: l.grant.span, message: 'registration of the previous contact' }] : []);
  },
});

export const flow004 = defineRule({
  id: 'FLOW-004',
  title: 'Register-before-use',
  defaultSeverity: 'info',
  clause: 'Rule catalog §9',
  basis: 'DECISION',
  appliesTo: { events: ['request', 'publish'], description: 'PUBLISH, MESSAGE and IM INVITEs from an AOR with no successful registration so far in the capture (once per AOR).' },
  decision: 'Reported once per AOR; an INVITE counts only when it is IM traffic (IM tag or MSRP SDP), so plain voice calls in the same capture are left alone.',
  docs: {
    what: 'The client sends IM requests before any successful registration of its AOR appears in the capture.',
    why: 'A client that is not registered cannot receive replies; or the capture started after the registration (then this is only a hint).',
    get failing() {
      return request('MESSAGE', { body: 'hello' });
    },
    get passing() {
      return flow(register(), reply(register(), 200), publish(), request('MESSAGE', { body: 'hello' }));
    },
  },
  check(ctx) {
    let aorName: string;
    if (ctx.event === 'request') {
      if (ctx.method !== 'MESSAGE' && ctx.method !== 'INVITE') return;
      if (ctx.method === 'INVITE' && !imMarker(ctx.sip)) return;
      if (ctx.aor?.everRegistered) return;
      aorName = ctx.fromAor;
    } else if (ctx.event === 'publish') {
      if (ctx.aor?.everRegistered) return;
      aorName = ctx.pub.fromAor || ctx.pub.requestAor;
    } else return;
    if (!aorName || ctx.store.has(aorName)) return;
    ctx.store.set(aorName, true);
    ctx.report(startLineSpan(ctx.sip), `${aorName} sends IM requests with no successful registration in the capture so far (the capture may have started after it)`);
  },
});
