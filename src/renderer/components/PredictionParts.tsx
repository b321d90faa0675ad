/** Parts of a network's output shown alike for images and volumes in the View tab. */
import { formatMetric } from '../stores/format';

/** A labelled 0-100% slider for an overlay's opacity. */
export function OpacitySlider({
  title,
  value,
  onChange,
}: {
  title: string;
  value: number;
  onChange(value: number): void;
}) {
  return (
    <label className="slider-row">
      <span>{title}</span>
      <input
        type="range"
        min={0}
        max={100}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
        aria-label={`${title} opacity`}
      />
      <span className="mono">{value}%</span>
    </label>
  );
}

/** Says that the model shown is a Sample RUN's, trained apart on `items` items. */
/** What a Grad-CAM map is and is not, under every Grad-CAM the View tab draws. */
export function GradCamHint() {
  return <p className="muted small">Grad-CAM shows where the network looked: a hint, not a finding.</p>;
}

const RUNTIME_NAMES = { tfjs: 'tf.js', onnx: 'ONNX Runtime' } as const;

/** Which inference runtime produced the prediction and why (the project's Inference runtime setting). */
export function RuntimeNote({ runtime }: { runtime: { name: 'tfjs' | 'onnx'; reason: string } | undefined }) {
  if (!runtime) return null;
  return (
    <p className="muted small" data-testid="prediction-runtime">
      {RUNTIME_NAMES[runtime.name]} ({runtime.reason})
    </p>
  );
}

export function SampleRunNote({ items }: { items: number | undefined }) {
  if (items === undefined) return null;
  return (
    <p className="run-kind sample" data-testid="prediction-run-kind">
      Model of a Sample RUN ({items} items), not of the full run
    </p>
  );
}

/** Each class's probability as a bar, the predicted class in bold and the true one tagged. */
export function ClassProbabilities({
  classes,
  probabilities,
  predicted,
  truth,
}: {
  classes: string[];
  probabilities: number[];
  predicted?: number;
  truth?: number;
}) {
  return (
    <div className="probabilities" role="list" aria-label="Class probabilities">
      {classes.map((name, i) => (
        <div key={name} role="listitem" className={`prob-row${i === predicted ? ' predicted' : ''}`}>
          <span className="prob-name">
            {name}
            {i === truth && <span className="tag">true</span>}
          </span>
          <span className="prob-bar">
            <span style={{ width: `${(probabilities[i] ?? 0) * 100}%` }} />
          </span>
          <span className="mono">{formatMetric(probabilities[i])}</span>
        </div>
      ))}
    </div>
  );
}
