/**
 * `phi example`: copies the bundled example project (CT-like phantoms with and
 * without a lesion -> preprocessing -> network) to a folder of the user's, if
 * it is not there yet, and runs it like `phi run`. The bundled copy stays
 * untouched, so the example can always be started afresh.
 */
import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resourcesDir } from '../../resources';
import { EXIT, UsageError, type CliCommand } from '../command';
import { runCommand } from './run';

/** Folder of the bundled example inside the app. */
export const EXAMPLE_DIR = resourcesDir('examples', 'lesions');
/** The example's project file name. */
export const EXAMPLE_PROJECT = 'lesions.phiproj';

/** See the module comment. */
export const exampleCommand: CliCommand = {
  name: 'example',
  summary: 'copy the bundled example project to DIR (default ./phi-example) and run it',
  usage: 'phi example [DIR] [--sample N|P%] [--json]',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { sample: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (positionals.length > 1) throw new UsageError('give at most one folder');
    const target = resolve(io.cwd, positionals[0] ?? 'phi-example');
    const project = join(target, EXAMPLE_PROJECT);
    if (!existsSync(project)) {
      if (!existsSync(join(EXAMPLE_DIR, EXAMPLE_PROJECT))) {
        io.stderr.write(`phi example: the bundled example is missing from ${EXAMPLE_DIR}\n`);
        return EXIT.failed;
      }
      cpSync(EXAMPLE_DIR, target, { recursive: true, errorOnExist: false });
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
