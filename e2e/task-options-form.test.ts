/**
 * The Parameter and Auto Tuning tabs narrow their choices with the task
 * options of the engine's real network node descriptor (no copy in the
 * renderer): a classification node is offered neither U-Net nor mIoU.
 */
import { describe, expect, it } from 'vitest';
import { createBuiltinRegistry } from '../src/engine/service/builtin-registry';
import {
  fieldsForTask,
  fieldsOf,
  tuningMetricsFor,
  type ParamField,
} from '../src/renderer/stores/param-form';

describe('fieldsForTask', () => {
  // The network node's descriptor as the engine sends it: the task options are the engine's, not a copy.
  const network = createBuiltinRegistry()
    .describe()
    .find((d) => d.id === 'neural-network')!;
  const fields = fieldsOf(network.params);
  const optionsOf = (list: ParamField[], name: string) =>
    (list.find((f) => f.name === name) as Extract<ParamField, { kind: 'enum' }>).options;

  it('offers a classification node only its networks and metrics', () => {
    const narrowed = fieldsForTask(fields, network.taskOptions, { task: 'classification' });
    expect(optionsOf(narrowed, 'architecture')).toEqual([
      'auto',
      'small-cnn',
      'vgg16',
      'resnet18',
      'densenet121',
      'cnn3d',
      'custom',
    ]);
    expect(optionsOf(narrowed, 'bestMetric')).not.toContain('map50');
    expect(optionsOf(narrowed, 'earlyStoppingMetric')).not.toContain('psnr');
    expect(optionsOf(narrowed, 'optimizer')).toEqual(optionsOf(fields, 'optimizer'));
    const metrics = tuningMetricsFor(network.taskOptions, 'classification');
    expect(metrics).toContain('validation.accuracy');
    for (const m of ['validation.miou', 'validation.map50', 'validation.mae'])
      expect(metrics).not.toContain(m);
  });

  it('keeps a held value that does not fit, so the form shows what the project holds', () => {
    const narrowed = fieldsForTask(fields, network.taskOptions, {
      task: 'classification',
      bestMetric: 'map50',
    });
    expect(optionsOf(narrowed, 'bestMetric')).toContain('map50');
    expect(optionsOf(narrowed, 'bestMetric')).not.toContain('miou');
  });
});
