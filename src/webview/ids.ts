/**
 * Element ids of the templates webview: the contract with the real-editor UI tests
 * (scripts/editor-tests.mjs). Controls are @vscode-elements web components with open shadow
 * roots: click the host element (`#btn-copy`); to type, target the inner input
 * (`#field-aor input`, `#field-settingsBody textarea`).
 */
import type { FormFieldName } from '../core/templates/form';
import type { TemplateKind, TemplateOptions } from '../core/templates/model';

export const IDS = {
  /** Where the values came from (blank form or the trace and flow). */
  source: 'template-source',
  /** vscode-single-select of the template kind (values: TemplateKind). */
  kind: 'template-kind',
  fields: 'template-fields',
  copy: 'btn-copy',
  insert: 'btn-insert',
  open: 'btn-open',
  saveSipp: 'btn-save-sipp',
  saveLadder: 'btn-save-ladder',
  /** Checkboxes of the kinds saved in the SIPp flow: flow-<kind>. */
  flow: 'sipp-flow',
  /** Checker summary; attributes data-errors, data-warnings, data-ready. */
  status: 'template-status',
  placeholders: 'template-placeholders',
  /** <pre> with the generated message (textContent); attribute data-kind. */
  text: 'template-text',
  /** <ul> of li.finding[data-rule-id][data-severity]. */
  findings: 'template-findings',
  notes: 'template-notes',
  /** Result of the last action; attributes data-action, data-ok. */
  actionResult: 'action-result',
  ladder: 'ladder',
  ladderTitle: 'ladder-title',
  ladderScroll: 'ladder-scroll',
  ladderHeader: 'ladder-header',
  /** Rows: g.ladder-row[data-message-index]; attributes data-first-row, data-row-count. */
  ladderBody: 'ladder-body',
} as const;

/** `field-aor`, `field-password`, ... (vscode-textfield / vscode-textarea). */
export function fieldId(name: FormFieldName): string {
  return `field-${name}`;
}

/** `opt-profile`, `opt-auth`, `opt-transport` (selects); `opt-outbound`, `opt-gruu`, `opt-wildcard`, `opt-proxyChallenge`, `opt-acceptPlaceholders` (checkboxes). */
export function optionId(name: keyof TemplateOptions): string {
  return `opt-${name}`;
}

export function flowId(kind: TemplateKind): string {
  return `flow-${kind}`;
}
