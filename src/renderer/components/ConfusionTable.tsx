/** A confusion matrix with class names: rows the true class, columns the predicted one, the diagonal marked. */

export function ConfusionTable({
  names,
  counts,
  label,
  testId,
}: {
  names: readonly string[];
  /** `counts[true][predicted]`. */
  counts: readonly (readonly number[])[];
  /** What the table is, for screen readers ("Confusion matrix at the operating point: …"). */
  label: string;
  testId?: string;
}) {
  return (
    <table className="metrics-table confusion" aria-label={label} data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">true \ predicted</th>
          {names.map((name) => (
            <th key={name} scope="col">
              {name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {counts.map((row, i) => (
          <tr key={names[i]}>
            <th scope="row">{names[i]}</th>
            {row.map((count, j) => (
              <td key={j} className={`mono${i === j ? ' diagonal' : ''}`}>
                {count}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
