/**
 * Decides, reading only, whether an opened SQLite handle is a Phi Studio
 * project this code can use, before anything is written to it: a stray file
 * (a text file, another app's database, a damaged or newer project) is left
 * untouched and reported with a readable error.
 */
import type Database from 'better-sqlite3';
import { ProjectError } from './errors';
import { CURRENT_SCHEMA_VERSION } from './migrations';
import { PHI_APPLICATION_ID } from './schema';

/** Returns the file's schema version, or throws a {@link ProjectError} saying why it cannot be opened. */
export function checkProjectFile(db: Database.Database, path: string): number {
  let applicationId: number;
  let version: number;
  let tables: number;
  try {
    applicationId = db.pragma('application_id', { simple: true }) as number;
    version = db.pragma('user_version', { simple: true }) as number;
    tables = (
      db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }
    ).n;
  } catch (error) {
    throw describeSqliteFailure(error, path);
  }
  if (applicationId !== PHI_APPLICATION_ID) {
    const what = tables === 0 ? 'an empty SQLite database' : 'an SQLite database of another application';
    throw new ProjectError('not-a-project', path, `${path} is not a Phi Studio project (it is ${what})`);
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    throw new ProjectError(
      'too-new',
      path,
      `${path} was saved by a newer Phi Studio (project format ${version}; this version reads up to ${CURRENT_SCHEMA_VERSION}). Update Phi Studio to open it.`,
    );
  }
  if (version < 1) {
    throw new ProjectError('damaged', path, `${path} is damaged: it has no project format version`);
  }
  let problems: string[];
  try {
    problems = (db.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check);
  } catch (error) {
    throw describeSqliteFailure(error, path);
  }
  if (problems.length !== 1 || problems[0] !== 'ok') {
    throw new ProjectError(
      'damaged',
      path,
      `${path} is damaged (SQLite integrity check: ${problems.slice(0, 3).join('; ')}). Restore it from a backup.`,
    );
  }
  return version;
}

/** Maps a SQLite error met while reading a file to a readable project error. */
export function describeSqliteFailure(error: unknown, path: string): ProjectError {
  const code = (error as { code?: unknown }).code;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB') {
    return new ProjectError(
      'not-a-project',
      path,
      `${path} is not a Phi Studio project (not an SQLite database)`,
      {
        cause: error,
      },
    );
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_CORRUPT_VTAB' || code === 'SQLITE_IOERR_SHORT_READ') {
    return new ProjectError('damaged', path, `${path} is damaged (${detail}). Restore it from a backup.`, {
      cause: error,
    });
  }
  return new ProjectError('damaged', path, `${path} cannot be read: ${detail}`, { cause: error });
}
