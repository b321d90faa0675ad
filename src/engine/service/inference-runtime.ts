/**
 * The project's "Inference runtime" setting as stored in its `.phiproj`, and
 * the runtime that runs its inference: `PHI_INFERENCE_RUNTIME` overrides the
 * project's choice (inference-backend.ts holds that rule).
 */
import { InferenceRuntimeSchema, type InferenceRuntime } from '../api';
import { inferenceRuntimeSetting } from '../nn/export/inference-backend';
import type { ProjectStore } from '../store/project-store';

/** The settings key the choice is kept under. */
export const INFERENCE_RUNTIME_SETTING = 'inferenceRuntime';

/** The project's choice; `auto` when unset or unreadable. */
export function projectInferenceRuntime(store: ProjectStore): InferenceRuntime {
  const stored = InferenceRuntimeSchema.safeParse(store.getSetting(INFERENCE_RUNTIME_SETTING));
  return stored.success ? stored.data : 'auto';
}

/** The runtime the project's inference runs on (the environment variable first). */
export function inferenceRuntimeOf(store: ProjectStore): InferenceRuntime {
  return inferenceRuntimeSetting(projectInferenceRuntime(store));
}
