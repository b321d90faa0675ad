/**
 * "Send to PACS" under a segmentation or classification network's prediction
 * in the View tab: the predicted mask of the item shown, at its source image's
 * size, goes to the chosen profile's PACS as a DICOM SEG of the item's DICOM
 * image (same study and frame of reference); a classification goes as a
 * Structured Report and its Grad-CAM as a Secondary Capture marked not for
 * diagnosis. The line below says what was sent, or why not.
 */
import { useEffect, useState } from 'react';
import { observer } from 'mobx-react-lite';
import { useWorkbench } from '../context';
import './pacs.css';

function SendToPacsView({ node, sampleId }: { node: string; sampleId: string }) {
  const wb = useWorkbench();
  const [profile, setProfile] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string } | null>(null);
  useEffect(() => {
    void wb.pacs.load().then(
      (list) => setProfile((p) => p || list.profiles[0]?.name || ''),
      () => undefined,
    );
  }, [wb]);
  useEffect(() => setOutcome(null), [sampleId]);
  const profiles = wb.pacs.profiles?.profiles ?? [];
  const send = async (): Promise<void> => {
    setBusy(true);
    setOutcome(null);
    try {
      const sent = await wb.api.sendToPacs({ profile, node, sampleId });
      const model = sent.fromSample ? '; from the Sample RUN model' : '';
      setOutcome({
        ok: true,
        message: sent.predicted
          ? `Sent a Structured Report of ${sampleId} (class given: ${sent.predicted}, with every class's probability${model}) and its Grad-CAM as a Secondary Capture marked not for diagnosis to ${sent.profile}, in the image's study ${sent.studyInstanceUid}.`
          : `Sent a DICOM SEG of ${sampleId} (segments: ${sent.segments.join(', ')}${model}) to ${sent.profile}, in the image's study ${sent.studyInstanceUid}.`,
      });
    } catch (e) {
      setOutcome({ ok: false, message: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="pacs-send" data-testid="send-to-pacs">
      <div className="field-row">
        <select
          aria-label="PACS server to send to"
          value={profile}
          onChange={(e) => setProfile(e.target.value)}
          disabled={!profiles.length}
        >
          {profiles.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn"
          disabled={busy || !profile}
          title={
            profile
              ? "Send this prediction into the image's study (a SEG, or a report and its Grad-CAM)"
              : 'Add a PACS server under File > PACS servers…'
          }
          onClick={() => void send()}
        >
          {busy ? 'Sending…' : 'Send to PACS'}
        </button>
      </div>
      {outcome && (
        <div role="status" className={outcome.ok ? 'pacs-verdict ok' : 'pacs-verdict failed'}>
          {outcome.message}
        </div>
      )}
    </div>
  );
}

/** See the module comment. */
export const SendToPacs = observer(SendToPacsView);
