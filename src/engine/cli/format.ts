/** Plain-text rendering of engine results for the terminal. */
import type { EpochMetrics, ProjectSnapshot } from '../api';
import { formatShape } from '../run/shape-summary';

/** The pipeline as lines: node, type, state, shape. */
export function formatSnapshot(snapshot: ProjectSnapshot): string {
  const lines = snapshot.graph.nodes.map((node) => {
    const status = snapshot.status[node.id];
    const shape = status?.shape ? formatShape(status.shape) : '';
    return `  ${node.id.padEnd(20)} ${node.type.padEnd(22)} ${(status?.state ?? 'idle').padEnd(7)} ${shape}`;
  });
  const issues = snapshot.issues.map((i) => `  ${i.severity}: ${i.message}`);
  return [...lines, ...issues, ''].join('\n');
}

const fmt = (value: number | null): string =>
  value === null ? '—' : Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(4);

/** One line of an epoch's scalar metrics (per-class arrays are summarised by their macro keys). */
export function formatMetrics(metrics: EpochMetrics): string {
  return Object.entries(metrics)
    .filter((entry): entry is [string, number | null] => !Array.isArray(entry[1]))
    .map(([name, value]) => `${name}=${fmt(value)}`)
    .join(' ');
}
