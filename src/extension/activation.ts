/**
 * The activation in the Node extension host: everything VS Code may call into is registered at
 * once (commands, the decoded view's content, the capture summary editor, the registrations view,
 * the templates panel's serializer), as stand-ins; the features themselves (host.ts, the core,
 * the rules, the templates: most of the code) are loaded on first use. The performance issue
 * asks for an activation under 50 ms; loading and evaluating all the code takes 25-30 ms by
 * itself, on top of what the extension host spends, so it is not done inside `activate()`.
 *
 * What loads the features: a command, the decoded view, a summary editor or a restored templates
 * panel (synchronously, then the call goes on), a SIP log or decoded view open at startup or opened
 * later (right after, on a timer: the log's check starts then), and the extension's API (all but
 * `activationMs`). The registrations view shows nothing until then: nothing was checked yet.
 *
 * This module and what it imports must stay small: vscode, constants (ids.ts), types.
 */
import * as vscode from 'vscode';
import type { ExtensionApi, HostOptions } from './host';
import { CAPTURE_EDITOR_OPTIONS, CAPTURE_EDITOR_VIEW_TYPE, COMMANDS, DECODED_SCHEME, LOG_LANGUAGE_ID, OPEN_TEMPLATES_COMMAND, REGISTRATIONS_VIEW_ID, TEMPLATES_VIEW_TYPE } from './ids';
import type { Registrar } from './registrar';

/** Sets up the features (host.ts `activateHost` with the host's analyzers and templates). */
export type StartHost = (context: vscode.ExtensionContext, options: HostOptions) => ExtensionApi;

/** Every command the features register (package.json `contributes.commands`). */
const COMMAND_IDS: readonly string[] = [...Object.values(COMMANDS), OPEN_TEMPLATES_COMMAND];

type CommandHandler = (...args: any[]) => unknown;

/** What the features registered, once loaded (besides commands). */
interface Loaded {
  content?: vscode.TextDocumentContentProvider;
  editor?: vscode.CustomReadonlyEditorProvider;
  tree?: vscode.TreeDataProvider<unknown>;
  serializer?: vscode.WebviewPanelSerializer;
}

/** Whether the features are needed for this document now (a log to check, a decoded view). */
function wantsFeatures(d: vscode.TextDocument): boolean {
  return d.languageId === LOG_LANGUAGE_ID || d.uri.scheme === DECODED_SCHEME;
}

/**
 * `load` returns the function that sets the features up (it may `require` their bundle);
 * `bundleEvaluatedAt`: when the entry bundle was evaluated (`performance.now()`), for the benchmark.
 */
