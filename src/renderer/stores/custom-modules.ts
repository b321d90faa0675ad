/**
 * Custom ("My") modules: the New module wizard (name -> `my-...` id,
 * category, modality, 2-D/3-D, description, TypeScript or Python), the code editor's state (source,
 * compile problems, saving), the list of the project's custom modules, delete
 * and the trust banner. The engine compiles and registers; this store only
 * asks and mirrors.
 */
import { action, computed, makeObservable, observable, observableRef, runInAction } from 'mobx';
import type {
  CustomModuleInfo,
  EngineApi,
  GraphIssue,
  ProjectSnapshot,
  SourceProblem,
} from '../../engine/api';
import { idFromTitle, USER_ID_PATTERN } from '../../engine/api/names';
import { UNTRUSTED_CODE } from '../../engine/api/trust';
import { errorMessage } from './format';

/** What the wizard asks. */
export interface WizardValues {
  title: string;
  id: string;
  category: string;
  modality: string;
  dims: '2d' | '3d';
  description: string;
  /** TypeScript (sandboxed, the default) or Python (a python3 process with numpy). */
  language: CustomModuleInfo['language'];
}

/** Modalities offered by the wizard (DICOM Modality codes, photo, or any). */
export const MODALITIES = ['any', 'CT', 'MR', 'CR', 'DX', 'US', 'MG', 'PT', 'photo'] as const;

/** `HU window (soft tissue)` -> `my-hu-window-soft-tissue`: the id the engine accepts. */
export function moduleIdFromTitle(title: string): string {
  return idFromTitle(title, 'module');
}

/** The reasons the wizard cannot go on, per field (empty when it can). */
export function wizardErrors(values: WizardValues, takenIds: readonly string[]): Partial<WizardValues> {
  const errors: Partial<WizardValues> = {};
  if (!values.title.trim()) errors.title = 'Give the module a name';
  if (!USER_ID_PATTERN.test(values.id)) errors.id = 'Lower-case letters, digits and "-", starting with "my-"';
  else if (takenIds.includes(values.id)) errors.id = `"${values.id}" is taken: choose another name`;
  if (!values.category.trim()) errors.category = 'Give a category (the palette group)';
  return errors;
}

/** A compile problem as a Monaco marker range (1-based, one word wide when the column is known). */
export interface MarkerRange {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
  message: string;
}

/** Turns the engine's problems into marker ranges (lines clamped into the source). */
export function markersOf(problems: readonly SourceProblem[], source: string): MarkerRange[] {
  const lines = source.split('\n');
  return problems.map((p) => {
    const line = Math.min(Math.max(1, p.line), Math.max(1, lines.length));
    const text = lines[line - 1] ?? '';
    const column = Math.min(Math.max(1, p.column), text.length + 1);
    const rest = text.slice(column - 1).match(/^\w+/)?.[0].length ?? 1;
    return {
      startLineNumber: line,
      startColumn: column,
      endLineNumber: line,
      endColumn: column + Math.max(1, rest),
      message: p.message,
    };
  });
}

/** The code editor's language and model path of a module (Monaco picks highlighting from both). */
export function editorLanguage(info: Pick<CustomModuleInfo, 'id' | 'language'>): {
  language: string;
  uri: string;
} {
  return info.language === 'python'
    ? { language: 'python', uri: `file:///${info.id}.py` }
    : { language: 'typescript', uri: `file:///${info.id}.ts` };
}

/** Snapshot issues that say custom code is not trusted on this computer. */
export function untrustedIssues(issues: readonly GraphIssue[]): GraphIssue[] {
  return issues.filter((i) => UNTRUSTED_CODE.test(i.message));
}

/** The editor's document. */
export interface EditorDocument {
  info: Omit<CustomModuleInfo, 'source'>;
  source: string;
  /** True until the first successful save. */
  isNew: boolean;
  problems: SourceProblem[];
  saving: boolean;
  /** Set after a successful save. */
  savedAt?: number;
}

/** What this store needs of the engine and of the workbench. */
export interface CustomModuleHost {
  api: Pick<
    EngineApi,
    | 'listCustomModules'
    | 'customModuleTemplate'
    | 'saveCustomModule'
    | 'deleteCustomModule'
    | 'trustProject'
    | 'getInfo'
  >;
  /** Node types changed (a module was saved or deleted): the palette refetches them. */
  refreshInfo(): Promise<void>;
  adoptSnapshot(snapshot: ProjectSnapshot): void;
  toast(kind: 'info' | 'error' | 'success', message: string): void;
}

