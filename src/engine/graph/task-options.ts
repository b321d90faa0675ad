/**
 * Checks of params against a node type's task options (which values fit which
 * task, `NodeTypeDescriptor.taskOptions`): graph validation, training and
 * tuning refuse what does not fit, with one sentence naming the fitting values.
 */
import { TASKS, type SearchDimension, type Task, type TaskOptions, type TuningRequest } from '../api';
/** Splits a tuning search may optimise on (the test split stays out of the search). */
const TUNING_SPLITS = ['validation', 'train'];

function labelOf(options: TaskOptions, param: string): string {
  return options.labels?.[param] ?? param;
}

function isTask(value: unknown): value is Task {
  return TASKS.includes(value as Task);
}

/**
 * Why params hold a value that does not fit their task, one sentence per
 * param (empty when all fit). `task` defaults to `params.task`.
 */
export function taskOptionProblems(
  options: TaskOptions,
  params: Record<string, unknown>,
  task: unknown = params.task,
): string[] {
  if (!isTask(task)) return [];
  const problems: string[] = [];
  for (const [param, byTask] of Object.entries(options.choices)) {
    const fits = byTask[task];
    const value = params[param];
    if (!fits || value === undefined || fits.includes(value)) continue;
    problems.push(
      `${labelOf(options, param)} ${String(value)} does not fit ${task}: pick one of ${fits.join(', ')}`,
    );
  }
  return problems;
}

/**
 * A tuning request fitted to a task: the metric must be one the task reports
 * (else it is refused with the list); a searched param with task-dependent
 * choices may only list fitting values, and with no values searches the
 * fitting ones only.
 */
export function fitTuningRequest<R extends Pick<TuningRequest, 'metric' | 'search'>>(
  options: TaskOptions,
  request: R,
  task: unknown,
): R {
  if (!isTask(task)) return request;
  const metrics = options.metrics[task] ?? [];
  const [split, ...rest] = request.metric.split('.');
  const name = rest.join('.');
  if (TUNING_SPLITS.includes(split) && !metrics.includes(request.metric))
    throw new Error(
      `Metric ${name || request.metric} is not reported for ${task}: optimise one of ${metrics.join(', ')}`,
    );
  const search = request.search.map((dimension): SearchDimension => {
    const fits = options.choices[dimension.param]?.[task];
    if (!fits) return dimension;
    // auto and custom stay out of a search: auto is one of the listed networks, custom needs a saved spec.
    const searchable = fits.filter((v) => v !== 'auto' && v !== 'custom');
    if (!dimension.values || dimension.values.length === 0) return { ...dimension, values: searchable };
    const misfits = dimension.values.filter((v) => !fits.includes(v));
    if (misfits.length > 0)
      throw new Error(
        `${labelOf(options, dimension.param)} ${misfits.map(String).join(', ')} does not fit ${task}: search among ${searchable.join(', ')}`,
      );
    return dimension;
  });
  return { ...request, search };
}
