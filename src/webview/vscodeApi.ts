/// <reference lib="dom" />
/**
 * The webview's side of the typed protocol (src/core/protocol.ts): post FromWebview messages,
 * receive ToWebview ones, keep the form in the webview state so a reload restores it
 * (getState/setState, as microsoft/vscode-hexeditor does, instead of retainContextWhenHidden).
 */
import type { FromWebview, TemplateFormState, ToWebview } from '../core/protocol';

/** What the webview keeps across reloads. Never the password. */
export interface SavedState {
  state?: TemplateFormState;
  /** Opaque origin of the panel (capture and flow), handed back to the host's serializer. */
  origin?: unknown;
  ladderScrollTop?: number;
  flow?: string[];
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

export function post(message: FromWebview): void {
  api.postMessage(message);
}

export function onMessage(handler: (message: ToWebview) => void): void {
  window.addEventListener('message', (event: MessageEvent) => {
    const data: unknown = event.data;
    // Only the host posts here; still, ignore anything that is not shaped like a protocol message.
    if (typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string') handler(data as ToWebview);
  });
}

export function loadState(): SavedState {
  const s = api.getState();
  return typeof s === 'object' && s !== null ? (s as SavedState) : {};
}

export function saveState(patch: Partial<SavedState>): void {
  const next: SavedState = { ...loadState(), ...patch };
  if (next.state) next.state = { ...next.state, form: { ...next.state.form, password: '' } };
  api.setState(next);
}
