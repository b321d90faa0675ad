/**
 * "Export model..." of a trained network node (docs/ui.md): the format (ONNX
 * or TF.js layers), the preprocessing inside the ONNX graph and any input
 * size, each off with the engine's own reason where the network or its chain
 * does not allow it (`getExportOptions`), the destination folder, then what
 * the engine wrote (`exportModel`): the files and the manifest. Enter exports,
 * Escape closes.
 */
import { useEffect, useRef, useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { ExportFormat, ExportOptions, ExportedModel } from '../../../engine/api';
import { useWorkbench } from '../context';
import { Dialog, DialogFooter } from '../Dialog';
import { FolderBrowser } from '../FolderBrowser';
import { exportDialog, showExportDialog } from './export-dialog';
import './export.css';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The sentence of an export's result: the files, where, and the manifest. */
export function exportedText(result: ExportedModel): string {
  const size = result.inputShape.slice(1).map((d) => d ?? 'any');
  return [
    `Wrote ${result.files.join(', ')} to ${result.folder}.`,
    `Manifest: ${result.manifest}.`,
    result.preprocessingInGraph
      ? `The graph takes the raw image, float32 [batch, ${size.join(', ')}].`
      : `The network takes the chain's output, float32 [batch, ${size.join(', ')}].`,
    result.fromSample !== undefined ? `These are a Sample RUN's weights (${result.fromSample} items).` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function ExportModelForm({ node }: { node: string }) {
  const wb = useWorkbench();
  const title = wb.graph.nodes.find((n) => n.id === node)?.label || node;
  const [options, setOptions] = useState<ExportOptions | null>(null);
  const [format, setFormat] = useState<ExportFormat>('onnx');
  const [inGraph, setInGraph] = useState(false);
  const [anySize, setAnySize] = useState(false);
  const [folder, setFolder] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ExportedModel | null>(null);
  const body = useRef<HTMLDivElement>(null);
  // Focus inside the dialog, so that Enter and Escape reach it at once.
  useEffect(() => body.current?.focus(), []);

  useEffect(() => {
    let live = true;
    wb.api.getExportOptions({ node }).then(
      (found) => {
        if (!live) return;
        setOptions(found);
        if (!found.onnx.ok) setFormat('tfjs');
      },
      (e: unknown) => live && setError(message(e)),
    );
    return () => {
      live = false;
    };
  }, [wb, node]);

  const close = () => showExportDialog(null);
  const onnx = format === 'onnx';
  const canInGraph = onnx && options?.withPreprocessing.ok === true;
  const canAnySize = canInGraph && inGraph && options?.anySize.ok === true;
  const blocked = !options
    ? 'Reading what this network exports as…'
    : busy
      ? 'Exporting…'
      : !folder
        ? 'Choose the destination folder'
        : undefined;
  const submit = () => {
    if (blocked || !folder) return;
    setBusy(true);
    setError(null);
    setResult(null);
    wb.api
      .exportModel({
        node,
        format,
        withPreprocessing: canInGraph && inGraph,
        anySize: canAnySize && anySize,
        folder,
      })
      .then(setResult, (e: unknown) => setError(message(e)))
      .finally(() => {
        setBusy(false);
        // The Export button was off while it ran and lost the focus: take it back, so Escape still closes.
        body.current?.focus();
      });
  };

  return (
    <Dialog title={`Export model · ${title}`} onClose={close}>
      <div
        ref={body}
        tabIndex={-1}
        className="export-dialog"
        onKeyDown={(e) => {
          const target = e.target as HTMLElement;
          const typing = target instanceof HTMLInputElement && target.type === 'text';
          if (e.key === 'Enter' && !typing && !(target instanceof HTMLButtonElement)) {
            e.preventDefault();
            submit();
          }
        }}
      >
        {options?.fromSample !== undefined && (
          <p className="muted" data-testid="export-sample">
            This node holds a Sample RUN&apos;s model ({options.fromSample} items): that is what is exported.
          </p>
        )}
        <fieldset className="export-formats">
          <legend>Format</legend>
          <label>
            <input
              type="radio"
              name="export-format"
              checked={onnx}
              disabled={options?.onnx.ok === false}
              onChange={() => setFormat('onnx')}
            />
            ONNX (<span className="mono">model.onnx</span>)
          </label>
          <label>
            <input type="radio" name="export-format" checked={!onnx} onChange={() => setFormat('tfjs')} />
            TF.js layers (<span className="mono">model.json</span> and weight shards)
          </label>
          {options?.onnx.ok === false && (
            <div className="muted" data-testid="onnx-reason">
              {options.onnx.reason}
            </div>
          )}
        </fieldset>
        <label className="export-check">
          <input
            type="checkbox"
            checked={canInGraph && inGraph}
            disabled={!canInGraph}
            onChange={(e) => setInGraph(e.target.checked)}
          />
          Include preprocessing in the graph (it then takes the raw image)
        </label>
        {onnx && options && !options.withPreprocessing.ok && (
          <div className="muted export-reason" data-testid="preprocessing-reason">
            {options.withPreprocessing.reason}
          </div>
        )}
        <label className="export-check">
          <input
            type="checkbox"
            checked={canAnySize && anySize}
            disabled={!canAnySize}
            onChange={(e) => setAnySize(e.target.checked)}
          />
          Any input size
        </label>
        {canInGraph && inGraph && options && !options.anySize.ok && (
          <div className="muted export-reason" data-testid="any-size-reason">
            {options.anySize.reason}
          </div>
        )}
        <h3 className="dialog-step">Destination folder</h3>
        <FolderBrowser kind="folder" value={folder} onChange={setFolder} />
        {busy && (
          <div className="muted" role="status" data-testid="export-progress">
            Exporting {onnx ? 'ONNX' : 'TF.js'}…
          </div>
        )}
        {result && (
          <div className="export-result" role="status" data-testid="export-result">
            {exportedText(result)}
          </div>
        )}
        <DialogFooter
          error={error}
          onCancel={close}
          label={result ? 'Export again' : 'Export'}
          blocked={blocked}
          hint="Write the network and its manifest into the folder (Enter)"
          onConfirm={submit}
        />
      </div>
    </Dialog>
  );
}

/** See the module comment; shown while {@link exportDialog} names a node. */
export const ExportModelDialog = observer(function ExportModelDialog() {
  const node = exportDialog.node;
  return node ? <ExportModelForm key={node} node={node} /> : null;
});
