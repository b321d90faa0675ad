/** `phi new`: creates a runnable project for a dataset folder from the task's template. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { TASKS } from '../../api';
import { EXIT, UsageError, type CliCommand } from '../command';
import { createCliEngine } from '../engine';
import { formatSnapshot } from '../format';

/** See the module comment. */
export const newCommand: CliCommand = {
  name: 'new',
  summary: 'create a project: Dataset -> preprocessing -> network for a task',
  usage:
    'phi new <project.phiproj> --dataset <dir> [--task classification|segmentation|detection|transformation] ' +
    '[--label-column NAME] [--split-column NAME|none]',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        dataset: { type: 'string' },
        task: { type: 'string', default: 'classification' },
        'label-column': { type: 'string' },
        'split-column': { type: 'string' },
      },
    });
    const [path] = positionals;
    if (!path || positionals.length > 1) throw new UsageError('give exactly one project path');
    if (!values.dataset) throw new UsageError('--dataset <dir> is required');
    const task = values.task as (typeof TASKS)[number];
    if (!TASKS.includes(task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}`);
    const projectPath = resolve(io.cwd, path.endsWith('.phiproj') ? path : `${path}.phiproj`);
    const engine = createCliEngine();
    try {
      let snapshot = await engine.createProject({
        path: projectPath,
        dataset: resolve(io.cwd, values.dataset),
        task,
      });
      const columns = {
        ...(values['label-column'] !== undefined ? { labelColumn: values['label-column'] } : {}),
        ...(values['split-column'] !== undefined ? { splitColumn: values['split-column'] } : {}),
      };
      const dataset = snapshot.graph.nodes.find((n) => n.type === 'dataset');
      if (dataset && Object.keys(columns).length > 0) {
        await engine.editGraph({ edits: [{ op: 'set-params', id: dataset.id, params: columns }] });
        snapshot = (await engine.getProject()) ?? snapshot;
      }
      io.stdout.write(`Created ${projectPath}\n${formatSnapshot(snapshot)}`);
      return EXIT.ok;
    } finally {
      engine.closeProject();
    }
  },
};
