/**
 * The View tab for a volume: one slice at a time from the engine (`getVolumeSlice`), in the
 * axial, coronal or sagittal plane, drawn with the aspect of its pixel spacing. The wheel,
 * the arrow keys, Page Up/Down, Home/End and the slider step through slices; a drag adjusts
 * window and level (Shift+drag pans, Ctrl+wheel zooms). The label and the network's
 * prediction are overlays in class colours with their names in a legend; a 3-D classifier's
 * Grad-CAM of the predicted class is a heat map over the slice (docs/ui.md, "Volumes").
 */
import { useEffect, useState, type KeyboardEvent } from 'react';
import { observer } from 'mobx-react-lite';
import { VOLUME_PLANES, type GraphNode, type VolumePlane, type VolumeSlice } from '../../engine/api';
import { formatMetric } from '../stores/format';
import { useWorkbench } from './context';
import { ImageViewport } from './ImageViewport';
import { ClassProbabilities, GradCamHint, OpacitySlider, SampleRunNote } from './PredictionParts';
import { useAsync } from './use-async';
import { WindowLevel, type DisplayWindow } from './WindowLevel';

const PLANE_TITLES: Record<VolumePlane, string> = {
  axial: 'Axial',
  coronal: 'Coronal',
  sagittal: 'Sagittal',
};

/** Slices a key moves by; undefined for keys that are not slice keys. */
function keyStep(key: string, count: number): number | undefined {
  const page = Math.max(1, Math.round(count / 10));
  return (
    {
      ArrowDown: 1,
      ArrowRight: 1,
      ArrowUp: -1,
      ArrowLeft: -1,
      PageDown: page,
      PageUp: -page,
      Home: -count,
      End: count,
    } as Record<string, number>
  )[key];
}

function Edges({ slice }: { slice: VolumeSlice }) {
  const { sides } = slice.orientation;
  if (slice.orientation.source !== 'affine') return null;
  return (
    <>
      {(['top', 'bottom', 'left', 'right'] as const).map((edge) => (
        <span key={edge} className={`edge edge-${edge}`} data-testid={`edge-${edge}`}>
          {sides[edge]}
        </span>
      ))}
    </>
  );
}

function Legend({ slice }: { slice: VolumeSlice }) {
  if (!slice.legend.length) return null;
  return (
    <ul className="overlay-legend" aria-label="Overlay classes">
      {slice.legend.map((c) => (
        <li key={c.index}>
          <span className="swatch" style={{ background: c.color }} aria-hidden="true" />
          {c.name}
        </li>
      ))}
    </ul>
  );
}

/** The slice's size, spacing and orientation in words. */
function describe(slice: VolumeSlice): string {
  const spacing = slice.pixelSpacing
    ? ` · ${slice.pixelSpacing.map((s) => Number(s.toFixed(3))).join(' × ')} mm pixels`
    : ' · spacing unknown (shown square)';
  const facing =
    slice.orientation.source === 'affine'
      ? 'sides from the affine'
      : 'stored axes: the file gives no orientation here, so no side is named';
  return `${slice.width} × ${slice.height} px${spacing} · values ${formatMetric(slice.min)} … ${formatMetric(slice.max)}${slice.unit ? ` ${slice.unit}` : ''} · ${facing}`;
}

