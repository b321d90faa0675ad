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
      <label className="slider-row">
        <span>Level</span>
        <input
          type="range"
          min={lo}
          max={hi}
          step={step}
          value={current.center}
          onChange={(e) => onChange({ ...current, center: Number(e.target.value) })}
          aria-label="Window level (centre)"
        />
        <span className="mono">{shown(current.center)}</span>
      </label>
      <label className="slider-row">
        <span>Window</span>
        <input
          type="range"
          min={step}
          max={Math.max(2 * step, hi - lo)}
          step={step}
          value={current.width}
          onChange={(e) => onChange({ ...current, width: Number(e.target.value) })}
          aria-label="Window width"
        />
        <span className="mono">{shown(current.width)}</span>
      </label>
    </div>
  );
}
