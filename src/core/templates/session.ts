/**
 * One templates panel's state, without the editor: the base fields (blank form or trace prefill),
 * the last form the webview sent, the last generated and checked template. The host panel
 * (src/extension/templates) only adds what needs the editor API (clipboard, editors, files).
 */
import type { TraceMessage } from '../types';
import type { ExchangeSummary } from '../register/model';
import type { Finding } from '../types';
import type { Settings } from '../settings';
import { resolveSettings } from '../settings';
import type { FindingView, InitMessage, LadderMessage, TemplateFormState, TemplateResultMessage, TemplateSource } from '../protocol';
import { buildLadder, type LadderModel } from '../ladder/model';
import { checkTemplate, type TemplateCheck } from './check';
import { fieldsToForm, formToFields } from './form';
import { availableKinds, blankFields, generateFlow, generateTemplate, type Rng } from './generate';
import { DEFAULT_OPTIONS, TEMPLATE_KINDS, TEMPLATE_KIND_LABELS, type GeneratedTemplate, type TemplateFields, type TemplateKind, type TemplateOptions } from './model';
import { prefillFromTrace, type FlowRef } from './prefill';
import { toSippScenario, type SippExport } from './sipp';

/** A checked trace, as the host's analysis holds it. */
export interface CheckedTrace {
  /** Shown in the panel title and the ladder ("capture.pcap"). */
  label: string;
  messages: readonly TraceMessage[];
  exchanges: readonly ExchangeSummary[];
  findings: readonly Finding[];
}

export class TemplateSession {
  private base: TemplateFields;
  private state: TemplateFormState;
  private readonly source: TemplateSource;
  private readonly ladder?: LadderModel;
  private readonly ladderTitle: string;
  private last?: TemplateCheck;

  constructor(
    private readonly settings: Settings = {},
    trace?: CheckedTrace,
    ref: FlowRef = {},
    private readonly rng: Rng = Math.random,
  ) {
    const resolved = resolveSettings(settings);
    const defaults = { imRelease: resolved.imRelease, eventPackage: resolved.settingsEventPackage, contentType: resolved.settingsContentType, rng };
    let options: TemplateOptions = { ...DEFAULT_OPTIONS, profile: resolved.profile === 'ims' ? 'ims' : 'generic' };
    let kind: TemplateKind = 'initial';
    if (trace && trace.exchanges.length) {
      const p = prefillFromTrace(trace.messages, trace.exchanges, ref, defaults);
      this.base = p.fields;
      options = { ...options, ...p.options };
      kind = p.suggestedKind;
      this.source = { kind: 'trace', label: trace.label, description: p.description, fromTrace: p.fromTrace };
      this.ladder = buildLadder(trace.messages, { indexes: p.messageIndexes, findings: trace.findings, exchanges: trace.exchanges });
      this.ladderTitle = `${trace.label}: ${p.description}`;
    } else {
      this.base = blankFields(options.profile, defaults);
      this.source = trace ? { kind: 'trace', label: trace.label, description: 'no REGISTER exchange in this trace: blank form', fromTrace: [] } : { kind: 'blank' };
      this.ladder = trace && trace.messages.length ? buildLadder(trace.messages, { findings: trace.findings, exchanges: trace.exchanges }) : undefined;
      this.ladderTitle = trace ? trace.label : '';
    }
    this.state = { kind, options, form: fieldsToForm(this.base) };
  }

  init(): InitMessage {
    return {
      type: 'init',
      state: this.state,
      source: this.source,
      kinds: TEMPLATE_KINDS.map((kind) => ({ kind, label: TEMPLATE_KIND_LABELS[kind] })),
    };
  }

  ladderMessage(): LadderMessage {
    return { type: 'ladder', title: this.ladderTitle, model: this.ladder };
  }

  get ladderModel(): LadderModel | undefined {
    return this.ladder;
  }

  /** Restores a state the webview kept (after a reload): same source, the user's edits. */
  restore(state: TemplateFormState): void {
    this.state = state;
  }

  get formState(): TemplateFormState {
    return this.state;
  }

  /** The fields the form describes now. */
  fields(): TemplateFields {
    return formToFields(this.state.form, this.base);
  }

  /** Generates and checks the template the form describes (catalog §13: checked before shown). */
  update(state: TemplateFormState, requestId: number): TemplateResultMessage {
    this.state = state;
    let kind = state.kind;
    if (!availableKinds(state.options).includes(kind)) kind = 'initial';
    const t = generateTemplate(kind, this.fields(), state.options, this.rng);
    const c = checkTemplate(t, this.settings, this.rng);
    this.last = c;
    const checked = c.messages[c.templateIndex].sip.text;
    const findings: FindingView[] = c.findings.map((x) => ({
      ruleId: x.ruleId,
      severity: x.severity,
      message: x.message,
      excerpt: checked.slice(x.span.start, Math.min(x.span.end, x.span.start + 200)),
    }));
    return {
      type: 'template',
      requestId,
      kind,
      text: t.text,
      ready: t.ready,
      placeholders: t.placeholders,
      digest: t.digest,
      notes: t.notes,
      findings,
      counts: c.counts,
      classification: c.exchange ? `${c.exchange.phase} / ${c.exchange.attempt}` : undefined,
    };
  }

  /** The last generated template (what copy / insert / open act on). */
  current(): GeneratedTemplate | undefined {
    return this.last?.template;
  }

  get lastCheck(): TemplateCheck | undefined {
    return this.last;
  }

  /** A flow of templates with the current fields and options (default: the whole life cycle the options allow). */
  flow(kinds?: readonly TemplateKind[]): GeneratedTemplate[] {
    const o = this.state.options;
    const list = (kinds ?? TEMPLATE_KINDS).filter((k) => availableKinds(o).includes(k));
    // The flow numbers its own CSeqs from the first REGISTER's (an explicit CSeq in the form is its start).
    return generateFlow(list, this.fields(), o, this.rng);
  }

  sipp(kinds?: readonly TemplateKind[], name?: string): SippExport {
    return toSippScenario(this.flow(kinds), { name });
  }
}

export type { FlowRef };
