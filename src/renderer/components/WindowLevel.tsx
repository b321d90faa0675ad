/**
 * Window and level: Auto (the image's own range), the CT presets when the values are HU (the
 * engine's list, the same Window Setting applies), and sliders for level and width.
 */
import type { EncodedImage } from '../../engine/api';
import { WINDOW_PRESETS } from '../../engine/api';
import { formatMetric } from '../stores/format';

/** A display window in the image's unit. */
export interface DisplayWindow {
  center: number;
  width: number;
}

const presets = Object.entries(WINDOW_PRESETS).map(([name, v]) => ({
  name: name[0].toUpperCase() + name.slice(1),
  center: v.center,
  width: v.width,
}));

function WindowSlider({
  title,
  label,
  shown,
  onChange,
  ...range
}: {
  title: string;
  label: string;
  min: number;
  max: number;
  step: number;
  value: number;
  shown: string;
  onChange(value: number): void;
}) {
  return (
    <label className="slider-row">
      <span>{title}</span>
      <input type="range" {...range} onChange={(e) => onChange(Number(e.target.value))} aria-label={label} />
      <span className="mono">{shown}</span>
    </label>
  );
}

/** See the module comment. */
export function WindowLevel({
  image,
  value,
  onChange,
}: {
  image: Pick<EncodedImage, 'min' | 'max' | 'unit'>;
  value: DisplayWindow | null;
  onChange(v: DisplayWindow | null): void;
}) {
  const span = Math.max(image.max - image.min, 1e-6);
  // Float data (0..1 after a window, z-scores) need fractions; HU and integers whole numbers.
  const fine = span < 100;
  const lo = image.unit === 'HU' ? Math.min(image.min, -1024) : image.min;
  const hi = Math.max(image.max, lo + (fine ? span : 1));
  const step = fine ? span / 1000 : 1;
  const shown = (v: number): string => (fine ? formatMetric(v) : String(Math.round(v)));
  const current = value ?? { center: (image.min + image.max) / 2, width: fine ? span : Math.max(1, span) };
  return (
    <div className="window-level" aria-label="Window and level">
      <div className="wl-presets">
        <button
          type="button"
          className={`btn btn-small${value ? '' : ' active'}`}
          onClick={() => onChange(null)}
        >
          Auto
        </button>
        {image.unit === 'HU' &&
          presets.map((p) => (
            <button
              key={p.name}
              type="button"
              className={`btn btn-small${value?.center === p.center && value.width === p.width ? ' active' : ''}`}
              onClick={() => onChange({ center: p.center, width: p.width })}
            >
              {p.name}
            </button>
          ))}
      </div>
      <WindowSlider
        title="Level"
        label="Window level (centre)"
        min={lo}
        max={hi}
        step={step}
        value={current.center}
        shown={shown(current.center)}
        onChange={(center) => onChange({ ...current, center })}
      />
      <WindowSlider
        title="Window"
        label="Window width"
        min={step}
        max={Math.max(2 * step, hi - lo)}
        step={step}
        value={current.width}
        shown={shown(current.width)}
        onChange={(width) => onChange({ ...current, width })}
      />
    </div>
  );
}
