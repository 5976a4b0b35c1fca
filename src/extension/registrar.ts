/**
 * Where the features register what VS Code calls into: commands, the decoded view's content, the
 * capture summary editor, the registrations view and the templates panel's serializer. Directly
 * with VS Code (`directRegistrar`), or, in the Node extension host, into the stand-ins the
 * activation registered at startup (activation.ts), which load the features on first use.
 */
import * as vscode from 'vscode';

export interface Registrar {
  registerCommand(id: string, handler: (...args: any[]) => unknown): vscode.Disposable;
  registerTextDocumentContentProvider(scheme: string, provider: vscode.TextDocumentContentProvider): vscode.Disposable;
  registerCustomEditorProvider(viewType: string, provider: vscode.CustomReadonlyEditorProvider, options: { readonly supportsMultipleEditorsPerDocument?: boolean }): vscode.Disposable;
  /** A tree view (collapse-all button shown) and its data. */
  registerTreeView<T>(viewId: string, provider: vscode.TreeDataProvider<T>): vscode.Disposable;
  registerWebviewPanelSerializer(viewType: string, serializer: vscode.WebviewPanelSerializer): vscode.Disposable;
}

/** Registers with VS Code itself (the web extension host, where everything is loaded at once). */
export const directRegistrar: Registrar = {
  registerCommand: (id, handler) => vscode.commands.registerCommand(id, handler),
  registerTextDocumentContentProvider: (scheme, provider) => vscode.workspace.registerTextDocumentContentProvider(scheme, provider),
  registerCustomEditorProvider: (viewType, provider, options) => vscode.window.registerCustomEditorProvider(viewType, provider, options),
  registerTreeView: (viewId, provider) => vscode.window.createTreeView(viewId, { treeDataProvider: provider, showCollapseAll: true }),
  registerWebviewPanelSerializer: (viewType, serializer) => vscode.window.registerWebviewPanelSerializer(viewType, serializer),
};
