/**
 * The error gallery of a classifier's study: the items the model got wrong
 * most confidently (called as the confusion matrix calls them), each with its
 * Grad-CAM, true and called class; a click opens the item in the View tab.
 * Grad-CAM shows where the network looked, a hint, not a finding.
 */
import { useEffect, useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { EvaluationRecord, Prediction } from '../../engine/api';
import { useWorkbench } from './context';

type WrongItem = NonNullable<EvaluationRecord['errors']>[number];

const ErrorCard = observer(function ErrorCard({
  node,
  error,
  classes,
}: {
  node: string;
  error: WrongItem;
  classes: string[];
}) {
  const wb = useWorkbench();
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  useEffect(() => {
    let current = true;
    wb.api.getPrediction({ node, sampleId: error.id }).then(
      (p) => current && setPrediction(p),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [wb, node, error.id]);
  const image = prediction?.gradCam ?? prediction?.input;
  const label = `${error.id}: ${classes[error.truth]} called ${classes[error.predicted]} (p ${error.confidence.toFixed(3)})`;
  return (
    <li>
      <button
        type="button"
        className="error-card"
        title={`${label}: open in the View tab`}
        onClick={() => wb.openInView(node, error.id)}
      >
        {image ? (
          <img
            src={image.dataUrl}
            alt={`Grad-CAM of ${error.id}`}
            width={96}
            height={96}
            className="pixelated"
          />
        ) : (
          <span className="error-card-placeholder" aria-hidden="true" />
        )}
        <span className="error-card-text">
          <span className="mono">{error.id}</span>
          <span>
            {classes[error.truth]} → {classes[error.predicted]}
          </span>
          <span className="muted">p {error.confidence.toFixed(3)}</span>
        </span>
      </button>
    </li>
  );
});

/** See the module comment. */
export const ErrorGallery = observer(function ErrorGallery({ record }: { record: EvaluationRecord }) {
  if (!record.errors) return null;
  const wrong = record.confusion.reduce(
    (sum, row, i) => sum + row.reduce((s, c, j) => s + (i === j ? 0 : c), 0),
    0,
  );
  return (
    <section className="error-gallery" aria-label="Most confident errors" data-testid="error-gallery">
      <h4>
        Most confident errors · {record.errors.length} shown of {wrong} wrong in {record.items} items
      </h4>
      {record.errors.length === 0 ? (
        <p className="muted">No item of this split was called wrongly.</p>
      ) : (
        <ul>
          {record.errors.map((error) => (
            <ErrorCard key={error.id} node={record.node} error={error} classes={record.classes} />
          ))}
        </ul>
      )}
      <p className="muted chart-note">Grad-CAM shows where the network looked: a hint, not a finding.</p>
    </section>
  );
});
