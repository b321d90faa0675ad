/**
 * The app's icons: small inline SVGs on a 16px grid, stroked with the current
 * colour, so they follow the theme and need no font or network.
 */
import type { ReactElement, SVGProps } from 'react';

/** Names of the icons. */
export type IconName =
  | 'play'
  | 'stop'
  | 'chevron-down'
  | 'undo'
  | 'redo'
  | 'copy'
  | 'paste'
  | 'trash'
  | 'fit'
  | 'check'
  | 'plus'
  | 'x'
  | 'clock'
  | 'alert'
  | 'step'
  | 'search'
  | 'database'
  | 'layers'
  | 'brain'
  | 'image'
  | 'table'
  | 'chart'
  | 'terminal'
  | 'sliders'
  | 'refresh'
  | 'dot'
  | 'folder';

const PATHS: Record<IconName, ReactElement> = {
  play: <path d="M5 3.5v9l7-4.5z" fill="currentColor" stroke="none" />,
  stop: <rect x="4" y="4" width="8" height="8" rx="1" fill="currentColor" stroke="none" />,
  'chevron-down': <path d="M4 6l4 4 4-4" />,
  undo: <path d="M6 4L3 7l3 3M3 7h6.5a3.5 3.5 0 010 7H8" />,
  redo: <path d="M10 4l3 3-3 3M13 7H6.5a3.5 3.5 0 000 7H8" />,
  copy: (
    <>
      <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
      <path d="M3.5 10.5h-.5a1 1 0 01-1-1V3a1 1 0 011-1h6.5a1 1 0 011 1v.5" />
    </>
  ),
  paste: (
    <>
      <rect x="3" y="3" width="10" height="11" rx="1.5" />
      <path d="M6 3V2h4v1M6 7h4M6 10h4" />
    </>
  ),
  trash: <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 9h5.6l.7-9" />,
  fit: <path d="M2.5 6V2.5H6M10 2.5h3.5V6M13.5 10v3.5H10M6 13.5H2.5V10" />,
  check: <path d="M3.5 8.5l3 3 6-7" />,
  plus: <path d="M8 3v10M3 8h10" />,
  x: <path d="M4 4l8 8M12 4l-8 8" />,
  clock: (
    <>
      <circle cx="8" cy="8" r="5.5" />
      <path d="M8 5v3.2l2 1.3" />
    </>
  ),
  alert: (
    <>
      <path d="M8 2l6.5 11.5h-13z" />
      <path d="M8 6.5v3M8 11.5v.3" />
    </>
  ),
  step: <path d="M3 3.5v9l5.5-4.5zM9.5 3.5v9M12.5 3.5v9" />,
  search: (
    <>
      <circle cx="7" cy="7" r="4" />
      <path d="M10 10l3.5 3.5" />
    </>
  ),
  database: (
    <>
      <ellipse cx="8" cy="4" rx="5" ry="2" />
      <path d="M3 4v8c0 1.1 2.2 2 5 2s5-.9 5-2V4M3 8c0 1.1 2.2 2 5 2s5-.9 5-2" />
    </>
  ),
  layers: <path d="M8 2l6 3.2-6 3.2-6-3.2zM2 8.3l6 3.2 6-3.2M2 11.2l6 3.2 6-3.2" />,
  brain: (
    <>
      <circle cx="4" cy="8" r="1.6" />
      <circle cx="12" cy="4" r="1.6" />
      <circle cx="12" cy="12" r="1.6" />
      <path d="M5.5 7.3l5-2.6M5.5 8.7l5 2.6" />
    </>
  ),
  image: (
    <>
      <rect x="2" y="3" width="12" height="10" rx="1.5" />
      <circle cx="6" cy="6.5" r="1.2" />
      <path d="M2.5 12l3.5-3.5 2.5 2.5 2-2 3 3" />
    </>
  ),
  table: <path d="M2.5 3h11v10h-11zM2.5 6.5h11M2.5 10h11M6.5 6.5V13" />,
  chart: <path d="M2.5 13.5h11M3.5 11l3-4 3 2 4-5.5" />,
  terminal: <path d="M2.5 3h11v10h-11zM5 6.5l2 1.5-2 1.5M8.5 10H11" />,
  sliders: <path d="M3 4h10M3 8h10M3 12h10M6 2.5v3M10 6.5v3M5 10.5v3" />,
  refresh: <path d="M13 8a5 5 0 11-1.5-3.5M13 2.5V5h-2.5" />,
  dot: <circle cx="8" cy="8" r="3" fill="currentColor" stroke="none" />,
  folder: (
    <path d="M2 4.5A1.5 1.5 0 013.5 3h3l1.5 1.5h4.5A1.5 1.5 0 0114 6v5.5a1.5 1.5 0 01-1.5 1.5h-9A1.5 1.5 0 012 11.5z" />
  ),
};

/** One icon; decorative (aria-hidden) since every control carries its own accessible name. */
export function Icon({
  name,
  size = 16,
  ...rest
}: { name: IconName; size?: number } & SVGProps<SVGSVGElement>) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.5}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      {PATHS[name]}
    </svg>
  );
}
