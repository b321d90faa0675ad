/**
 * The study's figures per subgroup in the Output tab (docs/ui.md, "Output tab"): one row per
 * group of each attribute (manufacturer, model, sex, age band, the node's subgroup CSV columns)
 * with its item count per class and each figure with its 95% interval; a small group is flagged,
 * its intervals being wide.
 */
import {
  formatInterval,
  formatValue,
  SMALL_SUBGROUP_CLASS_ITEMS,
  subgroupColumns,
  subgroupRows,
  type EvaluationRecord,
} from '../../engine/api';

export function SubgroupTable({ record }: { record: EvaluationRecord }) {
  const rows = subgroupRows(record);
  if (!rows.length) return null;
  const columns = subgroupColumns(record);
  return (
    <div className="subgroups">
      <table
        className="metrics-table"
        aria-label="Figures per subgroup with 95% intervals"
        data-testid="study-subgroups"
      >
        <thead>
          <tr>
            <th scope="col">subgroup</th>
            <th scope="col">n</th>
            {columns.map((c) => (
              <th key={c.key} scope="col">
                {c.label} [95% interval]
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.attribute}=${row.value}`} className={row.small ? 'small-group' : undefined}>
              <th scope="row">
                {row.attribute}: {row.value}
                {row.small && (
                  <span
                    className="muted"
                    title={`Fewer than ${SMALL_SUBGROUP_CLASS_ITEMS} items of some class`}
                  >
                    {' '}
                    (small)
                  </span>
                )}
              </th>
              <td className="mono" title={row.counts}>
                {row.items}
              </td>
              {row.figures.map((f) => (
                <td key={f.key} className="mono">
                  {formatValue(f.value)} {formatInterval(f.interval)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted chart-note">
        Each group's figures are on its items alone, at the whole evaluation's threshold; small groups (fewer
        than {SMALL_SUBGROUP_CLASS_ITEMS} items of some class) have wide intervals.
      </p>
    </div>
  );
}
