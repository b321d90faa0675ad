/**
 * The View tab: the selected node's output images with a sample picker;
 * for modules the Processing Result (before/after with a slider); window and
 * level for CT and 16-bit data; for network nodes the prediction and the
 * Grad-CAM overlay (a hint of where the network looked, not a finding);
 * volumes slice by slice in planes (VolumeViewer.tsx).
 */
import { useEffect, useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { GraphNode, Histogram, Prediction, ProcessingResult } from '../../engine/api';
import { useWorkbench } from './context';
import { SendToPacs } from './pacs/SendToPacs';
import { ImageViewport } from './ImageViewport';
import {
  ClassProbabilities,
  GradCamHint,
  OpacitySlider,
  RuntimeNote,
  SampleRunNote,
} from './PredictionParts';
import { useAsync } from './use-async';
import { VolumeViewer } from './VolumeViewer';
import { WindowLevel } from './WindowLevel';
import { formatMetric } from '../stores/format';

function SamplePicker({
  ids,
  value,
  onChange,
}: {
  ids: string[];
  value: string;
  onChange(id: string): void;
}) {
  const at = ids.indexOf(value);
  return (
    <div className="sample-picker">
      <button
        type="button"
        className="btn btn-small"
        disabled={at <= 0}
        onClick={() => onChange(ids[at - 1])}
        aria-label="Previous sample"
      >
        ‹
      </button>
      <select aria-label="Sample" value={value} onChange={(e) => onChange(e.target.value)}>
        {ids.map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="btn btn-small"
        disabled={at < 0 || at >= ids.length - 1}
        onClick={() => onChange(ids[at + 1])}
        aria-label="Next sample"
      >
        ›
      </button>
      <span className="muted mono">{at >= 0 ? `${at + 1}/${ids.length}` : ''}</span>
    </div>
  );
}

function HistogramBars({ histogram, label }: { histogram: Histogram; label: string }) {
  // Square-root heights: a large background bin would flatten everything else.
  const max = Math.sqrt(Math.max(1, ...histogram.counts));
  const n = histogram.counts.length;
  return (
    <svg
      className="histogram"
      viewBox={`0 0 ${n} 30`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      {histogram.counts.map((c, i) => (
        <rect
          key={i}
          x={i}
          width={0.9}
          y={30 - (Math.sqrt(c) / max) * 30}
          height={(Math.sqrt(c) / max) * 30}
        />
      ))}
    </svg>
  );
}

function BeforeAfter({ result }: { result: ProcessingResult }) {
  const [split, setSplit] = useState(50);
  const { before, after } = result;
  const w = Math.max(before.width, after.width);
  const h = Math.max(before.height, after.height);
  return (
    <div className="before-after">
      <ImageViewport width={w} height={h} label="Processing Result: before and after">
        <img
          src={before.dataUrl}
          alt="Before"
          width={w}
          height={h}
          className="layer pixelated"
          draggable={false}
        />
        <img
          src={after.dataUrl}
          alt="After"
          width={w}
          height={h}
          className="layer pixelated"
          draggable={false}
          style={{ clipPath: `inset(0 0 0 ${split}%)` }}
        />
        <div className="split-line" style={{ left: `${split}%` }} aria-hidden="true" />
      </ImageViewport>
      <label className="slider-row">
        <span>Before</span>
        <input
          type="range"
          min={0}
          max={100}
          value={split}
          onChange={(e) => setSplit(Number(e.target.value))}
          aria-label="Before/after split"
        />
        <span>After</span>
      </label>
      <div className="hist-pair">
        <div>
          <div className="muted small">
            Before · {before.shape.join('×')} · {formatMetric(before.min)}…{formatMetric(before.max)}
          </div>
          <HistogramBars histogram={result.beforeHistogram} label="Histogram before" />
        </div>
        <div>
          <div className="muted small">
            After · {after.shape.join('×')} · {formatMetric(after.min)}…{formatMetric(after.max)}
          </div>
          <HistogramBars histogram={result.afterHistogram} label="Histogram after" />
        </div>
      </div>
    </div>
  );
}

const OutputImage = observer(function OutputImage({ node, sampleId }: { node: GraphNode; sampleId: string }) {
  const wb = useWorkbench();
  const [win, setWin] = useState<{ center: number; width: number } | null>(null);
  const [debounced, setDebounced] = useState(win);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(win), 120);
    return () => clearTimeout(t);
  }, [win]);
  const version = wb.filesVersion.get(node.id) ?? 0;
  const image = useAsync(
    () =>
      wb.api.getImage({ node: node.id, sampleId, size: 512, ...(debounced ? { window: debounced } : {}) }),
    [node.id, sampleId, debounced?.center, debounced?.width, version],
  );
  if (image.error) return <div className="empty error-text">{image.error}</div>;
  if (!image.value) return <div className="empty">Loading image…</div>;
  const img = image.value;
  const needsWindow = img.unit === 'HU' || img.max > 255 || img.min < 0;
  return (
    <>
      <ImageViewport width={img.width} height={img.height} label={`Output of ${node.id} for ${sampleId}`}>
        <img
          src={img.dataUrl}
          alt={`Output image of ${sampleId}`}
          width={img.width}
          height={img.height}
          className="layer pixelated"
          draggable={false}
          data-testid="view-image"
        />
      </ImageViewport>
      <div className="muted small image-meta">
        {img.shape.join(' × ')} · values {formatMetric(img.min)} … {formatMetric(img.max)}
        {img.unit ? ` ${img.unit}` : ''}
      </div>
      {needsWindow && <WindowLevel image={img} value={win} onChange={setWin} />}
    </>
  );
});

