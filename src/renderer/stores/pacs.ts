/**
 * The PACS state of the workbench (docs/ui.md, "PACS"): the user's server
 * profiles, which dialog is open, and the progress of the import or refresh
 * under way, from the engine's `pacs-progress` events.
 */
import { action, makeObservable, observable, observableRef, runInAction } from 'mobx';
import type { EngineApi, EngineEvent, PacsProfiles } from '../../engine/api';

/** Which PACS dialog is open. */
export type PacsDialog = 'profiles' | 'import' | null;

/** Progress of one PACS operation. */
export type PacsProgress = Omit<Extract<EngineEvent, { type: 'pacs-progress' }>, 'type'>;

/** See the module comment. */
export class PacsStore {
  profiles: PacsProfiles | null = null;
  dialog: PacsDialog = null;
  /** Per operation (`import`, `refresh:<node>`), the latest progress. */
  readonly progress = observable.map<string, PacsProgress>({}, { deep: false });
  /** Per Dataset node, how many times its query was refreshed here: its summary reads the folder again. */
  readonly refreshes = observable.map<string, number>();

  constructor(private readonly api: Pick<EngineApi, 'listPacsProfiles'>) {
    makeObservable(this, {
      profiles: observableRef,
      dialog: observable,
      open: action,
      onProgress: action,
      refreshed: action,
    });
  }

  open(dialog: PacsDialog): void {
    this.dialog = dialog;
  }

  async load(): Promise<PacsProfiles> {
    const profiles = await this.api.listPacsProfiles({});
    runInAction(() => (this.profiles = profiles));
    return profiles;
  }

  /** Adopts the profile list a save or delete answered with. */
  adopt(profiles: PacsProfiles): void {
    runInAction(() => (this.profiles = profiles));
  }

  refreshed(node: string): void {
    this.refreshes.set(node, (this.refreshes.get(node) ?? 0) + 1);
  }

  onProgress({ type: _type, ...progress }: Extract<EngineEvent, { type: 'pacs-progress' }>): void {
    this.progress.set(progress.operation, progress);
  }
}
