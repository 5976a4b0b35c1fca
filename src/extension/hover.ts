/**
 * Hovers in SIP logs and decoded captures: what a header, a Contact feature tag or parameter, or
 * an option tag means, where it is specified, and which rules check it (each a link to the rule's
 * page). Found from the line's text alone, so it works in any log dialect (the log's prefix is
 * skipped: a header name is a known name followed by `:`), in decoded views and in large logs.
 */
import * as vscode from 'vscode';
import { ruleById } from '../core/rules/index';
import { misspelledImTag } from '../core/rules/oma-im-tags';
import { canonicalHeaderKey, headerSpec } from '../core/sip/index';
import { COMMANDS } from './commands';

interface Entry {
  /** One or two sentences: what it is and what it does in a REGISTER. */
  text: string;
  /** Where it is specified. */
  spec: string;
  /** Rules that check it. */
  rules?: readonly string[];
}

const IM_TAG_RULES = ['OMA-IM-REG-004', 'OMA-IM-REG-005', 'OMA-IM-REG-006', 'OMA-IM-REG-007', 'OMA-IM-REG-016', 'OMA-IM-REG-017', 'RFC3261-RSP-011'];

interface Tables {
  headers: Record<string, Entry>;
  params: Record<string, Entry>;
  optionTags: Record<string, Entry>;
}

let tables: Tables | undefined;

/** Built on first use: the texts are localised, and the l10n bundle is ready once the extension runs. */
function getTables(): Tables {
  tables ??= buildTables();
  return tables;
}

