/**
 * Where the trials of a search train: the project's cluster executor (File >
 * Clusters…) or this computer. Read again whenever that dialog closes, so the
 * line never names a profile the project has left.
 */
import { useEffect, useState } from 'react';
import { observer } from 'mobx-react-lite';
import { clusterDialog } from '../cluster/cluster-dialog';
import { useWorkbench } from '../context';

function TrialsRunOnView() {
  const wb = useWorkbench();
  // undefined while unknown: nothing is said until the engine has answered.
  const [executor, setExecutor] = useState<string | null | undefined>(undefined);
  const dialogOpen = clusterDialog.open;
  useEffect(() => {
    if (dialogOpen) return;
    let current = true;
    void wb.api
      .getClusterSettings({})
      .then((settings) => {
        if (current) setExecutor(settings.executor);
      })
      .catch(() => {
        if (current) setExecutor(undefined);
      });
    return () => {
      current = false;
    };
  }, [wb, dialogOpen]);
  if (executor === undefined) return null;
  return (
    <span className="muted" data-testid="trials-run-on">
      {executor === null ? 'Trials run on this computer' : `Trials run on cluster ${executor}`}
    </span>
  );
}

/** See the module comment. */
export const TrialsRunOn = observer(TrialsRunOnView);