const ProcessingView = observer(function ProcessingView({
  node,
  sampleId,
}: {
  node: GraphNode;
  sampleId: string;
}) {
  const wb = useWorkbench();
  const version = wb.filesVersion.get(node.id) ?? 0;
  const result = useAsync(
    () => wb.api.getProcessingResult({ node: node.id, sampleId, size: 384 }),
    [node.id, sampleId, version],
  );
  if (result.error) return <div className="empty error-text">{result.error}</div>;
  if (!result.value) return <div className="empty">Loading…</div>;
  return <BeforeAfter result={result.value} />;
});

const PredictionView = observer(function PredictionView({
  node,
  sampleId,
}: {
  node: GraphNode;
  sampleId: string;
}) {
  const wb = useWorkbench();
  const [opacity, setOpacity] = useState(50);
  const version = wb.metrics.of(node.id).rows.length;
  const prediction = useAsync<Prediction>(
    () => wb.api.getPrediction({ node: node.id, sampleId }),
    [node.id, sampleId, version > 0],
  );
  if (prediction.error) return <div className="empty error-text">{prediction.error}</div>;
  if (!prediction.value) return <div className="empty">Loading prediction…</div>;
  const p = prediction.value;
  const base = p.input ?? p.overlay;
  return (
    <div className="prediction">
      {base && (
        <ImageViewport width={base.width} height={base.height} label={`Input with Grad-CAM for ${sampleId}`}>
          {p.input && (
            <img
              src={p.input.dataUrl}
              alt="Network input"
              width={base.width}
              height={base.height}
              className="layer pixelated"
              draggable={false}
              data-testid="view-image"
            />
          )}
          {p.overlay && (
            <img
              src={p.overlay.dataUrl}
              alt="Prediction overlay"
              width={base.width}
              height={base.height}
              className="layer pixelated"
              style={{ opacity: 0.6 }}
              draggable={false}
            />
          )}
          {p.gradCam && (
            <img
              src={p.gradCam.dataUrl}
              alt="Grad-CAM heatmap"
              width={base.width}
              height={base.height}
              className="layer"
              style={{ opacity: opacity / 100 }}
              draggable={false}
            />
          )}
        </ImageViewport>
      )}
      {p.gradCam && <OpacitySlider title="Grad-CAM" value={opacity} onChange={setOpacity} />}
      <GradCamHint />
      <SampleRunNote items={p.fromSample} />
      <RuntimeNote runtime={p.runtime} />
      {p.probabilities && (
        <ClassProbabilities
          classes={p.classes}
          probabilities={p.probabilities}
          predicted={p.predictedClass}
          truth={p.trueClass}
        />
      )}
    </div>
  );
});

function ViewTabView() {
  const wb = useWorkbench();
  const node = wb.selectedNode;
  const [sampleId, setSampleId] = useState('');
  const [mode, setMode] = useState<'output' | 'processing'>('output');
  const version = node ? (wb.filesVersion.get(node.id) ?? 0) : 0;
  const done = node ? wb.status.get(node.id)?.state : undefined;
  const target =
    node?.kind === 'network' ? wb.graph.edges.find((e) => e.target === node.id)?.source : node?.id;
  const files = useAsync(
    () => (target ? wb.api.listFiles({ node: target, limit: 1000 }) : null),
    [target, version, done, wb.runSerial],
  );
  const ids = (files.value?.items ?? []).filter((f) => f.state === 'done').map((f) => f.id);
  useEffect(() => {
    if (ids.length && !ids.includes(sampleId)) setSampleId(ids[0]);
  }, [ids.join('\n')]);
  // An item asked for elsewhere (the error gallery) is shown when it is this node's.
  const asked = wb.viewItem;
  useEffect(() => {
    if (asked && asked.node === node?.id) setSampleId(asked.sampleId);
  }, [asked, node?.id]);

  if (!node) return <div className="empty">Select a module to see its output images.</div>;
  if (files.error) return <div className="empty">Run this module to see its output. ({files.error})</div>;
  if (!files.value) return <div className="empty">Loading…</div>;
  if (ids.length === 0)
    return <div className="empty">No output yet: run this module (Run, Step forward or Sample RUN).</div>;
  const current = ids.includes(sampleId) ? sampleId : ids[0];
  // Volumes are served a slice at a time, in planes.
  const volume = files.value.items.find((f) => f.id === current)?.shape.length === 4;
  return (
    <div className="view-tab">
      {done === 'stale' && (
        <p className="stale-output" role="status" data-testid="view-stale">
          Out of date: shown as last run, before the latest change. Run it again to see the current output.
        </p>
      )}
      <SamplePicker ids={ids} value={current} onChange={setSampleId} />
      {node.kind === 'module' && (
        <div className="segmented" role="tablist" aria-label="View mode">
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'output'}
            className={mode === 'output' ? 'active' : ''}
            onClick={() => setMode('output')}
          >
            Output
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'processing'}
            className={mode === 'processing' ? 'active' : ''}
            onClick={() => setMode('processing')}
          >
            Processing Result
          </button>
        </div>
      )}
      {volume && (node.kind !== 'module' || mode === 'output') ? (
        <VolumeViewer node={node} sampleId={current} />
      ) : node.kind === 'network' ? (
        <>
          <PredictionView node={node} sampleId={current} />
          {(node.params.task === 'segmentation' || node.params.task === 'classification') && (
            <SendToPacs node={node.id} sampleId={current} />
          )}
        </>
      ) : mode === 'processing' && node.kind === 'module' ? (
        <ProcessingView node={node} sampleId={current} />
      ) : (
        <OutputImage node={node} sampleId={current} />
      )}
    </div>
  );
}

/** See the module comment. */
export const ViewTab = observer(ViewTabView);
