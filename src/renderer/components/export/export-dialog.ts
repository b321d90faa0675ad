/** Which network node "Export model..." is open for (null: closed); the dialog keeps the rest of its state itself. */
import { observable, runInAction } from 'mobx';

/** See the module comment. */
export const exportDialog = observable({ node: null as string | null });

/** Opens "Export model..." for network node `node`, or closes it (null). */
export function showExportDialog(node: string | null): void {
  runInAction(() => (exportDialog.node = node));
}
