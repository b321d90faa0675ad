/** The `.phiproj` store: public entry of engine/store. */
export { ProjectStore } from './project-store';
export { ProjectError, type ProjectErrorCode } from './errors';
export { CURRENT_SCHEMA_VERSION, migrations, type Migration } from './migrations';
export { PHI_APPLICATION_ID, PROJECT_EXTENSION, ARTIFACTS_SUFFIX, type StoredRunStatus } from './schema';
export type * from './records';
