/**
 * `phi report <project> <out.html> [--node ID] [--intended-use TEXT]`: writes the study
 * report of the project's network nodes (one node with --node) as one self-contained
 * HTML file that prints cleanly (docs/metrics.md, "Evaluation runs and the report").
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, type CliCommand } from '../command';
import { createCliEngine } from '../engine';

/** See the module comment. */
export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'write the study report (model card, metrics with intervals, checklist) as one HTML file',
  usage: 'phi report <project.phiproj> <out.html> [--node ID] [--intended-use TEXT]',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { node: { type: 'string' }, 'intended-use': { type: 'string', default: '' } },
    });
    if (positionals.length !== 2) throw new UsageError('give a project and the HTML file to write');
    const [projectArg, outArg] = positionals.map((p) => resolve(io.cwd, p));
    const engine = createCliEngine();
    try {
      await engine.openProject({ path: projectArg });
      await engine.writeReport(outArg, values.node, values['intended-use']);
      io.stdout.write(`Wrote the report to ${outArg}\n`);
      return EXIT.ok;
    } finally {
      engine.closeProject();
    }
  },
};