function buildTables(): Tables {
  /** Headers, by canonical lowercase name. */
  const headers: Record<string, Entry> = {
    contact: {
      text: vscode.l10n.t('The address(es) bound to the address-of-record. In an OMA SIMPLE IM REGISTER each registering Contact carries the three IM feature tags as header parameters, after the `>`.'),
      spec: 'RFC 3261 §10.2.1, §20.10; OMA-TS-SIMPLE_IM §5.2.1 items 2-2b; RFC 3840 §9',
      rules: ['OMA-IM-REG-001', 'OMA-IM-REG-002', 'OMA-IM-REG-003', 'OMA-IM-REG-006', 'OMA-IM-REG-007', 'OMA-IM-REG-016', 'RFC3261-REG-013', 'RFC3261-REG-014', 'RFC3261-REG-015', 'RFC3261-REG-018', 'RFC3261-REG-019', 'RFC3261-REG-020'],
    },
    expires: {
      text: vscode.l10n.t('Lifetime in seconds of the contacts that have no `expires` parameter. `Expires: 0` removes the binding(s): a full de-registration.'),
      spec: 'RFC 3261 §10.2.1.1, §10.2.2, §20.19; OMA-TS-SIMPLE_IM §5.2.3 item 3',
      rules: ['OMA-IM-REG-019', 'RFC3261-REG-013', 'RFC3261-REG-016', 'RFC3261-REG-017'],
    },
    require: {
      text: vscode.l10n.t('Option tags the registrar must understand, or reject the request with 420 Bad Extension. An OMA SIMPLE IM client sends `Require: pref` so that the registrar does not ignore the feature tags in Contact.'),
      spec: 'RFC 3261 §20.32; RFC 3840 §9; OMA-TS-SIMPLE_IM §5.2.1 item 3',
      rules: ['OMA-IM-REG-008', 'RFC3840-007'],
    },
    supported: {
      text: vscode.l10n.t('Option tags the client supports. `pref` listed here does not replace `Require: pref`.'),
      spec: 'RFC 3261 §20.37',
      rules: ['OMA-IM-REG-008'],
    },
    'proxy-require': {
      text: vscode.l10n.t('Option tags every proxy on the path must support. `pref` belongs in Require, not here.'),
      spec: 'RFC 3261 §20.29',
      rules: ['OMA-IM-REG-008'],
    },
    unsupported: {
      text: vscode.l10n.t('Option tags the server does not support, listed in a 420 Bad Extension.'),
      spec: 'RFC 3261 §20.40',
      rules: ['OMA-IM-REG-022'],
    },
    'user-agent': {
      text: vscode.l10n.t('The client software. An OMA SIMPLE IM client announces its IM release with the product `IM-client/OMA1.0` (or `OMA2.0`), first in the header.'),
      spec: 'RFC 3261 §20.41; OMA-TS-SIMPLE_IM §5.2.1 item 4, Appendix F',
      rules: ['OMA-IM-REG-009', 'OMA-IM-REG-010', 'OMA-IM-REG-011', 'OMA-IM-REG-012'],
    },
    via: {
      text: vscode.l10n.t('The path of the request; the top `branch` (starting with the magic cookie `z9hG4bK`) identifies the transaction.'),
      spec: 'RFC 3261 §8.1.1.7, §20.42',
      rules: ['RFC3261-REG-008', 'RFC3261-REG-009', 'RFC3261-RSP-001'],
    },
    from: { text: vscode.l10n.t('Who makes the registration: the AOR itself unless it is a third-party registration.'), spec: 'RFC 3261 §10.2, §20.20', rules: ['RFC3261-REG-003'] },
    to: { text: vscode.l10n.t('The address-of-record whose bindings the REGISTER creates, refreshes or removes; no tag in the request.'), spec: 'RFC 3261 §10.2, §20.39', rules: ['RFC3261-REG-002', 'RFC3261-REG-004', 'RFC3261-RSP-002'] },
    'call-id': { text: vscode.l10n.t('Stays the same in every REGISTER a client sends to one registrar.'), spec: 'RFC 3261 §10.2, §20.8', rules: ['RFC3261-REG-010'] },
    cseq: { text: vscode.l10n.t('Increases by one with every REGISTER of the same Call-ID; orders the registrations.'), spec: 'RFC 3261 §10.2, §20.16', rules: ['RFC3261-REG-006', 'RFC3261-REG-011', 'RFC3261-REG-012'] },
    'max-forwards': { text: vscode.l10n.t('Hop limit of the request (70 recommended).'), spec: 'RFC 3261 §8.1.1.6, §20.22', rules: ['RFC3261-REG-007'] },
    'content-length': { text: vscode.l10n.t('Length of the body in bytes (0 for a REGISTER).'), spec: 'RFC 3261 §20.14', rules: ['RFC3261-REG-022'] },
    'record-route': { text: vscode.l10n.t('Has no meaning in a REGISTER: registration creates no dialog.'), spec: 'RFC 3261 §10.2, §16.6', rules: ['RFC3261-REG-021'] },
    route: { text: vscode.l10n.t('Where the request goes first: for OMA SIMPLE IM the SIP/IP Core (P-CSCF or outbound proxy).'), spec: 'RFC 3261 §20.34; OMA-TS-SIMPLE_IM §5.2.1 item 5', rules: ['OMA-IM-REG-013'] },
    authorization: { text: vscode.l10n.t('Credentials answering the registrar\'s challenge (401).'), spec: 'RFC 3261 §22.4, §20.7; OMA-TS-SIMPLE_IM §5.2.2', rules: ['OMA-IM-REG-014', 'RFC3261-RSP-005'] },
    'www-authenticate': { text: vscode.l10n.t('The registrar\'s challenge in a 401; the client resends the REGISTER with credentials.'), spec: 'RFC 3261 §22.2, §20.44', rules: ['RFC3261-RSP-004', 'RFC3261-RSP-005'] },
    'proxy-authenticate': { text: vscode.l10n.t('A proxy\'s challenge in a 407.'), spec: 'RFC 3261 §22.3, §20.27', rules: ['RFC3261-RSP-004', 'RFC3261-RSP-005'] },
    'min-expires': { text: vscode.l10n.t('The shortest registration interval the registrar accepts, in a 423 Interval Too Brief.'), spec: 'RFC 3261 §10.3 step 7, §20.23', rules: ['RFC3261-RSP-006', 'RFC3261-RSP-007'] },
    path: { text: vscode.l10n.t('Proxies on the way to the registrar that want to stay on the path of requests to this contact.'), spec: 'RFC 3327' },
    'service-route': { text: vscode.l10n.t('Route the registrar gives for the client\'s later requests (the settings PUBLISH follows it).'), spec: 'RFC 3608', rules: ['OMA-IM-PUB-005'] },
    'p-associated-uri': { text: vscode.l10n.t('Identities registered implicitly with the AOR (for example an E.164 tel: URI).'), spec: 'RFC 7315 §4.1; OMA-TS-SIMPLE_IM §5.2.2 note 3', rules: ['OMA-IM-REG-021'] },
    'accept-contact': { text: vscode.l10n.t('Caller preferences: a request header with no effect on registration.'), spec: 'RFC 3841 §10.2', rules: ['RFC3841-001'] },
    'reject-contact': { text: vscode.l10n.t('Caller preferences: a request header with no effect on registration.'), spec: 'RFC 3841 §10.3', rules: ['RFC3841-001'] },
    event: { text: vscode.l10n.t('Event package of a PUBLISH (the IM service settings publication).'), spec: 'RFC 3903; OMA-TS-SIMPLE_IM §5.2.4', rules: ['OMA-IM-PUB-003'] },
    'content-type': { text: vscode.l10n.t('Media type of the body (the IM service settings document of a PUBLISH).'), spec: 'RFC 3261 §20.15', rules: ['OMA-IM-PUB-003'] },
    'security-client': { text: vscode.l10n.t('Security mechanisms the client offers (IMS security agreement).'), spec: 'RFC 3329', rules: ['OMA-IM-REG-014'] },
    'security-verify': { text: vscode.l10n.t('Echo of the server\'s Security-Server after the challenge (IMS security agreement).'), spec: 'RFC 3329', rules: ['OMA-IM-REG-014'] },
    'security-server': { text: vscode.l10n.t('Security mechanisms the server supports, in the 401 (IMS security agreement).'), spec: 'RFC 3329', rules: ['OMA-IM-REG-014'] },
  };

  /** Contact header parameters and feature tags, by lowercase name. */
  const params: Record<string, Entry> = {
    '+g.oma.sip-im': {
      text: vscode.l10n.t('OMA SIMPLE IM feature tag: this contact accepts IM traffic. Without it the SIP/IP Core routes no IM requests to the client. A boolean tag: written without a value.'),
      spec: 'OMA-TS-SIMPLE_IM §5.2.1 item 2; RFC 3840 §9',
      rules: ['OMA-IM-REG-001', ...IM_TAG_RULES],
    },
    '+g.oma.sip-im.system-message': {
      text: vscode.l10n.t('OMA SIMPLE IM feature tag: the client can receive System Messages. A boolean tag: written without a value.'),
      spec: 'OMA-TS-SIMPLE_IM §5.2.1 item 2a; RFC 3840 §9',
      rules: ['OMA-IM-REG-002', ...IM_TAG_RULES],
    },
    '+g.oma.sip-im.large-message': {
      text: vscode.l10n.t('OMA SIMPLE IM feature tag: the client supports Large Message mode sessions. A boolean tag: written without a value.'),
      spec: 'OMA-TS-SIMPLE_IM §5.2.1 item 2b; RFC 3840 §9',
      rules: ['OMA-IM-REG-003', ...IM_TAG_RULES],
    },
    '+sip.instance': {
      text: vscode.l10n.t('Instance ID: a URN that names the device across restarts and changes of address; the registrar keys the binding on it.'),
      spec: 'RFC 5626 §4.1; RFC 5627',
      rules: ['OMA-IM-REG-017', 'FLOW-003'],
    },
    'reg-id': {
      text: vscode.l10n.t('Flow number of SIP Outbound: with `+sip.instance` and `Supported: outbound` the registrar keeps one binding per flow.'),
      spec: 'RFC 5626 §4.2',
    },
    expires: {
      text: vscode.l10n.t('Lifetime of this one binding in seconds; it overrides the Expires header. `expires=0` removes the binding.'),
      spec: 'RFC 3261 §10.2.1.1, §20.10',
      rules: ['OMA-IM-REG-019', 'RFC3261-REG-016', 'RFC3261-REG-017'],
    },
    q: { text: vscode.l10n.t('Relative preference of this contact, 0 to 1.'), spec: 'RFC 3261 §20.10', rules: ['RFC3261-REG-019'] },
    action: { text: vscode.l10n.t('Deprecated RFC 2543 parameter; registrars ignore it.'), spec: 'RFC 3261 §10.2.1 (removed)', rules: ['RFC3261-REG-018'] },
    'pub-gruu': { text: vscode.l10n.t('Public GRUU the registrar assigned to this instance (in the 2xx).'), spec: 'RFC 5627 §5' },
    'temp-gruu': { text: vscode.l10n.t('Temporary GRUU the registrar assigned to this instance (in the 2xx).'), spec: 'RFC 5627 §5' },
  };

  /** Option tags (Require, Supported, Proxy-Require, Unsupported). */
  const optionTags: Record<string, Entry> = {
    pref: {
      text: vscode.l10n.t('Caller preferences and callee capabilities: the server must understand the feature tags in Contact. OMA SIMPLE IM requires it in Require.'),
      spec: 'RFC 3840 §9; OMA-TS-SIMPLE_IM §5.2.1 item 3',
      rules: ['OMA-IM-REG-008', 'OMA-IM-REG-022', 'RFC3840-007'],
    },
    path: { text: vscode.l10n.t('The client supports the Path header: proxies on the way to the registrar can stay on the path of requests to it.'), spec: 'RFC 3327' },
    gruu: { text: vscode.l10n.t('The client wants Globally Routable User agent URIs for its instance.'), spec: 'RFC 5627' },
    outbound: { text: vscode.l10n.t('SIP Outbound: the client keeps flows (reg-id) that the registrar and edge proxy reuse for incoming requests.'), spec: 'RFC 5626' },
    'sec-agree': { text: vscode.l10n.t('Security mechanism agreement (Security-Client / Security-Server / Security-Verify), used by IMS.'), spec: 'RFC 3329' },
  };
  return { headers, params, optionTags };
}

