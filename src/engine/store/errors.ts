/**
 * The one error type of the project store: every failure to create, open or
 * change a `.phiproj` names the file (and the node or edge) and says what is
 * wrong, so the front ends can show it as is.
 */

/** Why a project operation failed, for front ends that react differently (e.g. offer an update). */
export type ProjectErrorCode =
  | 'not-found'
  | 'exists'
  | 'not-a-project'
  | 'damaged'
  | 'too-new'
  | 'invalid-content'
  | 'invalid-edit'
  | 'unknown-run'
  | 'closed';

/** A readable error about a project file; `message` is meant for the user. */
export class ProjectError extends Error {
  /** Machine-readable reason. */
  readonly code: ProjectErrorCode;
  /** Absolute path of the project file concerned. */
  readonly path: string;

  constructor(code: ProjectErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProjectError';
    this.code = code;
    this.path = path;
  }
}
