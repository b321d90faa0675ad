/**
 * A zoomable, pannable image area: wheel zooms about the pointer, drag pans,
 * double-click or the reset button fits. Children are stacked layers of the
 * same size (image, overlay, before/after), so they move together.
 * A volume's view passes `onWheelStep` and `onAdjust`: then the wheel steps through
 * slices (Ctrl+wheel zooms), a drag adjusts window and level (Shift+drag pans), and
 * `edges` (the patient's sides) stay at the area's borders while the image moves.
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
  onWheelStep,
  onAdjust,
  edges,
}: {
  width: number;
  height: number;
  children: ReactNode;
  label: string;
  /** Called with +1 or -1 per wheel step (a notch, or enough trackpad travel). */
  onWheelStep?(step: 1 | -1): void;
  /** Called with the pointer's travel in px since the last move while dragging without Shift. */
  onAdjust?(dx: number, dy: number): void;
  edges?: ReactNode;
}) {
  const [view, setView] = useState({ zoom: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; vx: number; vy: number; adjust: boolean } | null>(null);
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

  const zoomAt = useCallback((e: { clientX: number; clientY: number; deltaY: number }, el: HTMLElement) => {
    const box = el.getBoundingClientRect();
    const px = e.clientX - box.left - box.width / 2;
    const py = e.clientY - box.top - box.height / 2;
    setView((v) => {
      const zoom = Math.min(16, Math.max(0.25, v.zoom * Math.exp(-e.deltaY * 0.0015)));
      const k = zoom / v.zoom;
      // Keep the point under the cursor fixed while zooming.
      return { zoom, x: px - (px - v.x) * k, y: py - (py - v.y) * k };
    });
  }, []);
  const onWheel = (e: WheelEvent<HTMLDivElement>) => {
    if (!onWheelStep) zoomAt(e, e.currentTarget);
  };
  // Slices: a native listener, because React's wheel listener is passive and the panel would scroll too.
  const travel = useRef(0);
  const stepRef = useRef(onWheelStep);
  stepRef.current = onWheelStep;
  const stepping = onWheelStep !== undefined;
  useEffect(() => {
    const el = box.current;
    if (!el || !stepping) return;
    const listener = (e: globalThis.WheelEvent): void => {
      e.preventDefault();
      if (e.ctrlKey || e.metaKey) return zoomAt(e, el);
      // Lines and pages count as a notch; pixels (trackpads) add up to one.
      travel.current += e.deltaMode === 0 ? e.deltaY : Math.sign(e.deltaY) * 100;
      if (Math.abs(travel.current) < 50) return;
      stepRef.current?.(travel.current > 0 ? 1 : -1);
      travel.current = 0;
    };
    el.addEventListener('wheel', listener, { passive: false });
    return () => el.removeEventListener('wheel', listener);
  }, [stepping, zoomAt]);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = {
      x: e.clientX,
      y: e.clientY,
      vx: view.x,
      vy: view.y,
      adjust: onAdjust !== undefined && !e.shiftKey,
    };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    if (d.adjust) {
      onAdjust?.(e.clientX - d.x, e.clientY - d.y);
      d.x = e.clientX;
      d.y = e.clientY;
    } else setView((v) => ({ ...v, x: d.vx + e.clientX - d.x, y: d.vy + e.clientY - d.y }));
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
        {edges}
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
