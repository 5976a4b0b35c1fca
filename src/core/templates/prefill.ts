/**
 * Template fields taken from a trace: the flow the user picked (a REGISTER exchange of the
 * checker's ExchangeSummary list, a message, or a Call-ID) gives the AOR, the registrar, the
 * Contact, the instance id, the Call-ID and the next CSeq, the From tag, the User-Agent products,
 * the expiry, the IM release, and for credentials the last challenge (realm, nonce, opaque,
 * algorithm, qop). What the trace does not show keeps its blank-form default.
 */
import type { TraceMessage } from '../types';
import type { ExchangeSummary } from '../register/model';
import { challengesOf, paramText, publishFacts, registerFacts, responseFacts } from '../register/facts';
import { firstHeader, headersOf } from '../sip/parser';
import { parseProducts } from '../sip/values';
import { DEFAULT_SECURITY_CLIENT, availableKinds, blankFields, type Rng } from './generate';
import type { ChallengeFields, TemplateFields, TemplateKind, TemplateOptions } from './model';

/** Which flow of a trace to start from; the first that matches wins, the last exchange otherwise. */
export interface FlowRef {
  exchangeId?: number;
  /** Any message of the flow (request, response, retransmission). */
  messageIndex?: number;
  callId?: string;
  /** Normalised AOR (ExchangeSummary.aor), together with callId or alone. */
  aor?: string;
}

export interface TracePrefill {
  fields: TemplateFields;
  options: Partial<TemplateOptions>;
  /** What the client would send next in this flow. */
  suggestedKind: TemplateKind;
  /** Messages of the flow (REGISTERs of the Call-ID and their responses, the AOR's PUBLISHes), in trace order. */
  messageIndexes: number[];
  /** The exchange the prefill started from. */
  exchange?: ExchangeSummary;
  /** Human description: "Call-ID … of sip:alice@…, 6 REGISTER exchanges". */
  description: string;
  /** Which fields came from the trace (for the UI to mark them). */
  fromTrace: (keyof TemplateFields)[];
}

function pickExchange(exchanges: readonly ExchangeSummary[], ref: FlowRef): ExchangeSummary | undefined {
  if (ref.exchangeId !== undefined) {
    const e = exchanges.find((x) => x.id === ref.exchangeId);
    if (e) return e;
  }
  if (ref.messageIndex !== undefined) {
    const i = ref.messageIndex;
    const e = exchanges.find((x) => x.requestIndex === i || x.responseIndexes.includes(i) || x.retransmissionIndexes.includes(i));
    if (e) return e;
  }
  if (ref.callId !== undefined) {
    const list = exchanges.filter((x) => x.callId === ref.callId && (ref.aor === undefined || x.aor === ref.aor));
    if (list.length) return list[list.length - 1];
  }
  if (ref.aor !== undefined) {
    const list = exchanges.filter((x) => x.aor === ref.aor);
    if (list.length) return list[list.length - 1];
  }
  return exchanges[exchanges.length - 1];
}

function hostText(host: string | undefined): string | undefined {
  return host?.replace(/^\[|\]$/g, '');
}

function isAka(algorithm: string | undefined): boolean {
  return !!algorithm && algorithm.toUpperCase().startsWith('AKA');
}

/** Splits a User-Agent into the IM release (`IM-client/OMA1.0`) and the vendor products (catalog 11.2). */
function userAgentParts(m: TraceMessage): { imRelease?: string; vendor?: string } | undefined {
  const h = firstHeader(m.sip, 'user-agent');
  if (!h) return undefined;
  const products = parseProducts(m.sip, h);
  let imRelease: string | undefined;
  const vendor: string[] = [];
  for (const p of products) {
    if (!p.isComment && p.product.toLowerCase() === 'im-client' && p.version && imRelease === undefined) imRelease = p.version;
    else vendor.push(m.sip.text.slice(p.span.start, p.span.end));
  }
  return { imRelease, vendor: vendor.join(' ') };
}

/**
 * Fields for templates continuing the flow `ref` of a checked trace. `messages[i].index === i`
 * (as the trace engine numbers them); exchanges come from RegisterChecker.end().
 */