const OPTION_TAG_HEADERS = new Set(['require', 'supported', 'proxy-require', 'unsupported']);
const WORD = /[+A-Za-z0-9][A-Za-z0-9.!%*_+`'~-]*/;

function ruleLinks(ids: readonly string[] | undefined): string {
  const known = (ids ?? []).filter((id) => ruleById(id));
  if (!known.length) return '';
  const links = known.map((id) => `[${id}](command:${COMMANDS.showRuleDocumentation}?${encodeURIComponent(JSON.stringify([id]))} "${ruleById(id)!.title.replace(/["`]/g, '')}")`);
  return `${vscode.l10n.t('Checked by')}: ${links.join(', ')}`;
}

function render(title: string, e: Entry, extra?: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: [COMMANDS.showRuleDocumentation] };
  md.appendMarkdown(`**${title}** — ${e.text}\n\n`);
  if (extra) md.appendMarkdown(`${extra}\n\n`);
  md.appendMarkdown(`*${e.spec}*`);
  const rules = ruleLinks(e.rules);
  if (rules) md.appendMarkdown(`\n\n${rules}`);
  return md;
}

/** The header a log line holds: the last `name:` before `column` whose name is a known header (skips the log's prefix). */
function headerOfLine(line: string, column: number): string | undefined {
  const re = /([A-Za-z][A-Za-z0-9-]*)[ \t]*:/g;
  let found: string | undefined;
  for (let m = re.exec(line); m && m.index < column; m = re.exec(line)) {
    const key = canonicalHeaderKey(m[1]).key;
    if (headerSpec(key)) found = key;
  }
  return found;
}

