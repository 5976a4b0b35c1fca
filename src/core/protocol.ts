/**
 * Messages between the extension host and the templates webview (the typed protocol of
 * microsoft/vscode-hexeditor's shared/protocol.ts): one interface per message, the unions
 * ToWebview / FromWebview, and a validator the host runs on everything the webview posts (a
 * webview is a web page showing hostile trace text: its messages are input, not trusted calls).
 *
 * Pure types and checks: imported by the host (src/extension/templates) and the webview
 * (src/webview), compiled with the core (no DOM, no Node, no vscode).
 */
import type { LadderModel } from './ladder/model';
import type { Severity } from './types';
import { FORM_FIELDS, type FormValues } from './templates/form';
import { OPTION_SPACE, TEMPLATE_KINDS, type DigestState, type Placeholder, type TemplateKind, type TemplateOptions } from './templates/model';

/** What the form shows: kind, options and the text of every field. */
export interface TemplateFormState {
  kind: TemplateKind;
  options: TemplateOptions;
  form: FormValues;
}

/** Where the form's values came from. */
export type TemplateSource = { kind: 'blank' } | { kind: 'trace'; label: string; description: string; fromTrace: string[] };

export interface FindingView {
  ruleId: string;
  severity: Severity;
  message: string;
  /** The template text the finding points at. */
  excerpt: string;
}

// ---------------------------------------------------------------------------------------------
// Host -> webview
// ---------------------------------------------------------------------------------------------

/**
 * What the panel was opened on, kept by the webview in its state so the host can rebuild the
 * panel after a restart (webview panel serializer). Validated with parsePanelOrigin.
 */
export interface PanelOrigin {
  /** URI (string form) of the capture or log. */
  capture?: string;
  exchangeId?: number;
  messageIndex?: number;
  callId?: string;
  aor?: string;
}

export interface InitMessage {
  type: 'init';
  state: TemplateFormState;
  source: TemplateSource;
  origin?: PanelOrigin;
  /** Kinds offered, with their labels and whether the options allow them. */
  kinds: { kind: TemplateKind; label: string }[];
}

export interface TemplateResultMessage {
  type: 'template';
  /** The `requestId` of the update this answers (the webview drops stale answers). */
  requestId: number;
  kind: TemplateKind;
  text: string;
  ready: boolean;
  placeholders: Placeholder[];
  digest: DigestState;
  notes: string[];
  findings: FindingView[];
  counts: { error: number; warning: number; info: number };
  /** How the checker classified it, e.g. `initial / auth-resend`. */
  classification?: string;
}

export interface LadderMessage {
  type: 'ladder';
  title: string;
  /** Undefined: no trace behind this panel (blank form). */
  model?: LadderModel;
}

export interface ActionResultMessage {
  type: 'actionResult';
  action: TemplateAction;
  ok: boolean;
  message: string;
}

export type ToWebview = InitMessage | TemplateResultMessage | LadderMessage | ActionResultMessage;

// ---------------------------------------------------------------------------------------------
// Webview -> host
// ---------------------------------------------------------------------------------------------

export interface ReadyMessage {
  type: 'ready';
  /** Form state the webview restored with getState (after a reload); the password is never in it. */
  restored?: TemplateFormState;
}

export interface UpdateMessage {
  type: 'update';
  requestId: number;
  state: TemplateFormState;
}

export type TemplateAction = 'copy' | 'insert' | 'open' | 'saveSipp' | 'saveLadder';
export const TEMPLATE_ACTIONS: readonly TemplateAction[] = ['copy', 'insert', 'open', 'saveSipp', 'saveLadder'];

export interface ActionMessage {
  type: 'action';
  action: TemplateAction;
  /** saveSipp: the kinds of the flow to save, in order (default: the whole life cycle). */
  flow?: TemplateKind[];
}

export interface RevealMessage {
  type: 'reveal';
  /** TraceMessage.index of a ladder row the user picked. */
  messageIndex: number;
}

export type FromWebview = ReadyMessage | UpdateMessage | ActionMessage | RevealMessage;

// ---------------------------------------------------------------------------------------------
// Validation (host side)
// ---------------------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
}

function isKind(v: unknown): v is TemplateKind {
  return typeof v === 'string' && (TEMPLATE_KINDS as readonly string[]).includes(v);
}

const MAX_BY_FIELD = new Map(FORM_FIELDS.map((f) => [f.name, f.maxLength]));

/** A form state from the webview, or undefined when anything in it is out of shape. */
export function parseFormState(v: unknown): TemplateFormState | undefined {
  if (!isObject(v) || !isKind(v.kind) || !isObject(v.options) || !isObject(v.form)) return undefined;
  const options: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(OPTION_SPACE)) {
    const value = v.options[key];
    if (!(values as readonly unknown[]).includes(value)) return undefined;
    options[key] = value;
  }
  const form: FormValues = {};
  for (const [key, value] of Object.entries(v.form)) {
    const max = MAX_BY_FIELD.get(key as never);
    if (max === undefined || typeof value !== 'string' || value.length > max) return undefined;
    form[key as keyof FormValues] = value;
  }
  return { kind: v.kind, options: options as unknown as TemplateOptions, form };
}

/** A panel origin read back from webview state, or undefined when it is out of shape. */
export function parsePanelOrigin(v: unknown): PanelOrigin | undefined {
  if (!isObject(v)) return undefined;
  const out: PanelOrigin = {};
  const str = (x: unknown) => typeof x === 'string' && x.length > 0 && x.length <= 4096;
  if (v.capture !== undefined) {
    if (!str(v.capture)) return undefined;
    out.capture = v.capture as string;
  }
  for (const k of ['exchangeId', 'messageIndex'] as const) {
    if (v[k] === undefined) continue;
    if (!isIndex(v[k])) return undefined;
    out[k] = v[k] as number;
  }
  for (const k of ['callId', 'aor'] as const) {
    if (v[k] === undefined) continue;
    if (!str(v[k])) return undefined;
    out[k] = v[k] as string;
  }
  return out;
}

/** The message, typed, when it is one of FromWebview in every detail; undefined otherwise. */
export function parseFromWebview(data: unknown): FromWebview | undefined {
  if (!isObject(data) || typeof data.type !== 'string') return undefined;
  switch (data.type) {
    case 'ready': {
      if (data.restored === undefined) return { type: 'ready' };
      const restored = parseFormState(data.restored);
      // A stale or damaged saved state is dropped, not fatal.
      return restored ? { type: 'ready', restored } : { type: 'ready' };
    }
    case 'update': {
      const state = parseFormState(data.state);
      if (!isIndex(data.requestId) || !state) return undefined;
      return { type: 'update', requestId: data.requestId, state };
    }
    case 'action': {
      if (typeof data.action !== 'string' || !(TEMPLATE_ACTIONS as readonly string[]).includes(data.action)) return undefined;
      const action = data.action as TemplateAction;
      if (data.flow === undefined) return { type: 'action', action };
      if (!Array.isArray(data.flow) || data.flow.length === 0 || data.flow.length > 32 || !data.flow.every(isKind)) return undefined;
      return { type: 'action', action, flow: data.flow as TemplateKind[] };
    }
    case 'reveal':
      return isIndex(data.messageIndex) ? { type: 'reveal', messageIndex: data.messageIndex } : undefined;
    default:
      return undefined;
  }
}
