/** Whether File > Clusters… is open (the dialog keeps the rest of its state itself). */
import { observable, runInAction } from 'mobx';

/** See the module comment. */
export const clusterDialog = observable({ open: false });

/** Opens or closes File > Clusters…. */
export function showClusterDialog(open: boolean): void {
  runInAction(() => (clusterDialog.open = open));
}