export class SipHover implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const range = doc.getWordRangeAtPosition(pos, WORD);
    if (!range) return undefined;
    const line = doc.lineAt(pos.line).text;
    const word = doc.getText(range);
    const before = line.slice(0, range.start.character);
    const after = line.slice(range.end.character);
    const lower = word.toLowerCase();
    const { headers: HEADERS, params: PARAMS, optionTags: OPTION_TAGS } = getTables();

    // A header name: a known header followed by ':' (not a parameter, not inside a URI).
    if (/^[ \t]*:/.test(after) && !/[;<@]\s*$/.test(before)) {
      const key = canonicalHeaderKey(word).key;
      const e = HEADERS[key];
      if (e) return new vscode.Hover(render(headerSpec(key)?.name ?? word, e), range);
      return undefined;
    }
    // A header parameter or feature tag: right after ';'.
    if (/;[ \t]*$/.test(before)) {
      const e = PARAMS[lower];
      if (e) return new vscode.Hover(render(word, e), range);
      const meant = misspelledImTag(word);
      if (meant) {
        return new vscode.Hover(render(word, PARAMS[meant], vscode.l10n.t('Not an IM feature tag: {0} is spelled `{1}`.', word, meant)), range);
      }
      return undefined;
    }
    // An option tag in Require / Supported / Proxy-Require / Unsupported.
    const e = OPTION_TAGS[lower];
    const header = headerOfLine(line, range.start.character);
    if (e && header && OPTION_TAG_HEADERS.has(header)) return new vscode.Hover(render(word, e), range);
    return undefined;
  }
}
