/// <reference lib="dom" />
/**
 * The templates webview: a form (kind, options, fields) on the left, the generated and checked
 * message with its actions, and the ladder of the flow the panel was opened on.
 *
 * Everything shown comes from the host through the typed protocol (src/core/protocol.ts). Trace
 * and template text is only ever set with `textContent` (or as SVG text nodes, ./svgDom.ts):
 * nothing is parsed as HTML. The page loads nothing from the network (CSP: this script by nonce,
 * styles and the codicon font from the extension only).
 *
 * Element ids the UI tests use are listed in ./ids.ts.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { InitMessage, TemplateAction, TemplateFormState, TemplateResultMessage, ToWebview } from '../core/protocol';
import { FORM_FIELDS, type FormFieldName, type FormGroup, type FormValues } from '../core/templates/form';
import { OPTION_SPACE, TEMPLATE_KINDS, type TemplateKind, type TemplateOptions } from '../core/templates/model';
import { IDS, fieldId, flowId, optionId } from './ids';
import { LadderView } from './ladderView';
import { loadState, onMessage, post, saveState } from './vscodeApi';

/** Element with a string `value` (vscode-textfield, vscode-textarea, vscode-single-select). */
type ValueElement = HTMLElement & { value: string };
type CheckElement = HTMLElement & { checked: boolean };

