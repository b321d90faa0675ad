/**
 * The Neural Network node (kind `network`, category Neural Network): trains
 * a built-in network, or one saved with the layer builder, on its input
 * collection and serves predictions with Grad-CAM for the View tab.
 */
import type { NetworkNodeType } from '../graph/node-type';
import { stableStringify } from '../run/keys';
import { architectureDimsProblem, NetworkParamsSchema, type NetworkParams } from './params';
import { trainedContent } from '../api/network-spec';
import { heldInference } from './export/inference-backend';
import { loadTrained, predictSample } from './predict';
import { NETWORK_TASK_OPTIONS } from './task-options';
import { train } from './train/trainer';

/** The layer-builder spec a network node trains, when it trains one. */
function savedSpecId(params: NetworkParams): string | undefined {
  return (params.architecture === 'custom' && params.customSpec) || undefined;
}

/** See the module comment. */
export const neuralNetworkNode: NetworkNodeType<typeof NetworkParamsSchema> = {
  kind: 'network',
  id: 'neural-network',
  version: 1,
  title: 'Neural Network',
  category: 'Neural Network',
  description:
    'Trains a network for classification, segmentation, detection or image-to-image transformation, reporting clinical metrics every epoch.',
  params: NetworkParamsSchema,
  origin: 'builtin',
  accepts: { dims: [2, 3] },
  // A built-in 2-D network fed volumes (or unet3d fed images) is refused before RUN.
  inputProblem: (params, input) =>
    input.dims === 'unknown' ? undefined : architectureDimsProblem(params.architecture, input.dims),
  async run(input, params, ctx) {
    const summary = await train(input, params, ctx);
    return summary.note ? { message: summary.note } : undefined;
  },
  taskOptions: NETWORK_TASK_OPTIONS,
  savedSpecId,
  // Editing a saved network spec retrains the networks that use it.
  fingerprint(params, ctx) {
    const id = savedSpecId(params);
    return id === undefined ? undefined : stableStringify(trainedContent(ctx.savedSpec(id) ?? null));
  },
  async predict(sampleId, input, params, ctx) {
    const trained = await loadTrained(ctx.artifactsDir);
    return predictSample(trained, await input.load(sampleId), {
      gradCamLayer: params.gradCamLayer || undefined,
      inference: await heldInference(trained, ctx.inferenceRuntime, ctx.artifactsDir),
    });
  },
};
