/** `phi predict`: placeholder until its issue lands; replaced by the owner of that issue. */
import { EXIT, type CliCommand } from '../command';

/** See the module comment. */
export const predictCommand: CliCommand = {
  name: 'predict',
  summary: 'not available yet',
  usage: 'phi predict',
  async run(_args, io) {
    io.stderr.write('phi predict: not available in this build\n');
    return EXIT.usage;
  },
};
