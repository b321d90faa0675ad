/**
 * The project-level banner shown when the project holds custom code that
 * this computer has not trusted: its modules are not loaded (their nodes
 * cannot run) until the user chooses "Trust and run".
 */
import { useState } from 'react';
import { observer } from 'mobx-react-lite';
import { untrustedCodeMessage } from '../../../engine/api/trust';
import { untrustedIssues } from '../../stores/custom-modules';
import { useWorkbench } from '../context';

function TrustBannerView() {
  const wb = useWorkbench();
  const [busy, setBusy] = useState(false);
  const issues = untrustedIssues(wb.issues);
  const untrustedModules = wb.customModules.modules.filter((m) => !m.trusted);
  // The slot is always there (a grid row of the window); it is empty when all is trusted.
  if (issues.length === 0 && untrustedModules.length === 0) return <div className="trust-slot" />;
  const names = [...new Set(untrustedModules.map((m) => m.title))];
  return (
    <div className="trust-banner" role="alert" data-testid="trust-banner">
      <span>
        {names.length ? untrustedCodeMessage(names) : issues[0]?.message} Trust only projects from people you
        trust. {wb.info?.confinement?.summary}
      </span>
      <button
        type="button"
        className="btn btn-small btn-primary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void wb.customModules
            .trust()
            .catch((e: unknown) => wb.toast('error', String(e)))
            .finally(() => setBusy(false));
        }}
      >
        Trust and run
      </button>
    </div>
  );
}

/** See the module comment. */
export const TrustBanner = observer(TrustBannerView);
