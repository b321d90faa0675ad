/**
 * The error gallery of a classifier's study: the items the model got wrong
 * most confidently (called as the confusion matrix calls them), each with its
 * Grad-CAM, true and called class; a click opens the item in the View tab.
 * Grad-CAM is the model's that made the evaluation; when the node holds another model
 * since, the gallery says so and shows no map. It shows where the network looked, a hint,
 * not a finding.
 */
import { useEffect, useState } from 'react';
import { observer } from 'mobx-react-lite';
import type { EvaluationRecord, Prediction } from '../../engine/api';
import { useWorkbench } from './context';

type WrongItem = NonNullable<EvaluationRecord['errors']>[number];

const ErrorCard = observer(function ErrorCard({
  node,
  evaluation,
  error,
  classes,
  onRefused,
}: {
  node: string;
  evaluation: string;
  error: WrongItem;
  classes: string[];
  /** Told why the evaluation's model cannot give this item's Grad-CAM. */
  onRefused: (reason: string) => void;
}) {
  const wb = useWorkbench();
  const [prediction, setPrediction] = useState<Prediction | null>(null);
  useEffect(() => {
    let current = true;
    // The model of the evaluation, never whatever model the node holds now.
    wb.api.getPrediction({ node, sampleId: error.id, evaluation }).then(
      (p) => current && setPrediction(p),
      (e: Error) => current && onRefused(e.message),
    );
    return () => {
      current = false;
    };
  }, [wb, node, error.id, evaluation, onRefused]);
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
  const [refused, setRefused] = useState('');
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
            <ErrorCard
              key={error.id}
              node={record.node}
              evaluation={record.id}
              error={error}
              classes={record.classes}
              onRefused={setRefused}
            />
          ))}
        </ul>
      )}
      {refused && (
        <p className="status-issues" role="status" data-testid="gallery-refused">
          No Grad-CAM: {refused}
        </p>
      )}
      <p className="muted chart-note">
        Grad-CAM shows where the network looked, computed with the model that made this evaluation: a hint,
        not a finding.
      </p>
    </section>
  );
});