export function prefillFromTrace(
  messages: readonly TraceMessage[],
  exchanges: readonly ExchangeSummary[],
  ref: FlowRef = {},
  opts: { imRelease?: string; eventPackage?: string; contentType?: string; rng?: Rng } = {},
): TracePrefill {
  const exchange = pickExchange(exchanges, ref);
  const flow = exchange ? exchanges.filter((x) => x.callId === exchange.callId && x.aor === exchange.aor).sort((a, b) => a.requestIndex - b.requestIndex) : [];
  const options: Partial<TemplateOptions> = {};
  const fromTrace = new Set<keyof TemplateFields>();
  let ims = false;
  const last = flow[flow.length - 1];
  const lastReq = last ? messages[last.requestIndex] : undefined;
  const lastFacts = lastReq ? registerFacts(lastReq.sip) : undefined;
  if (lastFacts && (firstHeader(lastReq!.sip, 'security-client') || /3gppnetwork\.org$/i.test(lastFacts.registrar))) ims = true;
  const fields = blankFields(ims ? 'ims' : 'generic', opts);
  const set = <K extends keyof TemplateFields>(k: K, v: TemplateFields[K] | undefined) => {
    if (v === undefined || (typeof v === 'string' && v.trim() === '')) return;
    fields[k] = v;
    fromTrace.add(k);
  };

  let maxCSeq = 0;
  let lastExpiry: number | undefined;
  let lastNonce: string | undefined;
  let lastNc = 0;
  let lastChallenge: { ch: ChallengeFields; proxy: boolean; securityServer?: string; index: number } | undefined;
  let lastOk: { serviceRoute: string[]; index: number } | undefined;
  for (const x of flow) {
    const m = messages[x.requestIndex];
    if (!m) continue;
    const f = registerFacts(m.sip);
    if (f.cseq && f.cseq.num > maxCSeq) maxCSeq = f.cseq.num;
    const c = f.contacts.find((k) => !k.star);
    if (c && typeof c.effExpiry === 'number' && c.effExpiry > 0) lastExpiry = c.effExpiry;
    const cred = f.authorization ?? f.proxyAuthorization;
    const nonce = cred?.values.get('nonce');
    if (cred && nonce) {
      const nc = parseInt(cred.values.get('nc') ?? '0', 16);
      if (nonce !== lastNonce) lastNc = 0;
      lastNonce = nonce;
      if (Number.isFinite(nc) && nc > lastNc) lastNc = nc;
    }
    if (x.finalStatus === 401 || x.finalStatus === 407) {
      const idx = x.responseIndexes.find((i) => messages[i]?.sip.startLine?.kind === 'response' && (messages[i].sip.startLine as { status: number }).status === x.finalStatus);
      const r = idx !== undefined ? messages[idx] : undefined;
      if (r) {
        const chs = challengesOf(r.sip, x.finalStatus === 407 ? 'proxy-authenticate' : 'www-authenticate').filter((k) => k.scheme.toLowerCase() === 'digest');
        // Prefer a challenge whose algorithm we can answer (RFC 8760 §2.4: the first acceptable one).
        const pick = chs.find((k) => /^(sha-256|md5)(-sess)?$/i.test(k.algorithm ?? 'MD5')) ?? chs[0];
        if (pick?.nonce !== undefined && pick.realm !== undefined) {
          lastChallenge = {
            ch: { realm: pick.realm, nonce: pick.nonce, opaque: pick.opaque, algorithm: pick.algorithm, qop: pick.qop },
            proxy: x.finalStatus === 407,
            securityServer: headersOf(r.sip, 'security-server').map((h) => h.value).join(', ') || undefined,
            index: idx!,
          };
        }
      }
    }
    if (x.finalStatus !== undefined && x.finalStatus >= 200 && x.finalStatus < 300) {
      const idx = x.responseIndexes[x.responseIndexes.length - 1];
      const r = idx !== undefined ? messages[idx] : undefined;
      if (r) lastOk = { serviceRoute: responseFacts(r.sip).serviceRoute, index: idx };
    }
  }

  if (lastReq && lastFacts) {
    const f = lastFacts;
    set('registrar', f.requestUri?.text.trim());
    set('aor', f.to?.uri?.text.trim());
    set('callId', f.callId);
    set('fromTag', f.fromTag);
    if (maxCSeq > 0) set('cseq', maxCSeq + 1);
    const c = f.contacts.find((k) => !k.star);
    if (c?.uri) {
      set('contactUser', c.uri.user);
      set('contactHost', hostText(c.uri.host));
      set('contactPort', c.uri.port);
      // Keep the trace's choice: a client without +sip.instance keeps its URI-keyed binding (catalog 2.2).
      fields.instanceId = c.instance?.replace(/^<|>$/g, '') || undefined;
      if (c.instance) fromTrace.add('instanceId');
      const host = hostText(c.uri.host);
      if (host) fields.publishCallId = fields.publishCallId.replace(/@.*$/, `@${host}`);
      if (c.regId !== undefined) {
        options.outbound = true;
        const n = Number(c.regId);
        if (Number.isInteger(n) && n > 0) set('regId', n);
      }
      const tp = paramText(c.uri.params.find((p) => p.name.toLowerCase() === 'transport'))?.toUpperCase();
      const via = f.via.list[0]?.split(' ')[0];
      const transport = tp ?? via ?? lastReq.transport;
      if (transport === 'TCP' || transport === 'TLS' || transport === 'UDP') options.transport = transport;
    }
    if (f.supported.some((s) => s.token.toLowerCase() === 'gruu')) options.gruu = true;
    else options.gruu = false;
    if (lastExpiry !== undefined) set('expires', lastExpiry);
    const ua = userAgentParts(lastReq);
    if (ua) {
      set('imRelease', ua.imRelease);
      set('vendorProduct', ua.vendor);
    }
    const cred = f.authorization ?? f.proxyAuthorization;
    set('username', cred?.values.get('username') || undefined);
    const sc = headersOf(lastReq.sip, 'security-client').map((h) => h.value).join(', ');
    if (sc) set('securityClient', sc);
    const route = headersOf(lastReq.sip, 'route')[0];
    if (route) set('outboundProxy', route.value.split(',')[0].trim().replace(/^<|>$/g, ''));
  }
  let auth: TemplateOptions['auth'] = 'none';
  if (lastChallenge) {
    set('challenge', lastChallenge.ch);
    set('securityServer', lastChallenge.securityServer);
    options.proxyChallenge = lastChallenge.proxy;
    auth = isAka(lastChallenge.ch.algorithm) ? 'ims-aka' : 'digest';
    // The next request reuses the challenge's nonce with the next count (RFC 7616 §3.4.5).
    set('nonceCount', lastChallenge.ch.nonce === lastNonce ? lastNc + 1 : 1);
  } else if (lastFacts && (lastFacts.authorization || lastFacts.proxyAuthorization)) {
    auth = isAka((lastFacts.authorization ?? lastFacts.proxyAuthorization)!.values.get('algorithm')) ? 'ims-aka' : 'digest';
  }
  options.auth = auth;
  if (auth === 'ims-aka') ims = true;
  options.profile = ims ? 'ims' : 'generic';
  if (ims && !fields.securityClient) fields.securityClient = DEFAULT_SECURITY_CLIENT;
  if (lastOk && lastOk.serviceRoute.length) set('serviceRoute', lastOk.serviceRoute);

  // The AOR's settings PUBLISH, if any: its package and MIME type (catalog 11.1 leaves them open).
  const indexes = new Set<number>();
  for (const x of flow) {
    indexes.add(x.requestIndex);
    for (const i of x.responseIndexes) indexes.add(i);
    for (const i of x.retransmissionIndexes) indexes.add(i);
  }
  if (exchange) {
    const publishCallIds = new Set<string>();
    for (const m of messages) {
      const sl = m.sip.startLine;
      if (sl?.kind !== 'request' || sl.method.toUpperCase() !== 'PUBLISH') continue;
      const p = publishFacts(m.sip);
      if (p.fromAor !== exchange.aor && p.requestAor !== exchange.aor) continue;
      if (m.index < (flow[0]?.requestIndex ?? 0)) continue;
      indexes.add(m.index);
      if (p.callId) publishCallIds.add(p.callId);
      const ev = p.events[0]?.value.split(';')[0].trim();
      const ct = p.contentType?.value.split(';')[0].trim();
      if (ev && !opts.eventPackage) set('eventPackage', ev);
      if (ct && !opts.contentType) set('contentType', ct);
    }
    // Every other message of the flow's Call-IDs (responses to PUBLISH, stray retransmissions).
    for (const m of messages) {
      const cid = firstHeader(m.sip, 'call-id')?.value;
      if (cid !== undefined && (cid === exchange.callId || publishCallIds.has(cid))) indexes.add(m.index);
    }
  }

  let suggestedKind: TemplateKind = 'initial';
  if (last) {
    if (last.finalStatus === 401 || last.finalStatus === 407) suggestedKind = 'credentials';
    else if (last.finalStatus !== undefined && last.finalStatus >= 200 && last.finalStatus < 300) {
      suggestedKind = last.phase === 'full-deregistration' ? 'initial' : 'refresh';
    }
  }
  if (!availableKinds({ auth }).includes(suggestedKind)) suggestedKind = 'initial';

  const description = exchange
    ? `Call-ID ${exchange.callId} of ${exchange.aor}: ${flow.length} REGISTER exchange${flow.length === 1 ? '' : 's'}`
    : 'no REGISTER exchange in the trace: blank form';
  return {
    fields,
    options,
    suggestedKind,
    messageIndexes: [...indexes].sort((a, b) => a - b),
    exchange,
    description,
    fromTrace: [...fromTrace],
  };
}
