/** What fits each task: declared once, reported by real epochs, refused on the node, in training and in tuning. */
import { describe, expect, it } from 'vitest';
import type { SearchDimension, Task } from '../api';
import { fitTuningRequest, taskOptionProblems } from '../graph/task-options';
import { validateGraph } from '../graph/validate';
import { createBuiltinRegistry } from '../service/builtin-registry';
import { GraphBuilder } from '../test-support/pipeline';
import { NetworkParamsSchema, resolveParams } from './params';
import { TASKS } from '../api';
import { NETWORK_TASK_OPTIONS, SCALAR_METRICS_BY_TASK, WATCHABLE_METRICS_BY_TASK } from './task-options';
import { EpochAccumulator } from './train/epoch-metrics';

const registry = createBuiltinRegistry();
const options = NETWORK_TASK_OPTIONS;

/** What a real epoch of the task reports (no items: the names are what counts). */
function reported(task: Task): Record<string, unknown> {
  const detection = task === 'detection' ? { gh: 4, gw: 4, stride: 4, threshold: 0.3 } : undefined;
  return new EpochAccumulator(task, 2, detection).metrics();
}

describe('task options', () => {
  it('offer classification neither masks, boxes nor image metrics, nor their networks', () => {
    const c = options.choices;
    expect(options.metrics.classification).toContain('validation.accuracy');
    for (const m of ['validation.miou', 'validation.map50', 'validation.mae', 'validation.psnr'])
      expect(options.metrics.classification).not.toContain(m);
    expect(c.architecture.classification).toEqual([
      'auto',
      'small-cnn',
      'vgg16',
      'resnet18',
      'densenet121',
      'cnn3d',
      'custom',
    ]);
    for (const m of ['psnr', 'map50', 'miou', 'iou']) {
      expect(c.earlyStoppingMetric.classification).not.toContain(m);
      expect(c.bestMetric.classification).not.toContain(m);
    }
    expect(c.bestMetric.segmentation).toContain('miou');
    expect(c.bestMetric.detection).toContain('map50');
    expect(c.earlyStoppingMetric.transformation).toEqual(['loss', 'mae', 'mse', 'rmse', 'msle', 'psnr']);
  });

  it.each(TASKS)('list for %s exactly the one-number metrics its epochs report', (task) => {
    const metrics = reported(task);
    const scalars = Object.keys(metrics).filter((k) => !Array.isArray(metrics[k]));
    expect([...SCALAR_METRICS_BY_TASK[task]].sort()).toEqual(scalars.sort());
    // Watched metrics: a one-number metric, or a per-class one (a class or the macro mean).
    for (const m of WATCHABLE_METRICS_BY_TASK[task]) expect(Object.keys(metrics)).toContain(m);
  });

  it('only offer values the params schema takes', () => {
    const shape = NetworkParamsSchema.shape;
    for (const [param, byTask] of Object.entries(options.choices))
      for (const values of Object.values(byTask))
        for (const value of values ?? [])
          expect(shape[param as keyof typeof shape].safeParse(value).success).toBe(true);
  });

  it('reach front ends through the network node descriptor', () => {
    const descriptor = registry.describe().find((d) => d.id === 'neural-network');
    expect(descriptor?.taskOptions).toEqual(JSON.parse(JSON.stringify(options)));
  });

  it('are refused with a sentence on the node before RUN', () => {
    const graph = new GraphBuilder(registry)
      .chain(
        ['data', 'dataset', { path: 'x' }],
        ['net', 'neural-network', { task: 'classification', bestMetric: 'map50', architecture: 'unet' }],
      )
      .build();
    const messages = validateGraph(graph, registry)
      .filter((i) => i.node === 'net')
      .map((i) => i.message);
    expect(messages).toEqual([
      'Node "net": Architecture unet does not fit classification: pick one of auto, small-cnn, vgg16, resnet18, densenet121, cnn3d, custom',
      'Node "net": Best metric map50 does not fit classification: pick one of auto, loss, accuracy, accuracyByClass, sensitivity, specificity, ppv, npv, dice',
    ]);
    expect(taskOptionProblems(options, { task: 'segmentation', bestMetric: 'miou' })).toEqual([]);
  });

  it('are refused by training on data of a task they do not fit', () => {
    const params = NetworkParamsSchema.parse({ earlyStopping: true, earlyStoppingMetric: 'psnr' });
    expect(() => resolveParams(params, 'classification')).toThrow(
      'Early stopping metric psnr does not fit classification',
    );
    expect(resolveParams(params, 'transformation').earlyStoppingMetric).toBe('psnr');
  });

  it('fit a tuning search to the task: metric checked, architectures narrowed', () => {
    const search: SearchDimension[] = [
      { param: 'architecture' },
      { param: 'learningRate', min: 1e-4, max: 1e-2 },
    ];
    expect(() => fitTuningRequest(options, { metric: 'validation.miou', search }, 'classification')).toThrow(
      /^Metric miou is not reported for classification: optimise one of validation.loss/,
    );
    const fitted = fitTuningRequest(options, { metric: 'validation.accuracy', search }, 'classification');
    expect(fitted.search[0].values).toEqual(['small-cnn', 'vgg16', 'resnet18', 'densenet121', 'cnn3d']);
    expect(fitted.search[1]).toEqual(search[1]);
    expect(() =>
      fitTuningRequest(
        options,
        { metric: 'validation.loss', search: [{ param: 'architecture', values: ['small-cnn', 'unet'] }] },
        'classification',
      ),
    ).toThrow('Architecture unet does not fit classification');
  });
});
