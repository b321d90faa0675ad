/** Whether File > Project settings… is open. */
import { observable, runInAction } from 'mobx';

/** See the module comment. */
export const projectSettingsDialog = observable({ open: false });

/** Opens or closes File > Project settings…. */
export function showProjectSettings(open: boolean): void {
  runInAction(() => (projectSettingsDialog.open = open));
}
