/**
 * OMA SIMPLE IM rules that follow the registration over several messages (rule catalog §3:
 * OMA-IM-REG-014, 015, 017..022): credentials after a challenge (§5.2.2 item 2), the IM service
 * settings publication after an initial registration (§5.2.2), IM-only and full de-registration
 * (§5.2.3), implicit registration (§5.2.2 note 3), and a registrar rejecting `pref`.
 */
import type { RelatedInfo } from '../types';
import { firstHeader } from '../sip/parser';
import type { CredentialsFacts } from '../register/facts';
import { EX, IM_CONTACT, PLAIN_CONTACT, flow, imRegistration, publish, register, reply, request } from './examples';
import { defineRule, listText, startLineSpan } from './helpers';
import type { RuleContext, WindowContext } from './types';

function paramSpan(c: CredentialsFacts, name: string) {
  return c.params.find((p) => p.name.toLowerCase() === name)?.span ?? c.header.valueSpan;
}

function sameUri(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

export const omaImReg014 = defineRule({
  id: 'OMA-IM-REG-014',
  title: 'Security parameters after a challenge',
  defaultSeverity: 'error',
  severities: { 'no REGISTER follows the challenge at all': 'warning', '`uri` differs from the Request-URI': 'warning' },
  clause: 'OMA-TS-SIMPLE_IM §5.2.2 item 2; RFC 3261 §8.1.3.5, §22.2',
  basis: 'SHALL',
  appliesTo: { events: ['register', 'window'], description: 'The next REGISTER of the flow after a 401/407 final response; and a challenge that no REGISTER answers.' },
  decision: 'When no REGISTER at all follows the challenge (the client gave up, or the capture ends), the rule reports a warning at the challenge (catalog 0.3: depends on capture completeness), together with RFC3261-RSP-005. A digest `uri` that differs from the Request-URI is a warning: RFC 2617 §3.2.2.5 lets the server answer 400 (SHOULD), and registrars that do not check it accept the credentials (SIPp, for one, puts the registrar address there). With an AKA challenge (IMS), an empty `response` or an `auts` parameter is the invalid-challenge signalling of IMS-REG-012 and is not reported.',
  docs: {
    what: 'After a 401 (407) the next REGISTER carries Authorization (Proxy-Authorization) that answers the challenge: same scheme and realm, the offered nonce, a response, `uri` equal to the Request-URI, the challenged algorithm, `qop`/`nc`/`cnonce` when qop was offered, and the `opaque` value echoed.',
    why: 'OMA SIMPLE IM makes the client insert the security parameters the SIP/IP Core asks for; credentials that do not answer the challenge are rejected again and the client never registers.',
    get failing() {
      return flow(
        register({ cseq: 1 }),
        reply(register({ cseq: 1 }), 401),
        register({ cseq: 2, authorization: `Digest username="alice", realm="${EX.realm}", nonce="", uri="sip:${EX.domain}", response=""` }),
      );
    },
    get passing() {
      return flow(register({ cseq: 1 }), reply(register({ cseq: 1 }), 401), register({ cseq: 2, authorization: true }));
    },
    fix: 'Answer the offered nonce with a computed Digest response.',
  },
  check(ctx) {
    if (ctx.event === 'window') {
      if (ctx.window.kind !== 'challenge') return;
      ctx.report(ctx.window.opened.span, `no REGISTER with credentials answers this challenge${ctx.captureContinued ? '' : ' before the capture ends'}: the client never registers (OMA-TS-SIMPLE_IM §5.2.2 item 2)`, {
        severity: 'warning',
        messageIndex: ctx.window.opened.index,
        related: ctx.window.exchange ? [{ messageIndex: ctx.window.exchange.requestIndex, span: ctx.window.exchange.startLine.span, message: 'challenged REGISTER' }] : [],
      });
      return;
    }
    if (ctx.event !== 'register') return;
    const prev = ctx.previous;
    if (!prev?.final || (prev.finalStatus !== 401 && prev.finalStatus !== 407)) return;
    const is407 = prev.finalStatus === 407;
    const headerName = is407 ? 'Proxy-Authorization' : 'Authorization';
    const creds = is407 ? ctx.req.proxyAuthorization : ctx.req.authorization;
    const challenges = prev.challenges ?? [];
    const rel: RelatedInfo[] = challenges.length
      ? [{ messageIndex: prev.final.index, span: challenges[0].span, message: `${prev.finalStatus} challenge` }]
      : [{ messageIndex: prev.final.index, span: prev.final.span, message: `${prev.finalStatus} response` }];
    if (!creds) {
      ctx.report(startLineSpan(ctx.sip), `REGISTER after the ${prev.finalStatus} challenge carries no ${headerName} header (OMA-TS-SIMPLE_IM §5.2.2 item 2, RFC 3261 §22.2)`, rel);
      return;
    }
    if (challenges.length === 0) return; // RFC3261-RSP-004 reports the challenge-less 401/407
    const realm = creds.values.get('realm');
    const ch = challenges.find((c) => (c.realm ?? '').toLowerCase() === (realm ?? '').toLowerCase() && c.realm !== undefined);
    if (!ch) {
      const offered = challenges.map((c) => `"${c.realm ?? ''}"`);
      ctx.report(paramSpan(creds, 'realm'), `${headerName} realm ${realm === undefined ? 'is missing' : `"${realm}" is not`} ${realm === undefined ? '' : 'a '}challenged realm (offered: ${listText(offered)})`, rel);
      return;
    }
    const r: RelatedInfo[] = [{ messageIndex: prev.final.index, span: ch.span, message: `${prev.finalStatus} challenge` }];
    if (ch.scheme && creds.scheme.toLowerCase() !== ch.scheme.toLowerCase()) {
      ctx.report(creds.schemeSpan, `${headerName} uses the scheme ${creds.scheme || '(none)'} but the challenge asked for ${ch.scheme}`, r);
    }
    const nonce = creds.values.get('nonce');
    if (ch.nonce !== undefined && nonce !== ch.nonce) {
      ctx.report(paramSpan(creds, 'nonce'), `${headerName} nonce ${nonce === undefined ? 'is missing' : `"${nonce}" does not answer`}${nonce === undefined ? '' : ' the'} challenge nonce "${ch.nonce}"`, r);
    }
    const aka = /^akav/i.test(ch.algorithm ?? '');
    const response = creds.values.get('response');
    if ((response === undefined || response === '') && !(aka && (creds.values.has('auts') || response === ''))) {
      ctx.report(paramSpan(creds, 'response'), `${headerName} ${response === undefined ? 'has no response parameter' : 'has an empty response'}: the challenge is not answered`, r);
    }
    const uri = creds.values.get('uri');
    const ruri = ctx.req.requestUri?.text;
    const home = ctx.req.to?.uri?.host ? `sip:${ctx.req.to.uri.host}` : undefined;
    if (uri === undefined) ctx.report(creds.header.valueSpan, `${headerName} has no uri parameter (RFC 2617 digest-uri)`, r);
    else if (!sameUri(uri, ruri) && !(ctx.profile === 'ims' && sameUri(uri, home))) {
      ctx.report(paramSpan(creds, 'uri'), `${headerName} uri "${uri}" differs from the Request-URI ${ruri ?? ''} (RFC 2617 §3.2.2.5: the server SHOULD answer 400)`, { severity: 'warning', related: r });
    }
    const want = (ch.algorithm ?? 'MD5').toLowerCase();
    const got = (creds.values.get('algorithm') ?? 'MD5').toLowerCase();
    if (want !== got) ctx.report(paramSpan(creds, 'algorithm'), `${headerName} algorithm ${got.toUpperCase()} differs from the challenged ${want.toUpperCase()}`, r);
    if (ch.qop) {
      const offered = ch.qop.split(',').map((q) => q.trim().toLowerCase());
      const qop = creds.values.get('qop');
      if (!qop) ctx.report(creds.header.valueSpan, `the challenge offered qop="${ch.qop}" but ${headerName} has no qop parameter`, r);
      else if (!offered.includes(qop.toLowerCase())) ctx.report(paramSpan(creds, 'qop'), `${headerName} qop=${qop} was not offered (offered: ${ch.qop})`, r);
      const missing = ['nc', 'cnonce'].filter((n) => !creds.values.get(n));
      if (qop && missing.length) ctx.report(creds.header.valueSpan, `${headerName} with qop lacks ${listText(missing)} (RFC 2617 §3.2.2)`, r);
    }
    if (ch.opaque !== undefined && creds.values.get('opaque') !== ch.opaque) {
      ctx.report(paramSpan(creds, 'opaque'), `${headerName} does not echo the challenge's opaque value "${ch.opaque}"`, r);
    }
  },
});

function publishWindowCheck(ctx: RuleContext, note: string): void {
  if (ctx.event !== 'window') return;
  const w = (ctx as WindowContext).window;
  if (w.kind !== 'publish' || !ctx.captureContinued) return;
  // The client left IM (or the core) before publishing: the settings would have been moot.
  if (w.closedBy === 'next-register' && (w.closedByPhase === 'full-deregistration' || w.closedByPhase === 'im-deregistration')) return;
  const seconds = ctx.settings.publishWindowSeconds;
  const why =
    w.closedBy === 'next-register'
      ? 'the client went on with its next REGISTER without publishing its IM service settings'
      : w.closedBy === 'deadline'
        ? `no PUBLISH followed within ${seconds} s`
        : 'no PUBLISH followed before the end of the capture';
  ctx.report(w.opened.span, `successful initial IM registration, but ${why} (OMA-TS-SIMPLE_IM §5.2.2 → §5.2.4)${note}`, {
    messageIndex: w.opened.index,
    related: w.exchange ? [{ messageIndex: w.exchange.requestIndex, span: w.exchange.startLine.span, message: 'the initial REGISTER' }] : [],
  });
}

const publishDocs = {
  what: 'After each successful initial IM registration (a 2xx to an initial REGISTER carrying the IM tags, or to a REGISTER that switches IM back on) the client sends a PUBLISH with its IM service settings, within `publishWindowSeconds` (30 s) and before its next REGISTER.',
  why: 'OMA SIMPLE IM §5.2.2 makes the client publish its IM service settings after each initial registration (§5.2.4); without them the IM server applies defaults (e.g. for deferred delivery).',
  get failing() {
    return flow(register(), reply(register(), 200), 40, request('MESSAGE', { body: 'hello' }));
  },
  get passing() {
    return flow(register(), reply(register(), 200), publish(), reply(publish(), 200, { extra: ['SIP-ETag: e1', 'Expires: 3600'] }), 40, request('MESSAGE', { body: 'hello' }));
  },
  fix: 'Send the IM service settings PUBLISH right after the initial 2xx (catalog example 12.9).',
};

const publishDecision =
  'Catalog 11.1: the publication is taken to be a SIP PUBLISH (RFC 3903); any PUBLISH from the registered identity (the AOR or a P-Associated-URI) within the window counts, and OMA-IM-PUB-003 checks its Event / Content-Type against `settingsEventPackage` / `settingsContentType`. Catalog 11.6: an IM re-registration after an IM-only de-registration counts as initial. Reported only when the capture goes on past the window (deadline passed, the next REGISTER, or later requests of the client); not when the next REGISTER leaves IM or the core (the settings would have been moot); an uncertain classification (CLASS-001) opens no window.';

export const omaImReg015 = defineRule({
  id: 'OMA-IM-REG-015',
  title: 'IM service settings published after each successful initial registration',
  defaultSeverity: 'warning',
  clause: 'OMA-TS-SIMPLE_IM §5.2.2 ("Each time the IM Client has successfully performed an initial registration")',
  basis: 'SHALL',
  appliesTo: { events: ['window'], description: 'Every 2xx to an initial REGISTER (first attempt or credentials resend) that carried the IM tags.' },
  settingsKeys: ['publishWindowSeconds', 'settingsEventPackage'],
  decision: publishDecision,
  docs: publishDocs,
  check(ctx) {
    publishWindowCheck(ctx, '');
  },
});

export const omaImPub001 = defineRule({
  id: 'OMA-IM-PUB-001',
  title: 'A PUBLISH follows each successful initial registration',
  defaultSeverity: 'warning',
  clause: 'OMA-TS-SIMPLE_IM §5.2.2 → §5.2.4 (same requirement as OMA-IM-REG-015)',
  basis: 'SHALL',
  aliasOf: 'OMA-IM-REG-015',
  appliesTo: { events: ['window'], description: 'Same as OMA-IM-REG-015: the catalog keeps the check under both ids.' },
  settingsKeys: ['publishWindowSeconds', 'settingsEventPackage'],
  decision: `${publishDecision} Both ids report (catalog §10 keeps the check under both); a severity set for either id applies to both unless each is set.`,
  docs: publishDocs,
  check(ctx) {
    publishWindowCheck(ctx, ' (same check as OMA-IM-REG-015)');
  },
});

export const omaImReg017 = defineRule({
  id: 'OMA-IM-REG-017',
  title: 'IM-only de-registration keeps the core binding',
  defaultSeverity: 'error',
  severities: { 'expiry 0 on some of the contacts': 'warning' },
  clause: 'OMA-TS-SIMPLE_IM §5.2.3 item 2',
  basis: 'SHALL',
  appliesTo: { events: ['register'], phases: ['im-deregistration'], description: 'IM-only de-registrations (a tag-less REGISTER of an IM-registered binding).' },
  decision: 'A tag-less REGISTER that binds a new contact URI in a flow (same AOR and Call-ID) whose other binding is IM-registered and not removed is classified as an IM-only de-registration that moved the binding, and reported here (error).',
  docs: {
    what: 'Leaving IM while staying registered with the core re-registers the SAME binding (same contact URI, same +sip.instance) without the IM tags, with a non-zero expiry.',
    why: 'If the client registers a new contact URI without tags, the old binding keeps its IM tags until it expires and keeps attracting IM traffic to a client that left IM.',
    get failing() {
      return flow(...imRegistration(), register({ cseq: 2, contact: '<sip:alice@192.0.2.10:5062>' }));
    },
    get passing() {
      return flow(...imRegistration(), register({ cseq: 2, contact: PLAIN_CONTACT }));
    },
    fix: 'Re-REGISTER the existing contact URI without the three tags.',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const { exchange, req } = ctx;
    const kept = exchange.keptLineageKey ? ctx.lineageOf(exchange.keptLineageKey) : ctx.lineage;
    const primary = req.contacts.find((c) => !c.star && c.effExpiry !== 0);
    if (!primary || !kept) return;
    const rel: RelatedInfo[] = kept.lastTagged ? [{ messageIndex: kept.lastTagged.index, span: kept.lastTagged.span, message: 'the registration with IM tags that stays in force' }] : [];
    if (exchange.keptLineageKey || (kept.contactUri && kept.contactUri !== primary.uriKey)) {
      ctx.report(primary.span, 'IM-only de-registration binds a different contact URI: the old binding keeps its IM tags and keeps receiving IM requests until it expires (OMA-TS-SIMPLE_IM §5.2.3 item 2)', rel);
    }
    for (const c of req.contacts) {
      if (!c.star && c.effExpiry === 0) {
        ctx.report(c.expiresParam?.span ?? c.span, 'IM-only de-registration also removes this contact; to stay registered with the SIP/IP Core keep every contact with a non-zero expiry', { severity: 'warning', related: rel });
      }
    }
  },
});

export const omaImReg018 = defineRule({
  id: 'OMA-IM-REG-018',
  title: 'IM de-registration notice',
  defaultSeverity: 'info',
  clause: 'Rule catalog 2.3 (classification); OMA-TS-SIMPLE_IM §5.2.3 item 2',
  basis: 'DECISION',
  appliesTo: { events: ['register'], phases: ['im-deregistration', 'refresh'], attempts: ['first'], description: 'First attempt of an IM-only de-registration, and of a refresh that switches IM back on.' },
  decision: 'Catalog 11.6: a REGISTER that carries the tags again after an IM-only de-registration is an "IM re-registration" and counts as initial for OMA-IM-REG-015.',
  docs: {
    what: 'Tells where the client left IM (binding kept, IM tags removed) and where it came back (tags again).',
    why: 'An IM-only de-registration is legal and looks like a refresh that forgot the tags; the notice makes the classification visible.',
    get failing() {
      return flow(...imRegistration(), register({ cseq: 2, contact: PLAIN_CONTACT }));
    },
    get passing() {
      return flow(...imRegistration(), register({ cseq: 2 }));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const primary = ctx.req.contacts.find((c) => !c.star && c.effExpiry !== 0);
    const span = primary?.span ?? startLineSpan(ctx.sip);
    if (ctx.exchange.phase === 'im-deregistration') {
      const kept = ctx.exchange.keptLineageKey ? ctx.lineageOf(ctx.exchange.keptLineageKey) : ctx.lineage;
      const t = kept?.lastTagged;
      ctx.report(span, 'IM-only de-registration: the binding stays registered with the SIP/IP Core and the IM tags are removed', t ? [{ messageIndex: t.index, span: t.span, message: 'last REGISTER with the IM tags' }] : []);
    } else if (ctx.exchange.imReRegistration) {
      const d = ctx.lineage.lastDereg;
      ctx.report(span, 'IM re-registration: the IM tags are back on a binding registered without them; the IM service settings are published again (OMA-IM-REG-015)', d ? [{ messageIndex: d.index, span: d.span, message: 'IM-only de-registration' }] : []);
    }
  },
});

export const omaImReg019 = defineRule({
  id: 'OMA-IM-REG-019',
  title: 'Full de-registration uses `Expires: 0`',
  defaultSeverity: 'warning',
  clause: 'OMA-TS-SIMPLE_IM §5.2.3 item 3; RFC 3261 §10.2.2',
  basis: 'SHALL',
  appliesTo: { events: ['register'], phases: ['full-deregistration'], description: 'Full de-registrations naming their contact(s) (the wildcard form is RFC3261-REG-013).' },
  decision: 'Not error: the registrar removes the binding either way (the contact parameter wins, RFC 3261 §10.2.1.1); the CR names the Expires header form.',
  docs: {
    what: 'A full de-registration sends `Expires: 0`. Removing the binding only through `;expires=0` on the contact, or with an `Expires` header that says otherwise, is reported.',
    why: 'OMA SIMPLE IM §5.2.3 item 3 asks for a REGISTER "with an Expires header set to 0"; a non-zero Expires next to `expires=0` states two intents.',
    get failing() {
      return register({ cseq: 5, contact: `${PLAIN_CONTACT};expires=0`, expires: '3600' });
    },
    get passing() {
      return register({ cseq: 5, contact: PLAIN_CONTACT, expires: '0' });
    },
    fix: '`Contact: <sip:alice@192.0.2.10:5060>` + `Expires: 0` (or `Contact: *` + `Expires: 0`).',
  },
  check(ctx) {
    if (ctx.event !== 'register') return;
    const { req } = ctx;
    if (req.star) return;
    const exp = req.expiresHeader;
    if (exp && exp.value === 0) return;
    for (const c of req.contacts) {
      if (c.star || !c.expiresParam || c.effExpiry !== 0) continue;
      if (!exp) {
        ctx.report(c.expiresParam.span, 'full de-registration through the contact parameter expires=0 only; OMA-TS-SIMPLE_IM §5.2.3 item 3 asks for an "Expires: 0" header');
      } else {
        ctx.report(exp.header.valueSpan, `Expires: ${exp.raw} contradicts expires=0 on the contact being removed (the contact parameter wins); send "Expires: 0"`, [
          { messageIndex: ctx.msg.index, span: c.expiresParam.span, message: 'contact expires=0' },
        ]);
      }
    }
  },
});

export const omaImReg020 = defineRule({
  id: 'OMA-IM-REG-020',
  title: 'IM tags on full de-registration',
  defaultSeverity: 'info',
  clause: 'Rule catalog decision 11.5 (OMA-TS-SIMPLE_IM §5.2.3 is silent)',
  basis: 'DECISION',
  noDiagnostic: true,
  appliesTo: { events: [], phases: ['full-deregistration'], description: 'Full de-registrations.' },
  decision: 'Catalog 11.5: whether the IM tags are present or absent on a full de-registration is not checked (`Contact: *` cannot carry them at all); this page documents that no finding is produced.',
  docs: {
    what: 'Documents a decision: a REGISTER that removes the binding may carry the IM tags or not.',
    why: 'The change request does not say whether §5.2.1 item 2 applies to a REGISTER with expiry 0; the binding is removed either way.',
    get failing() {
      return '';
    },
    get passing() {
      return flow(...imRegistration(), register({ cseq: 2, contact: IM_CONTACT, expires: '0' }));
    },
  },
  check() {
    /* no diagnostic by decision */
  },
});

export const omaImReg021 = defineRule({
  id: 'OMA-IM-REG-021',
  title: 'E.164 identities may be registered implicitly',
  defaultSeverity: 'info',
  clause: 'OMA-TS-SIMPLE_IM §5.2.2 note 3; 3GPP TS 24.229 §5.1.1.2.1 (P-Associated-URI)',
  basis: 'DECISION',
  appliesTo: { events: ['register-response'], description: '2xx responses to REGISTER with a P-Associated-URI header.' },
  decision: 'Every P-Associated-URI of a 2xx (tel: URIs included) is added to the identities of the registered AOR, so later checks (the settings PUBLISH) accept them; the absence of a separate REGISTER for a tel: URI is never flagged.',
  docs: {
    what: 'Lists the identities registered implicitly with the AOR (P-Associated-URI of the 2xx), e.g. an E.164 tel: URI.',
    why: 'OMA SIMPLE IM allows E.164 identities to be registered implicitly; a PUBLISH or MESSAGE from such an identity is then legitimate.',
    get failing() {
      return flow(register(), reply(register(), 200, { extra: [`P-Associated-URI: <${EX.aor}>, <tel:+15551230001>`] }));
    },
    get passing() {
      return flow(register(), reply(register(), 200, { extra: [`P-Associated-URI: <${EX.aor}>`] }));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission || !ctx.exchange) return;
    if (ctx.res.status < 200 || ctx.res.status >= 300) return;
    const others = ctx.res.pAssociatedUri.filter((u) => u.toLowerCase() !== ctx.exchange?.aor.toLowerCase());
    const h = firstHeader(ctx.sip, 'p-associated-uri');
    if (!h || others.length === 0) return;
    ctx.report(h.valueSpan, `identities registered implicitly with ${ctx.exchange.aor}: ${others.join(', ')} (OMA-TS-SIMPLE_IM §5.2.2 note 3)`);
  },
});

export const omaImReg022 = defineRule({
  id: 'OMA-IM-REG-022',
  title: '`420 Bad Extension` naming `pref`',
  defaultSeverity: 'warning',
  clause: 'RFC 3261 §8.2.2.3, §10.3 step 2; OMA-TS-SIMPLE_IM §5.2.1 item 3',
  basis: 'INTEROP',
  appliesTo: { events: ['register-response'], description: '420 responses to REGISTER whose Unsupported lists `pref` (network side).' },
  decision: 'Catalog 11.19: the finding is about the network (the core rejects an option tag OMA makes mandatory); if the client then drops `Require: pref`, OMA-IM-REG-008 still fires and mentions the 420.',
  docs: {
    what: 'The registrar answers `420 Bad Extension` with `Unsupported: pref`: the SIP/IP Core does not support the option tag OMA SIMPLE IM requires.',
    why: 'An OMA IM client cannot register with such a core without breaking §5.2.1 item 3; the core needs RFC 3840 support.',
    get failing() {
      return flow(register(), reply(register(), 420, { extra: ['Unsupported: pref'] }));
    },
    get passing() {
      return flow(register(), reply(register(), 200));
    },
  },
  check(ctx) {
    if (ctx.event !== 'register-response' || ctx.retransmission || ctx.res.status !== 420) return;
    const pref = ctx.res.unsupported.find((t) => t.token.toLowerCase() === 'pref');
    if (!pref) return;
    ctx.report(pref.span, 'the registrar rejects the option tag "pref" that OMA-TS-SIMPLE_IM §5.2.1 item 3 makes mandatory: the SIP/IP Core lacks RFC 3840 support (network side)');
  },
});

