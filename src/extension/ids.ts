/**
 * The names VS Code knows the extension's contributions by (package.json `contributes`), shared by
 * the activation (activation.ts, the small bundle loaded at startup) and the features it loads on
 * first use. Constants only: this module must not pull in anything else.
 */
export { COMMANDS } from './commands';

/** Scheme of the decoded view of a capture (a read-only text document). */
export const DECODED_SCHEME = 'sip-trace';
/** Language of SIP text logs (package.json `contributes.languages`). */
export const LOG_LANGUAGE_ID = 'sip-log';
/** The capture summary editor (package.json `contributes.customEditors`). */
export const CAPTURE_EDITOR_VIEW_TYPE = 'sipTraceInspector.captureSummary';
/** How the capture summary editor is registered (the same with both activations). */
export const CAPTURE_EDITOR_OPTIONS = { supportsMultipleEditorsPerDocument: true } as const;
/** The registrations view in the Explorer (package.json `contributes.views`). */
export const REGISTRATIONS_VIEW_ID = 'sipTraceInspector.registrations';
/** The REGISTER templates panel (restored after a restart: `onWebviewPanel` activation). */
export const TEMPLATES_VIEW_TYPE = 'sipTraceInspector.templates';
/** "SIP: Open REGISTER Templates". */
export const OPEN_TEMPLATES_COMMAND = 'sipTraceInspector.openTemplates';
