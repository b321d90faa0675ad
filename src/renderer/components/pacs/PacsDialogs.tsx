/** The PACS dialog that is open, if any (File > PACS servers…, File > Import from PACS…). */
import { observer } from 'mobx-react-lite';
import { useWorkbench } from '../context';
import { ImportFromPacsDialog } from './ImportFromPacsDialog';
import { PacsProfilesDialog } from './PacsProfilesDialog';

function PacsDialogsView() {
  const wb = useWorkbench();
  if (wb.pacs.dialog === 'profiles') return <PacsProfilesDialog />;
  if (wb.pacs.dialog === 'import') return <ImportFromPacsDialog />;
  return null;
}

/** See the module comment. */
export const PacsDialogs = observer(PacsDialogsView);