export function activateLazily(context: vscode.ExtensionContext, load: () => StartHost, bundleEvaluatedAt?: number): ExtensionApi {
  const started = performance.now();
  const loaded: Loaded = {};
  const commands = new Map<string, CommandHandler>();
  const contentChanged = new vscode.EventEmitter<vscode.Uri>();
  const treeChanged = new vscode.EventEmitter<unknown>();
  const forwarded: vscode.Disposable[] = [];
  const slot = <K extends keyof Loaded>(key: K, value: Loaded[K]): vscode.Disposable => {
    loaded[key] = value;
    return new vscode.Disposable(() => {
      if (loaded[key] === value) delete loaded[key];
    });
  };
  const registrar: Registrar = {
    registerCommand: (id, handler) => {
      commands.set(id, handler);
      return new vscode.Disposable(() => {
        if (commands.get(id) === handler) commands.delete(id);
      });
    },
    registerTextDocumentContentProvider: (_scheme, provider) => {
      if (provider.onDidChange) forwarded.push(provider.onDidChange((uri) => contentChanged.fire(uri)));
      return slot('content', provider);
    },
    registerCustomEditorProvider: (_viewType, provider) => slot('editor', provider),
    registerTreeView: (_viewId, provider) => {
      if (provider.onDidChangeTreeData) forwarded.push(provider.onDidChangeTreeData((e) => treeChanged.fire(e)));
      const d = slot('tree', provider as vscode.TreeDataProvider<unknown>);
      treeChanged.fire(undefined); // the view asked before: it showed nothing
      return d;
    },
    registerWebviewPanelSerializer: (_viewType, serializer) => slot('serializer', serializer),
  };

  // The templates open on the editor last active, also when they are loaded later.
  let lastEditor = vscode.window.activeTextEditor;
  let api: ExtensionApi | undefined;
  let loadError: unknown;
  const ensure = (): ExtensionApi => {
    if (api) return api;
    // A failed load is not tried again: half of the features may have registered already.
    if (loadError !== undefined) throw loadError;
    try {
      api = load()(context, { registrar, lastEditor });
    } catch (e) {
      loadError = e ?? new Error('loading the extension failed');
      throw loadError;
    }
    return api;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loadSoon = () => {
    if (api || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      try {
        ensure();
      } catch (e) {
        // Nothing else would tell the user why their open SIP logs get no diagnostics.
        console.error('SIP Trace Inspector: loading the extension failed', e);
        void vscode.window.showErrorMessage(vscode.l10n.t('SIP Trace Inspector could not load its features: {0}', String((e as Error)?.message ?? e)));
      }
    }, 0);
  };

  const command = (id: string) => (...args: unknown[]) => {
    ensure();
    const handler = commands.get(id);
    if (!handler) throw new Error(`${id} is not available`);
    return handler(...args);
  };
  const treeDataProvider: vscode.TreeDataProvider<unknown> = {
    onDidChangeTreeData: treeChanged.event,
    getChildren: (element) => (loaded.tree ? loaded.tree.getChildren(element) : []),
    getTreeItem: (element) => {
      ensure();
      if (!loaded.tree) throw new Error('the registrations view is not available');
      return loaded.tree.getTreeItem(element);
    },
  };
  const ensureEditor = (): vscode.CustomReadonlyEditorProvider => {
    ensure();
    if (!loaded.editor) throw new Error('the capture summary editor is not available');
    return loaded.editor;
  };

  // Shows the registrations view (package.json `views`, "when") once the extension runs.
  void vscode.commands.executeCommand('setContext', 'sipTraceInspector.active', true);
  context.subscriptions.push(
    contentChanged,
    treeChanged,
    { dispose: () => forwarded.forEach((d) => d.dispose()) },
    { dispose: () => clearTimeout(timer) },
    ...COMMAND_IDS.map((id) => vscode.commands.registerCommand(id, command(id))),
    vscode.workspace.registerTextDocumentContentProvider(DECODED_SCHEME, {
      onDidChange: contentChanged.event,
      provideTextDocumentContent: (uri, token) => {
        ensure();
        return loaded.content ? loaded.content.provideTextDocumentContent(uri, token) : undefined;
      },
    }),
    vscode.window.registerCustomEditorProvider(
      CAPTURE_EDITOR_VIEW_TYPE,
      {
        openCustomDocument: (uri, openContext, token) => ensureEditor().openCustomDocument(uri, openContext, token),
        resolveCustomEditor: (document, panel, token) => ensureEditor().resolveCustomEditor(document, panel, token),
      },
      CAPTURE_EDITOR_OPTIONS,
    ),
    vscode.window.createTreeView(REGISTRATIONS_VIEW_ID, { treeDataProvider, showCollapseAll: true }),
    vscode.window.registerWebviewPanelSerializer(TEMPLATES_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        ensure();
        if (loaded.serializer) await loaded.serializer.deserializeWebviewPanel(panel, state);
        else panel.dispose();
      },
    }),
    vscode.window.onDidChangeActiveTextEditor((e) => {
      if (e) lastEditor = e;
    }),
    vscode.workspace.onDidOpenTextDocument((d) => {
      if (wantsFeatures(d)) loadSoon();
    }),
  );
  if (vscode.workspace.textDocuments.some(wantsFeatures)) loadSoon();
  const ended = performance.now();

  return {
    get registrations() {
      return ensure().registrations;
    },
    logResult: (uri) => ensure().logResult(uri),
    logState: (uri) => ensure().logState(uri),
    cancelLogCheck: (uri) => ensure().cancelLogCheck(uri),
    statusBar: () => ensure().statusBar(),
    ruleDocumentationUri: (id) => ensure().ruleDocumentationUri(id),
    get templates() {
      return ensure().templates;
    },
    captureSummaryState: (uri) => ensure().captureSummaryState(uri),
    captureReads: () => ensure().captureReads(),
    activationMs: ended - started,
    activationTimeline: bundleEvaluatedAt === undefined ? undefined : { bundleEvaluatedAt, activateStartedAt: started, activateEndedAt: ended },
  };
}
