/**
 * `phi example`: copies a bundled example project (CT-like phantom slices with
 * and without a lesion -> preprocessing -> network; or, with `--name
 * lesions-3d`, NIfTI phantom volumes -> the 3-D chain -> a 3-D U-Net) to a
 * folder of the user's, if it is not there yet, and runs it like `phi run`.
 * The bundled copy stays untouched, so the example can always be started afresh.
 */
import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resourcesDir } from '../../resources';
import { EXIT, UsageError, type CliCommand } from '../command';
import { runCommand } from './run';

/** Folder of the bundled (default) example inside the app. */
export const EXAMPLE_DIR = resourcesDir('examples', 'lesions');
/** The example's project file name. */
export const EXAMPLE_PROJECT = 'lesions.phiproj';

/** The bundled examples by name (`--name`): folder and project file. */
const EXAMPLES: Record<string, { dir: string; project: string }> = {
  // CT phantom slices with and without a lesion -> a small CNN (classification).
  lesions: { dir: EXAMPLE_DIR, project: EXAMPLE_PROJECT },
  // NIfTI CT phantom volumes in the Decathlon layout -> the 3-D chain -> a 3-D U-Net (segmentation).
  'lesions-3d': { dir: resourcesDir('examples', 'lesions-3d'), project: 'lesions-3d.phiproj' },
};

/** See the module comment. */
export const exampleCommand: CliCommand = {
  name: 'example',
  summary:
    'copy a bundled example project to DIR (default ./phi-example) and run it: lesions (2-D CT slices, ' +
    'classification; the default) or lesions-3d (NIfTI CT volumes, 3-D segmentation)',
  usage: 'phi example [DIR] [--name lesions|lesions-3d] [--sample N|P%] [--json]',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        name: { type: 'string', default: 'lesions' },
        sample: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length > 1) throw new UsageError('give at most one folder');
    const example = EXAMPLES[values.name];
    if (!example)
      throw new UsageError(`unknown example "${values.name}": use ${Object.keys(EXAMPLES).join(' or ')}`);
    const target = resolve(io.cwd, positionals[0] ?? 'phi-example');
    const project = join(target, example.project);
    if (!existsSync(project)) {
      if (!existsSync(join(example.dir, example.project))) {
        io.stderr.write(`phi example: the bundled example is missing from ${example.dir}\n`);
        return EXIT.failed;
      }
      cpSync(example.dir, target, { recursive: true, errorOnExist: false });
      if (!values.json) io.stdout.write(`Copied the example project to ${target}\n`);
    } else if (!values.json) {
      io.stdout.write(`Running the example project in ${target}\n`);
    }
    const runArgs = [
      project,
      ...(values.sample ? ['--sample', values.sample] : []),
      ...(values.json ? ['--json'] : []),
    ];
    return runCommand.run(runArgs, io);
  },
};
