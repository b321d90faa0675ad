/**
 * The code editor of custom modules: Monaco bundled offline (its editor and
 * TypeScript workers are Vite worker chunks, nothing is fetched). TypeScript
 * modules are type-checked against the sandbox's globals
 * (`custom-module.d.ts.txt` as an extra lib); Python modules get Monaco's
 * python highlighting, and their problems come from the engine's compile. This file is imported lazily, so Monaco is a chunk of its own
 * that the workbench loads only when the editor opens.
 */
import { useEffect, useRef } from 'react';
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

/** See the module comment. */
export default function MonacoEditor({
  uri,
  language,
  value,
  markers,
  onChange,
  onSave,
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
  /** A problem to move the cursor to (a new object each click). */
  reveal?: { line: number; column: number };
}) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const callbacks = useRef({ onChange, onSave });
  callbacks.current = { onChange, onSave };

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
    instance.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => callbacks.current.onSave());
    instance.focus();
    return () => {
      changes.dispose();
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
