/**
 * The parts of the contract that serve the project screens: the folder
 * browser of web mode (sub-folders and project files of one folder, inside
 * the folder the server may browse), the dataset preview shown before a
 * project is created, and the settings a project keeps.
 */
import { z } from 'zod';
import type { DatasetSummary } from './dataset';
import { TASKS } from './sample';
import type { SampleSize } from './requests';
import type { InferenceRuntime } from './export';

/** Tasks a new project can be made for. */
export const TaskSchema = z.enum(TASKS);

/** Params of `browseFolder`: a folder (absolute, or relative to the root); the root when absent. */
export const BrowseFolderSchema = z.object({ path: z.string().max(4096).optional() });

/** Params of `previewDataset`: a dataset folder and, optionally, the task (guessed when absent). */
export const PreviewDatasetSchema = z.object({
  path: z.string().min(1).max(4096),
  task: TaskSchema.optional(),
});

/** Settings a project keeps in its `.phiproj` (`setProjectSettings` writes them). */
export interface ProjectSettings {
  /** The Sample RUN size, asked the first time; null until then. */
  sampleSize: SampleSize | null;
  /** What runs the View tab's predictions and external validation (`auto` until set). */
  inferenceRuntime: InferenceRuntime;
  /** `PHI_INFERENCE_RUNTIME` of the engine's environment when set: it overrides `inferenceRuntime`. */
  inferenceRuntimeOverride?: string;
}

/** One entry of a folder listing. */
export interface FolderEntry {
  name: string;
  /** Absolute path on the engine's machine (symlinks resolved). */
  path: string;
}

/** A folder as the folder browser shows it. */
export interface FolderListing {
  /** The folder the browser may not leave (the user's home, or `phi serve --root`). */
  root: string;
  /** The folder listed (absolute, symlinks resolved). */
  path: string;
  /** Its parent, or null at the root. */
  parent: string | null;
  /** Path separator of the engine's machine. */
  separator: string;
  /** Sub-folders (hidden ones left out), by name. */
  folders: FolderEntry[];
  /** `.phiproj` files, by name. */
  projects: FolderEntry[];
}

/** What a folder would be as a dataset, shown before a project is made over it. */
export type DatasetPreview = DatasetSummary & {
  /** The dataset folder (absolute). */
  path: string;
  /** A free project file name beside the folder, e.g. `/data/scans.phiproj`. */
  suggestedProject: string;
};

/** A project opened or created lately (`listRecentProjects`, newest first). */
export interface RecentProject {
  /** Absolute path of the `.phiproj` on the engine's machine. */
  path: string;
  /** ISO time it was last opened or created. */
  openedAt: string;
}
