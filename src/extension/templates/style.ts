/**
 * The templates page's style sheet (sent in a nonce'd <style>): theme colours through the
 * --vscode-* variables, ladder classes of src/core/ladder/svg.ts. No vscode import, so the
 * webview page test can use the very same sheet.
 */
export const TEMPLATES_STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 16px 16px; }
h1 { font-size: 1.3em; margin: 12px 0 4px; } h2 { font-size: 1.1em; margin: 0; }
.muted { color: var(--vscode-descriptionForeground); }
.columns { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }
.form { flex: 1 1 340px; max-width: 480px; } .result { flex: 2 1 480px; min-width: 0; }
.options { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 12px; margin: 8px 0; }
.option { display: flex; flex-direction: column; min-width: 0; } .option vscode-single-select { width: 100%; } .option.check { grid-column: span 2; }
.field { display: flex; flex-direction: column; margin: 4px 0; }
.field vscode-textfield, .field vscode-textarea, .field vscode-single-select { width: 100%; }
[data-from-trace] { --vscode-settings-textInputBorder: var(--vscode-focusBorder); }
.actions { display: flex; gap: 8px; flex-wrap: wrap; margin: 8px 0; }
.flow { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin-bottom: 8px; }
.status { margin: 8px 0; } .status[data-errors]:not([data-errors="0"]) { color: var(--vscode-errorForeground); }
pre.template { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); background: var(--vscode-textCodeBlock-background); padding: 8px; overflow-x: auto; white-space: pre; user-select: text; }
ul.findings, ul.placeholders, ul.notes { padding-left: 18px; margin: 4px 0; }
li.finding.error strong { color: var(--vscode-errorForeground); } li.finding.warning strong { color: var(--vscode-editorWarning-foreground); } li.finding.info strong { color: var(--vscode-editorInfo-foreground); }
li.blocking code { color: var(--vscode-errorForeground); }
code.excerpt { display: block; font-family: var(--vscode-editor-font-family); color: var(--vscode-descriptionForeground); white-space: pre-wrap; word-break: break-all; }
.action-result[data-ok="false"] { color: var(--vscode-errorForeground); }
.ladder { margin-top: 16px; } .ladder-title { display: flex; gap: 12px; align-items: center; margin-bottom: 4px; }
.ladder[data-empty] .ladder-scroll, .ladder[data-empty] #btn-save-ladder { display: none; }
.ladder-scroll { height: 60vh; overflow: auto; border: 1px solid var(--vscode-panel-border); position: relative; }
.ladder-header { position: sticky; top: 0; z-index: 1; background: var(--vscode-editor-background); }
.ladder-body { position: relative; }
.ladder-lifeline { stroke: var(--vscode-panel-border); stroke-dasharray: 4 4; }
.ladder-lane-box { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-panel-border); }
svg text { fill: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: 12px; }
.ladder-detail, .ladder-time, .ladder-lane-agent, .ladder-gutter-title { fill: var(--vscode-descriptionForeground); font-size: 10px; }
.ladder-label { font-weight: 600; }
.ladder-arrow { stroke: var(--vscode-foreground); fill: none; } .ladder-arrowhead { fill: var(--vscode-foreground); }
.response .ladder-arrow { stroke: var(--vscode-textLink-foreground); } .response .ladder-arrowhead { fill: var(--vscode-textLink-foreground); }
.retransmission .ladder-arrow { stroke-dasharray: 6 4; opacity: 0.7; }
.ladder-hit { fill: transparent; cursor: pointer; } .ladder-row:hover .ladder-hit, .ladder-row:focus .ladder-hit { fill: var(--vscode-list-hoverBackground); }
.ladder-row:focus { outline: none; }
.ladder-finding.error { fill: var(--vscode-errorForeground); } .ladder-finding.warning { fill: var(--vscode-editorWarning-foreground); } .ladder-finding.info { fill: var(--vscode-editorInfo-foreground); }
.ladder-finding-count { fill: var(--vscode-editor-background); font-size: 9px; font-weight: 700; }
`;
