/**
 * A zoomable, pannable image area: wheel zooms about the pointer, drag pans,
 * double-click or the reset button fits. Children are stacked layers of the
 * same size (image, overlay, before/after), so they move together.
 */
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type ReactNode,
  type WheelEvent,
  type PointerEvent,
} from 'react';

/** See the module comment. */
export function ImageViewport({
  width,
  height,
  children,
  label,
}: {
  width: number;
  height: number;
  children: ReactNode;
  label: string;
}) {
  const [view, setView] = useState({ zoom: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; vx: number; vy: number } | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const [area, setArea] = useState({ width: 300, height: 300 });
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setArea({ width: el.clientWidth, height: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  // At 100% the image fills the area (small medical images are often 64 px wide).
  const fit = Math.min((area.width - 16) / width, (area.height - 16) / height);
  const shownWidth = Math.max(1, Math.floor(width * fit));
  const shownHeight = Math.max(1, Math.floor(height * fit));

  const onWheel = useCallback((e: WheelEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - box.left - box.width / 2;
    const py = e.clientY - box.top - box.height / 2;
    setView((v) => {
      const zoom = Math.min(16, Math.max(0.25, v.zoom * Math.exp(-e.deltaY * 0.0015)));
      const k = zoom / v.zoom;
      // Keep the point under the cursor fixed while zooming.
      return { zoom, x: px - (px - v.x) * k, y: py - (py - v.y) * k };
    });
  }, []);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (d) setView((v) => ({ ...v, x: d.vx + e.clientX - d.x, y: d.vy + e.clientY - d.y }));
  };
  const onPointerUp = () => (drag.current = null);
  const reset = () => setView({ zoom: 1, x: 0, y: 0 });

  return (
    <div className="viewport-wrap">
      <div
        className="viewport"
        ref={box}
        role="img"
        aria-label={label}
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onDoubleClick={reset}
      >
        <div
          className="viewport-layers"
          style={{
            width: shownWidth,
            height: shownHeight,
            transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`,
          }}
        >
          {children}
        </div>
      </div>
      <div className="viewport-bar">
        <span className="mono">{Math.round(view.zoom * 100)}%</span>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setView((v) => ({ ...v, zoom: Math.min(16, v.zoom * 1.25) }))}
          aria-label="Zoom in"
        >
          +
        </button>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setView((v) => ({ ...v, zoom: Math.max(0.25, v.zoom / 1.25) }))}
          aria-label="Zoom out"
        >
          −
        </button>
        <button type="button" className="btn btn-small" onClick={reset} aria-label="Reset zoom and pan">
          Fit
        </button>
      </div>
    </div>
  );
}