/** The store. */
export class CustomModulesStore {
  modules: (CustomModuleInfo & { trusted: boolean })[] = [];
  wizardOpen = false;
  listOpen = false;
  doc: EditorDocument | null = null;

  constructor(private readonly host: CustomModuleHost) {
    makeObservable(this, {
      modules: observableRef,
      wizardOpen: observable,
      listOpen: observable,
      doc: observableRef,
      editorOpen: computed,
      openWizard: action,
      closeWizard: action,
      openList: action,
      closeList: action,
      closeEditor: action,
      setSource: action,
    });
  }

  get editorOpen(): boolean {
    return this.doc !== null;
  }

  openWizard(): void {
    this.wizardOpen = true;
  }

  closeWizard(): void {
    this.wizardOpen = false;
  }

  openList(): void {
    this.listOpen = true;
    void this.load();
  }

  closeList(): void {
    this.listOpen = false;
  }

  closeEditor(): void {
    this.doc = null;
  }

  /** Keeps the editor's text (problems stay until the next save). */
  setSource(source: string): void {
    if (this.doc) this.doc = { ...this.doc, source };
  }

  /** Loads the project's custom modules. */
  async load(): Promise<void> {
    try {
      const modules = await this.host.api.listCustomModules({});
      runInAction(() => (this.modules = modules));
    } catch {
      // No project open: nothing to list.
    }
  }

  /** Wizard "Next": fetches the template for the answers and opens the editor. */
  async create(values: WizardValues): Promise<void> {
    const info = {
      id: values.id,
      title: values.title.trim(),
      category: values.category.trim(),
      modality: values.modality,
      dims: values.dims,
      description: values.description.trim(),
      language: values.language,
    };
    const { source } = await this.host.api.customModuleTemplate(info);
    runInAction(() => {
      this.wizardOpen = false;
      this.doc = { info, source, isNew: true, problems: [], saving: false };
    });
  }

  /** Opens a saved module in the editor. */
  edit(id: string): void {
    const found = this.modules.find((m) => m.id === id);
    if (!found) return;
    const { source, trusted: _trusted, ...info } = found;
    runInAction(() => {
      this.listOpen = false;
      this.doc = { info, source, isNew: false, problems: [], saving: false };
    });
  }

  /** Compiles and registers the editor's source; returns the problems (empty when saved). */
  async save(): Promise<SourceProblem[]> {
    const doc = this.doc;
    if (!doc || doc.saving) return doc?.problems ?? [];
    runInAction(() => (this.doc = { ...doc, saving: true }));
    try {
      const result = await this.host.api.saveCustomModule({ ...doc.info, source: doc.source });
      runInAction(() => {
        if (this.doc?.info.id === doc.info.id)
          this.doc = {
            ...this.doc,
            saving: false,
            problems: result.problems,
            isNew: this.doc.isNew && !result.ok,
            savedAt: result.ok ? Date.now() : this.doc.savedAt,
          };
      });
      if (result.ok) {
        await this.host.refreshInfo();
        await this.load();
        this.host.toast(
          'success',
          `Saved "${doc.info.title}": it is in the palette under ${doc.info.category}`,
        );
      } else {
        this.host.toast('error', `${result.problems.length} problem(s): nothing was saved`);
      }
      return result.problems;
    } catch (error) {
      const message = errorMessage(error);
      const problems = [{ line: 1, column: 1, message }];
      runInAction(() => {
        if (this.doc) this.doc = { ...this.doc, saving: false, problems };
      });
      this.host.toast('error', message);
      return problems;
    }
  }

  /** Deletes a module (refused by the engine while a node uses it). */
  async remove(id: string): Promise<boolean> {
    try {
      const snapshot = await this.host.api.deleteCustomModule({ id });
      this.host.adoptSnapshot(snapshot);
      await this.host.refreshInfo();
      await this.load();
      runInAction(() => {
        if (this.doc?.info.id === id) this.doc = null;
      });
      this.host.toast('info', `Deleted "${id}"`);
      return true;
    } catch (error) {
      this.host.toast('error', errorMessage(error));
      return false;
    }
  }

  /** "Trust and run": registers the project's custom code on this computer. */
  async trust(): Promise<void> {
    const snapshot = await this.host.api.trustProject({ trusted: true });
    await this.host.refreshInfo();
    this.host.adoptSnapshot(snapshot);
    await this.load();
  }
}
