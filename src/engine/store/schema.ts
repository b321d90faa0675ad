/**
 * Constants that identify a `.phiproj` file and its schema version. The SQL
 * itself lives in `migrations.ts` (one ordered list, the only place that
 * creates or changes tables).
 */

/** SQLite `PRAGMA application_id` of every project file: ASCII "Phi1". */
export const PHI_APPLICATION_ID = 0x50686931;

/** File extension of a project. */
export const PROJECT_EXTENSION = '.phiproj';

/** Suffix of the artifacts folder beside a project (`<name>.phidata/`). */
export const ARTIFACTS_SUFFIX = '.phidata';

/** Run statuses as stored; `interrupted` is set on open for a run whose process died. */
export type StoredRunStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