function el(tag: string, props: { id?: string; className?: string; text?: string } = {}, ...children: Node[]): HTMLElement {
  const e = document.createElement(tag);
  if (props.id) e.id = props.id;
  if (props.className) e.className = props.className;
  if (props.text !== undefined) e.textContent = props.text;
  for (const c of children) e.appendChild(c);
  return e;
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

const GROUP_LABELS: Record<FormGroup, string> = {
  identity: 'Identity and registration',
  contact: 'Contact',
  dialog: 'Call-ID, CSeq, tags',
  auth: 'Authentication (last challenge)',
  ims: 'IMS security agreement',
  publish: 'IM service settings PUBLISH',
};

const OPTION_LABELS: Record<keyof TemplateOptions, string> = {
  profile: 'Profile',
  auth: 'Authentication',
  transport: 'Transport',
  outbound: 'Outbound (reg-id, RFC 5626)',
  gruu: 'GRUU (RFC 5627)',
  wildcard: 'Full de-registration with Contact: *',
  proxyChallenge: 'Challenge came in a 407',
  acceptPlaceholders: 'Accept «» placeholders',
};

const SELECT_OPTIONS = ['profile', 'auth', 'transport'] as const;
const CHECK_OPTIONS = ['outbound', 'gruu', 'wildcard', 'proxyChallenge', 'acceptPlaceholders'] as const;

class App {
  private state?: TemplateFormState;
  private requestId = 0;
  private pending?: ReturnType<typeof setTimeout>;
  private lastResult?: TemplateResultMessage;
  private readonly ladder: LadderView;

  constructor() {
    document.body.replaceChildren(this.layout());
    const saved = loadState();
    this.ladder = new LadderView(
      byId(IDS.ladderHeader),
      byId(IDS.ladderScroll),
      byId(IDS.ladderBody),
      (messageIndex) => post({ type: 'reveal', messageIndex }),
      (ladderScrollTop) => saveState({ ladderScrollTop }),
    );
    onMessage((m) => this.receive(m));
    post({ type: 'ready', restored: saved.state });
  }

  private layout(): HTMLElement {
    const kind = el('vscode-single-select', { id: IDS.kind }) as ValueElement;
    const options = el('div', { className: 'options' });
    for (const key of SELECT_OPTIONS) {
      const select = el('vscode-single-select', { id: optionId(key) }) as ValueElement;
      for (const v of OPTION_SPACE[key]) {
        const o = el('vscode-option', { text: String(v) });
        o.setAttribute('value', String(v));
        select.appendChild(o);
      }
      select.addEventListener('change', () => this.changed());
      options.appendChild(el('div', { className: 'option' }, el('vscode-label', { text: OPTION_LABELS[key] }), select));
    }
    for (const key of CHECK_OPTIONS) {
      const box = el('vscode-checkbox', { id: optionId(key) }) as CheckElement;
      box.setAttribute('label', OPTION_LABELS[key]);
      box.addEventListener('change', () => this.changed());
      options.appendChild(el('div', { className: 'option check' }, box));
    }
    kind.addEventListener('change', () => this.changed());

    const groups = new Map<FormGroup, HTMLElement>();
    const fields = el('div', { id: IDS.fields });
    for (const spec of FORM_FIELDS) {
      let g = groups.get(spec.group);
      if (!g) {
        const c = el('vscode-collapsible', { className: `group group-${spec.group}` });
        c.setAttribute('title', GROUP_LABELS[spec.group]);
        if (spec.group === 'identity' || spec.group === 'auth') c.setAttribute('open', '');
        g = el('div', { className: 'group-body' });
        c.appendChild(g);
        fields.appendChild(c);
        groups.set(spec.group, g);
      }
      const control = el(spec.input === 'multiline' ? 'vscode-textarea' : 'vscode-textfield', { id: fieldId(spec.name) }) as ValueElement;
      if (spec.input === 'password') control.setAttribute('type', 'password');
      if (spec.input === 'number') control.setAttribute('inputmode', 'numeric');
      if (spec.hint) control.setAttribute('placeholder', spec.hint);
      control.setAttribute('maxlength', String(spec.maxLength));
      control.addEventListener('input', () => this.changed());
      const label = el('vscode-label', { text: spec.label });
      label.setAttribute('for', fieldId(spec.name));
      g.appendChild(el('div', { className: 'field' }, label, control));
    }

    const button = (id: string, icon: string, text: string, action: TemplateAction, secondary = false) => {
      const b = el('vscode-button', { id, text });
      b.setAttribute('icon', icon);
      if (secondary) b.setAttribute('secondary', '');
      b.addEventListener('click', () => this.act(action));
      return b;
    };
    const flow = el('div', { id: IDS.flow, className: 'flow' }, el('span', { className: 'muted', text: 'SIPp flow:' }));
    for (const k of TEMPLATE_KINDS) {
      const box = el('vscode-checkbox', { id: flowId(k) }) as CheckElement;
      box.setAttribute('label', k);
      box.checked = true;
      box.addEventListener('change', () => saveState({ flow: this.flowKinds() }));
      flow.appendChild(box);
    }

    return el(
      'main',
      {},
      el('header', {}, el('h1', { text: 'Compliant REGISTER templates' }), el('p', { id: IDS.source, className: 'muted' })),
      el(
        'div',
        { className: 'columns' },
        el('section', { className: 'form' }, el('div', { className: 'field' }, el('vscode-label', { text: 'Message' }), kind), options, fields),
        el(
          'section',
          { className: 'result' },
          el(
            'div',
            { className: 'actions' },
            button(IDS.copy, 'copy', 'Copy', 'copy'),
            button(IDS.insert, 'insert', 'Insert at cursor', 'insert', true),
            button(IDS.open, 'new-file', 'Open as SIP document', 'open', true),
            button(IDS.saveSipp, 'save', 'Save flow as SIPp scenario', 'saveSipp', true),
          ),
          flow,
          el('div', { id: IDS.status, className: 'status', text: 'Generating…' }),
          el('ul', { id: IDS.placeholders, className: 'placeholders' }),
          el('pre', { id: IDS.text, className: 'template' }),
          el('ul', { id: IDS.findings, className: 'findings' }),
          el('ul', { id: IDS.notes, className: 'notes muted' }),
          el('div', { id: IDS.actionResult, className: 'action-result', text: '' }),
        ),
      ),
      el(
        'section',
        { id: IDS.ladder, className: 'ladder' },
        el('div', { className: 'ladder-title' }, el('h2', { id: IDS.ladderTitle, text: 'Ladder' }), button(IDS.saveLadder, 'file-media', 'Save as SVG', 'saveLadder', true)),
        el('div', { id: IDS.ladderScroll, className: 'ladder-scroll' }, el('div', { id: IDS.ladderHeader, className: 'ladder-header' }), el('div', { id: IDS.ladderBody, className: 'ladder-body' })),
      ),
    );
  }

  private receive(m: ToWebview): void {
    switch (m.type) {
      case 'init':
        this.init(m);
        break;
      case 'template':
        if (m.requestId === this.requestId) this.showTemplate(m);
        break;
      case 'ladder': {
        byId(IDS.ladderTitle).textContent = m.model ? `Ladder — ${m.title}` : 'Ladder (open the templates from a capture or log to see its flow)';
        byId(IDS.ladder).toggleAttribute('data-empty', !m.model);
        this.ladder.show(m.model, loadState().ladderScrollTop ?? 0);
        break;
      }
      case 'actionResult': {
        const r = byId(IDS.actionResult);
        r.textContent = m.message;
        r.setAttribute('data-ok', String(m.ok));
        r.setAttribute('data-action', m.action);
        break;
      }
    }
  }

  private init(m: InitMessage): void {
    this.state = m.state;
    saveState({ state: m.state, origin: m.origin });
    const kind = byId<ValueElement>(IDS.kind);
    kind.replaceChildren(
      ...m.kinds.map((k) => {
        const o = el('vscode-option', { text: k.label });
        o.setAttribute('value', k.kind);
        return o;
      }),
    );
    byId(IDS.source).textContent = m.source.kind === 'trace' ? `From ${m.source.label} — ${m.source.description}` : 'Blank form (example identities from the rule catalog §12)';
    const saved = loadState().flow;
    if (saved) for (const k of TEMPLATE_KINDS) byId<CheckElement>(flowId(k)).checked = saved.includes(k);
    this.fill(m.state, m.source.kind === 'trace' ? m.source.fromTrace : []);
    this.send();
  }

  /** Puts a state into the controls (after init or restore). */
  private fill(s: TemplateFormState, fromTrace: readonly string[]): void {
    byId<ValueElement>(IDS.kind).value = s.kind;
    for (const key of SELECT_OPTIONS) byId<ValueElement>(optionId(key)).value = String(s.options[key]);
    for (const key of CHECK_OPTIONS) byId<CheckElement>(optionId(key)).checked = s.options[key];
    for (const spec of FORM_FIELDS) {
      const c = byId<ValueElement>(fieldId(spec.name));
      c.value = s.form[spec.name] ?? '';
      c.toggleAttribute('data-from-trace', fromTrace.includes(spec.name) || (spec.group === 'auth' && fromTrace.includes('challenge') && spec.name !== 'password' && spec.name !== 'username'));
    }
  }

  /** Reads the controls into a state. */
  private read(): TemplateFormState | undefined {
    if (!this.state) return undefined;
    const kindValue = byId<ValueElement>(IDS.kind).value;
    const kind = (TEMPLATE_KINDS as readonly string[]).includes(kindValue) ? (kindValue as TemplateKind) : this.state.kind;
    const options = { ...this.state.options };
    for (const key of SELECT_OPTIONS) {
      const v = byId<ValueElement>(optionId(key)).value;
      if ((OPTION_SPACE[key] as readonly string[]).includes(v)) (options as Record<string, unknown>)[key] = v;
    }
    for (const key of CHECK_OPTIONS) options[key] = byId<CheckElement>(optionId(key)).checked;
    const form: FormValues = {};
    for (const spec of FORM_FIELDS) form[spec.name as FormFieldName] = byId<ValueElement>(fieldId(spec.name)).value ?? '';
    return { kind, options, form };
  }

  private changed(): void {
    if (this.pending) clearTimeout(this.pending);
    // Typing fast sends one update, not one per key.
    this.pending = setTimeout(() => this.send(), 120);
  }

  private send(): void {
    this.pending = undefined;
    const s = this.read();
    if (!s) return;
    this.state = s;
    this.requestId++;
    document.body.setAttribute('data-request-id', String(this.requestId));
    saveState({ state: s });
    post({ type: 'update', requestId: this.requestId, state: s });
  }

  private flowKinds(): TemplateKind[] {
    return TEMPLATE_KINDS.filter((k) => byId<CheckElement>(flowId(k)).checked);
  }

  private act(action: TemplateAction): void {
    if ((action === 'copy' || action === 'insert' || action === 'open') && this.lastResult && !this.lastResult.ready) return;
    if (action === 'saveSipp') {
      const flow = this.flowKinds();
      post(flow.length ? { type: 'action', action, flow } : { type: 'action', action });
    } else post({ type: 'action', action });
  }

  private showTemplate(r: TemplateResultMessage): void {
    this.lastResult = r;
    const text = byId(IDS.text);
    text.textContent = r.text;
    text.setAttribute('data-kind', r.kind);
    const c = r.counts;
    const status = byId(IDS.status);
    status.textContent =
      `${c.error} errors, ${c.warning} warnings, ${c.info} notes from the checker` +
      (r.classification ? ` · classified as ${r.classification}` : '') +
      (r.digest === 'computed' ? ' · Digest response computed locally' : r.digest === 'placeholder' ? ' · Digest response is a placeholder' : '');
    status.setAttribute('data-errors', String(c.error));
    status.setAttribute('data-warnings', String(c.warning));
    status.setAttribute('data-ready', String(r.ready));
    const ph = byId(IDS.placeholders);
    ph.replaceChildren(
      ...r.placeholders.map((p) => {
        const li = el('li', { className: p.blocking ? 'blocking' : '' });
        li.appendChild(el('code', { text: `«${p.name}»` }));
        li.appendChild(document.createTextNode(` ${p.where}: ${p.description}`));
        return li;
      }),
    );
    const findings = byId(IDS.findings);
    findings.replaceChildren(
      ...r.findings.map((f) => {
        const li = el('li', { className: `finding ${f.severity}` });
        li.setAttribute('data-rule-id', f.ruleId);
        li.setAttribute('data-severity', f.severity);
        li.appendChild(el('strong', { text: `${f.severity} ${f.ruleId}` }));
        li.appendChild(document.createTextNode(` ${f.message}`));
        if (f.excerpt) li.appendChild(el('code', { className: 'excerpt', text: f.excerpt }));
        return li;
      }),
    );
    byId(IDS.notes).replaceChildren(...r.notes.map((n) => el('li', { text: n })));
    for (const id of [IDS.copy, IDS.insert, IDS.open]) byId(id).toggleAttribute('disabled', !r.ready);
    document.body.setAttribute('data-ready', 'true');
  }
}

new App();
