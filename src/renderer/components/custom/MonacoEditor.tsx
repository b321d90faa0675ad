/**
 * The code editor of custom modules: Monaco bundled offline (its editor and
 * TypeScript workers are Vite worker chunks, nothing is fetched). TypeScript
 * modules are type-checked against the sandbox's globals
 * (`custom-module.d.ts.txt` as an extra lib); Python modules get Monaco's
 * python highlighting, and their problems come from the engine's compile. This file is imported lazily, so Monaco is a chunk of its own
 * that the workbench loads only when the editor opens.
 */
import { useEffect, useRef, type RefObject } from 'react';
import * as monaco from 'monaco-editor';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker?worker';
import typings from '../../../../resources/templates/custom-module.d.ts.txt?raw';
import type { MarkerRange } from '../../stores/custom-modules';

/** Workers by label: TypeScript for the language service, the editor worker for the rest. */
(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker: (_id: string, label: string) =>
    label === 'typescript' || label === 'javascript' ? new TsWorker() : new EditorWorker(),
};

const ts = monaco.typescript;
ts.typescriptDefaults.setCompilerOptions({
  target: ts.ScriptTarget.ES2020,
  module: ts.ModuleKind.ESNext,
  strict: true,
  noEmit: true,
  lib: ['es2020'],
  allowNonTsExtensions: true,
});
ts.typescriptDefaults.addExtraLib(typings, 'file:///phi/custom-module.d.ts');

/** Owner of the engine's compile markers (the TypeScript service keeps its own). */
const OWNER = 'phi-compile';

/** An error the editor's TypeScript service reports (a misspelt property, a wrong type...). */
export interface TypeProblem {
  line: number;
  message: string;
}

/** See the module comment. */
export default function MonacoEditor({
  uri,
  language,
  value,
  markers,
  onChange,
  onSave,
  onTypeErrors,
  typeCheck,
  reveal,
}: {
  /** Model path, one per module id, e.g. `file:///my-hu-window.ts`. */
  uri: string;
  /** Monaco language id: `typescript` or `python`. */
  language: string;
  value: string;
  markers: MarkerRange[];
  onChange(value: string): void;
  onSave(): void;
  /** The TypeScript service's errors of this model, each time they change (they gate Save). */
  onTypeErrors?(errors: TypeProblem[]): void;
  /** Filled with a function that type-checks the current text now (Save awaits it: markers may lag typing). */
  typeCheck?: RefObject<(() => Promise<TypeProblem[]>) | null>;
  /** A problem to move the cursor to (a new object each click). */
  reveal?: { line: number; column: number };
}) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const callbacks = useRef({ onChange, onSave, onTypeErrors });
  callbacks.current = { onChange, onSave, onTypeErrors };

  useEffect(() => {
    if (!host.current) return;
    const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches;
    const modelUri = monaco.Uri.parse(uri);
    const model = monaco.editor.getModel(modelUri) ?? monaco.editor.createModel(value, language, modelUri);
    if (model.getValue() !== value) model.setValue(value);
    const instance = monaco.editor.create(host.current, {
      model,
      theme: dark ? 'vs-dark' : 'vs',
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      scrollBeyondLastLine: false,
      tabSize: language === 'python' ? 4 : 2,
      ariaLabel: 'Module source code',
    });
    editor.current = instance;
    const changes = model.onDidChangeContent(() => callbacks.current.onChange(model.getValue()));
    const diagnostics = monaco.editor.onDidChangeMarkers((uris) => {
      if (!uris.some((u) => u.toString() === modelUri.toString())) return;
      const errors = monaco.editor
        .getModelMarkers({ resource: modelUri, owner: 'typescript' })
        // Semantic errors only (TS2000 and up): syntax errors go to the engine's compile, which reports them.
        .filter(
          (m) =>
            m.severity === monaco.MarkerSeverity.Error &&
            Number(typeof m.code === 'object' ? m.code.value : m.code) >= 2000,
        )
        .map((m) => ({ line: m.startLineNumber, message: m.message }));
      callbacks.current.onTypeErrors?.(errors);
    });
    instance.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => callbacks.current.onSave());
    instance.focus();
    if (typeCheck)
      typeCheck.current = async () => {
        if (language !== 'typescript') return [];
        const client = await (await ts.getTypeScriptWorker())(modelUri);
        const found = await client.getSemanticDiagnostics(modelUri.toString());
        return found
          .filter((d) => d.category === 1)
          .map((d) => ({
            line: model.getPositionAt(d.start ?? 0).lineNumber,
            message: typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText,
          }));
      };
    return () => {
      if (typeCheck) typeCheck.current = null;
      changes.dispose();
      diagnostics.dispose();
      instance.dispose();
      model.dispose();
      editor.current = null;
    };
    // The model is made once per module (uri); later values come from typing.
  }, [uri, language]);

  useEffect(() => {
    const model = editor.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(
      model,
      OWNER,
      markers.map((m) => ({ ...m, severity: monaco.MarkerSeverity.Error, source: 'Phi Studio' })),
    );
    if (markers[0]) editor.current?.revealLineInCenterIfOutsideViewport(markers[0].startLineNumber);
  }, [markers]);

  useEffect(() => {
    if (!reveal || !editor.current) return;
    editor.current.setPosition({ lineNumber: reveal.line, column: reveal.column });
    editor.current.revealLineInCenter(reveal.line);
    editor.current.focus();
  }, [reveal]);

  return <div className="monaco-host" ref={host} data-testid="code-editor" />;
}
