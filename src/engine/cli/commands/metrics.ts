/** `phi metrics`: placeholder until its issue lands; replaced by the owner of that issue. */
import { EXIT, type CliCommand } from '../command';

/** See the module comment. */
export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: 'not available yet',
  usage: 'phi metrics',
  async run(_args, io) {
    io.stderr.write('phi metrics: not available in this build\n');
    return EXIT.usage;
  },
};
