/**
 * `phi pacs-echo URL`: the "Test connection" of a PACS: a C-ECHO (DIMSE) or a
 * QIDO-RS search (DICOMweb), answered by one sentence; exit code 1 when it fails.
 */
import { parseArgs } from 'node:util';
import { testConnection } from '../../pacs/echo';
import { PacsUsageError } from '../../pacs/errors';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectionFrom } from '../../pacs/options';
import { parseTarget } from '../../pacs/target';
import { EXIT, UsageError, type CliCommand } from '../command';

/** See the module comment. */
export const pacsEchoCommand: CliCommand = {
  name: 'pacs-echo',
  summary: 'test the connection to a PACS (C-ECHO or a QIDO-RS search)',
  usage: [
    'phi pacs-echo URL [connection options]',
    '  URL: http(s)://host:port/dicom-web or dicom://AET@host:port',
    ...CONNECTION_USAGE,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: CONNECTION_OPTIONS });
    if (positionals.length !== 1) throw new UsageError('give the PACS URL');
    let target, connection;
    try {
      target = parseTarget(positionals[0]);
      connection = connectionFrom(values, io.cwd);
    } catch (error) {
      if (error instanceof PacsUsageError) throw new UsageError(error.message);
      throw error;
    }
    io.stdout.write(`${await testConnection(target, connection)}\n`);
    return EXIT.ok;
  },
};