/** See the module comment. */
export const VolumeViewer = observer(function VolumeViewer({
  node,
  sampleId,
}: {
  node: GraphNode;
  sampleId: string;
}) {
  const wb = useWorkbench();
  const [plane, setPlane] = useState<VolumePlane>('axial');
  const [indices, setIndices] = useState<Partial<Record<VolumePlane, number>>>({});
  const [win, setWin] = useState<DisplayWindow | null>(null);
  const [debounced, setDebounced] = useState(win);
  const [showLabel, setShowLabel] = useState(true);
  const [showPrediction, setShowPrediction] = useState(true);
  const [opacity, setOpacity] = useState(50);
  const [gradCamOpacity, setGradCamOpacity] = useState(50);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(win), 120);
    return () => clearTimeout(t);
  }, [win]);
  // Another item starts at its middle slices.
  useEffect(() => setIndices({}), [sampleId]);
  const version =
    node.kind === 'network' ? wb.metrics.of(node.id).rows.length : (wb.filesVersion.get(node.id) ?? 0);
  const index = indices[plane];
  const answer = useAsync(
    () =>
      wb.api.getVolumeSlice({
        node: node.id,
        sampleId,
        plane,
        ...(index !== undefined ? { index } : {}),
        ...(debounced ? { window: debounced } : {}),
      }),
    [node.id, sampleId, plane, index, debounced?.center, debounced?.width, version],
  );
  const slice = answer.value;
  if (answer.error) return <div className="empty error-text">{answer.error}</div>;
  if (!slice) return <div className="empty">Loading slice…</div>;

  const count = slice.plane === plane ? slice.count : 0;
  const current = index ?? (slice.plane === plane ? slice.index : 0);
  const goTo = (next: number): void => {
    if (!count) return;
    setIndices((all) => ({ ...all, [plane]: Math.min(count - 1, Math.max(0, next)) }));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const step = keyStep(e.key, count);
    if (step === undefined) return;
    e.preventDefault();
    goTo(current + step);
  };
  // Drag: right widens the window, down raises the level, one display step per pixel.
  const range = Math.max(1e-6, slice.max - slice.min);
  const onAdjust = (dx: number, dy: number): void =>
    setWin((w) => {
      const base = w ?? { center: (slice.min + slice.max) / 2, width: range };
      return {
        center: base.center + (dy * range) / 256,
        width: Math.max(range / 1024, base.width + (dx * range) / 256),
      };
    });
  const [rowMm, columnMm] = slice.pixelSpacing ?? [1, 1];
  const unit = Math.min(rowMm, columnMm);
  const shownWidth = (slice.width * columnMm) / unit;
  const shownHeight = (slice.height * rowMm) / unit;
  const layer = (src: string | undefined, alt: string, testId: string, style = {}) =>
    src && (
      <img
        src={src}
        alt={alt}
        width={shownWidth}
        height={shownHeight}
        className="layer pixelated"
        draggable={false}
        data-testid={testId}
        // Stretched to the box, which has the aspect of the spacing (contain would keep the pixels square).
        style={{ ...style, objectFit: 'fill' }}
      />
    );
  return (
    <div className="volume-view">
      <div className="segmented" role="group" aria-label="Plane">
        {VOLUME_PLANES.map((p) => (
          <button
            key={p}
            type="button"
            aria-pressed={plane === p}
            className={plane === p ? 'active' : ''}
            onClick={() => setPlane(p)}
          >
            {PLANE_TITLES[p]}
          </button>
        ))}
      </div>
      <div
        className="slice-keys"
        tabIndex={0}
        role="group"
        aria-label="Slices: wheel, arrow keys, Page Up and Page Down"
        onKeyDown={onKeyDown}
      >
        <ImageViewport
          width={shownWidth}
          height={shownHeight}
          label={`${PLANE_TITLES[plane]} slice ${current + 1} of ${sampleId}`}
          onWheelStep={(step) => goTo(current + step)}
          onAdjust={onAdjust}
          edges={<Edges slice={slice} />}
        >
          {layer(slice.image?.dataUrl, `${PLANE_TITLES[plane]} slice`, 'volume-slice')}
          {showLabel &&
            layer(slice.label?.dataUrl, 'Label overlay', 'label-overlay', { opacity: opacity / 100 })}
          {showPrediction &&
            layer(slice.prediction?.dataUrl, 'Prediction overlay', 'prediction-overlay', {
              opacity: opacity / 100,
            })}
          {layer(slice.gradCam?.dataUrl, 'Grad-CAM heatmap', 'gradcam-overlay', {
            opacity: gradCamOpacity / 100,
          })}
        </ImageViewport>
      </div>
      <label className="slider-row slice-row">
        <span className="mono" data-testid="slice-position">
          slice {current + 1} / {count || slice.count}
        </span>
        <input
          type="range"
          min={1}
          max={Math.max(1, count)}
          value={current + 1}
          onChange={(e) => goTo(Number(e.target.value) - 1)}
          aria-label="Slice"
        />
        <span className="muted small">{answer.loading ? '…' : ''}</span>
      </label>
      <div className="muted small image-meta" data-testid="slice-meta">
        {describe(slice)}
      </div>
      <WindowLevel image={slice} value={win} onChange={setWin} />
      {(slice.label || slice.prediction) && (
        <div className="overlay-controls">
          {slice.label && (
            <label>
              <input type="checkbox" checked={showLabel} onChange={(e) => setShowLabel(e.target.checked)} />
              Label
            </label>
          )}
          {slice.prediction && (
            <label>
              <input
                type="checkbox"
                checked={showPrediction}
                onChange={(e) => setShowPrediction(e.target.checked)}
              />
              Prediction
            </label>
          )}
        </div>
      )}
      {(slice.label || slice.prediction) && (
        <OpacitySlider title="Overlay" value={opacity} onChange={setOpacity} />
      )}
      {slice.gradCam && (
        <>
          <OpacitySlider title="Grad-CAM" value={gradCamOpacity} onChange={setGradCamOpacity} />
          <p className="muted small" data-testid="gradcam-class">
            Grad-CAM of {slice.classes[slice.gradCamClass ?? 0] ?? `class ${slice.gradCamClass}`}, the
            predicted class, on this slice of the whole-volume map
          </p>
          <GradCamHint />
        </>
      )}
      <Legend slice={slice} />
      <SampleRunNote items={slice.fromSample} />
      {slice.probabilities && (
        <ClassProbabilities classes={slice.classes} probabilities={slice.probabilities} />
      )}
      {slice.notes.map((note) => (
        <p key={note} className="muted small">
          {note}
        </p>
      ))}
    </div>
  );
});
