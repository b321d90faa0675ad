/**
 * Custom modules in the project file: the latest version of each, saved with
 * a version bump whenever the source changes (the version is part of cache
 * keys), and deleted with all their versions.
 */
import { CustomModuleInfoSchema, type CustomModuleInfo } from '../api/requests';
import type { CustomModuleRecord, ProjectStore } from '../store';

/** A saved custom module as the engine reads it back. */
export type StoredCustomModule = CustomModuleInfo & {
  /** The project's own flag (informational: the gate is the user's TrustList, by `sourceHash`). */
  trusted: boolean;
  /** SHA-256 of the source, hex. */
  sourceHash: string;
  /** The saved version (compile with it: it is part of cache keys). */
  version: number;
};

function latestById(records: CustomModuleRecord[]): Map<string, CustomModuleRecord> {
  const latest = new Map<string, CustomModuleRecord>();
  for (const record of records) {
    const seen = latest.get(record.id);
    if (!seen || record.version > seen.version) latest.set(record.id, record);
  }
  return latest;
}

/**
 * The latest version of each custom module of the project, by id. Rows saved
 * before the wizard's fields were stored get the defaults (title = id); rows
 * that are not a valid custom module (id without `my-`, unknown language) are
 * left out rather than failing the project.
 */
export function readCustomModules(store: ProjectStore): StoredCustomModule[] {
  const out: StoredCustomModule[] = [];
  for (const record of latestById(store.customModules()).values()) {
    const parsed = CustomModuleInfoSchema.safeParse({
      id: record.id,
      title: record.title ?? record.id,
      category: record.category,
      modality: record.modality,
      dims: record.dims,
      description: record.description,
      language: record.language,
      source: record.source,
    });
    if (!parsed.success) continue;
    out.push({
      ...parsed.data,
      trusted: record.trusted,
      sourceHash: record.sourceHash,
      version: record.version,
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * The version {@link saveCustomModuleRecord} will give this module: the latest
 * saved one when the source is unchanged, else one more (1 for a new id).
 * Compile with it before saving, so a module that does not compile is not saved.
 */
export function versionToSave(store: ProjectStore, info: Pick<CustomModuleInfo, 'id' | 'source'>): number {
  const latest = latestById(store.customModules().filter((r) => r.id === info.id)).get(info.id);
  return !latest ? 1 : latest.source === info.source ? latest.version : latest.version + 1;
}

/**
 * Saves a custom module: a new version when the source changed (or none was
 * saved), else the latest version's row is updated (wizard fields do not change
 * outputs, so they do not bump). Marks it trusted in the project: the user
 * wrote it here. Returns the saved version. Throws on an invalid info.
 */
export function saveCustomModuleRecord(store: ProjectStore, info: CustomModuleInfo): number {
  const parsed = CustomModuleInfoSchema.safeParse(info);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Custom module "${info.id}" cannot be saved: ${issue.path.join('.')}: ${issue.message}`);
  }
  const module = parsed.data;
  const version = versionToSave(store, module);
  store.saveCustomModule({
    id: module.id,
    version,
    language: module.language,
    source: module.source,
    trusted: true,
    title: module.title,
    category: module.category,
    modality: module.modality,
    dims: module.dims,
    description: module.description,
  });
  return version;
}

/** Deletes every version of a custom module from the project. */
export function deleteCustomModuleRecord(store: ProjectStore, id: string): void {
  store.deleteCustomModule(id);
}
