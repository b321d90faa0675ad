/**
 * The test split's figures of each volume of a 3-D network in the Output tab (docs/ui.md, "Output
 * tab"), under the averages: one row per test volume, worst first by the first figure; a column's
 * header sorts by it (again: best first).
 */
import { useState } from 'react';
import {
  formatVolumeFigure,
  sortVolumeRows,
  volumeFigureColumns,
  volumeFiguresHeading,
  type VolumeFigureRow,
} from '../../engine/api';

export function VolumeFigureTable({
  rows,
  classes,
  run,
  scope,
}: {
  rows: VolumeFigureRow[];
  classes: string[];
  run: string | undefined;
  /** What the rows are of (`Test split` when absent). */
  scope?: string;
}) {
  const columns = volumeFigureColumns(rows, classes);
  const [order, setOrder] = useState<{ key: string; worstFirst: boolean } | null>(null);
  if (!columns.length) return null;
  const column = columns.find((c) => c.key === order?.key) ?? columns[0];
  const worstFirst = order?.key === column.key ? order.worstFirst : true;
  const sortBy = (key: string): void =>
    setOrder({ key, worstFirst: key === column.key ? !worstFirst : true });
  return (
    <div className="volume-figures" data-testid="volume-figures">
      <h4>{volumeFiguresHeading(rows, run, scope)}</h4>
      <table
        className="metrics-table"
        aria-label={scope ? `${scope}: figures per volume` : 'Test figures per volume'}
      >
        <thead>
          <tr>
            <th scope="col">item</th>
            {columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                aria-sort={
                  c.key === column.key
                    ? worstFirst === c.higherIsBetter
                      ? 'ascending'
                      : 'descending'
                    : 'none'
                }
              >
                <button type="button" className="sort-button" onClick={() => sortBy(c.key)}>
                  {c.label}
                  {c.key === column.key ? (worstFirst ? ' (worst first)' : ' (best first)') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sortVolumeRows(rows, column, worstFirst).map((row) => (
            <tr key={row.id}>
              <th scope="row" className="mono">
                {row.id}
              </th>
              {columns.map((c) => (
                <td key={c.key} className="mono">
                  {formatVolumeFigure(row.figures[c.key])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
