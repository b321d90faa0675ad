/**
 * `phi pull URL DIR [filters]`: copies studies from a PACS (DICOMweb or DIMSE) into
 * DIR, de-identified on arrival unless `--keep-identifiers` (src/engine/pacs,
 * docs/pacs.md). `--echo` only tests the connection. `--mapping-file` keeps the
 * encrypted re-identification table; `--lookup` reads it back.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { testConnection } from '../../pacs/echo';
import { PacsUsageError } from '../../pacs/errors';
import { parseFilters } from '../../pacs/filters';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connectionFrom } from '../../pacs/options';
import { count, pull, PullRefused, RECORD } from '../../pacs/pull';
import { formatRow, lookUp, openMapping, passphraseFrom } from '../../pacs/reidentify';
import type { DimseRetrieve } from '../../pacs/source';
import { parseTarget } from '../../pacs/target';
import { EXIT, UsageError, type CliCommand } from '../command';

/** See the module comment. */
export const pullCommand: CliCommand = {
  name: 'pull',
  summary: 'copy studies from a PACS (DICOMweb or DIMSE) into a folder, de-identified',
  usage: [
    'phi pull URL DIR [--study UID] [--patient ID] [--accession N] [--modality CT] [--date YYYYMMDD[-YYYYMMDD]]',
    '         [--all] [--keep-identifiers] [--secret-file F] [--echo] [--retrieve move|get] [connection options]',
    '  URL: http(s)://host:port/dicom-web (QIDO-RS, WADO-RS) or dicom://AET@host:port (C-FIND, C-MOVE)',
    '  --retrieve get: DIMSE instances come back by C-GET on our own association (no --port for the PACS',
    '         to reach); move (the default) is C-MOVE to our C-STORE SCP on --port',
    "  Without a filter, --all is needed (the server's study count is printed otherwise).",
    '  Files are de-identified on arrival (PS3.15 basic profile, docs/pacs.md); UIDs and patient IDs are',
    '  replaced consistently with a secret kept in DIR/.phi-pull-secret (or --secret-file).',
    `  A second pull fetches only what is missing. Each pull is recorded in DIR/${RECORD}.`,
    '  --echo: only test the connection (C-ECHO or a QIDO-RS search) and say whether it works.',
    '  --mapping-file F --passphrase-file P: keep the re-identification table (original patient ID and',
    '         name, study, series and SOP UIDs beside their new values) in F, encrypted with the passphrase',
    '         on the first line of P; later pulls add to it.',
    'phi pull --lookup F --passphrase-file P VALUE',
    '  prints the rows of the table F whose original or de-identified value (or patient name) is VALUE.',
    ...CONNECTION_USAGE,
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...CONNECTION_OPTIONS,
        study: { type: 'string' },
        patient: { type: 'string' },
        accession: { type: 'string' },
        modality: { type: 'string' },
        date: { type: 'string' },
        all: { type: 'boolean', default: false },
        'keep-identifiers': { type: 'boolean', default: false },
        'secret-file': { type: 'string' },
        echo: { type: 'boolean', default: false },
        retrieve: { type: 'string', default: 'move' },
        'mapping-file': { type: 'string' },
        'passphrase-file': { type: 'string' },
        lookup: { type: 'string' },
      },
    });
    const passphraseFile = values['passphrase-file'];
    if ((values['mapping-file'] || values.lookup) && !passphraseFile)
      throw new UsageError('give --passphrase-file with the passphrase of the re-identification table');
    if (values.lookup) {
      if (positionals.length !== 1) throw new UsageError('give the one VALUE to look up');
      const rows = lookUp(
        openMapping(resolve(io.cwd, values.lookup), passphraseFrom(resolve(io.cwd, passphraseFile!))),
        positionals[0],
      );
      if (!rows.length) {
        io.stderr.write(`phi pull: ${positionals[0]} is not in ${values.lookup}\n`);
        return EXIT.failed;
      }
      for (const row of rows) io.stdout.write(`${formatRow(row)}\n`);
      return EXIT.ok;
    }
    if (values['mapping-file'] && values['keep-identifiers'])
      throw new UsageError(
        '--mapping-file is for de-identified pulls: drop --keep-identifiers or --mapping-file',
      );
    const [url, dir] = positionals;
    if (!url || (!dir && !values.echo) || positionals.length > 2) throw new UsageError('give URL and DIR');
    let target, connection, filters;
    try {
      target = parseTarget(url);
      connection = connectionFrom(values, io.cwd);
      filters = parseFilters(values);
    } catch (error) {
      if (error instanceof PacsUsageError) throw new UsageError(error.message);
      throw error;
    }
    if (values.retrieve !== 'move' && values.retrieve !== 'get')
      throw new UsageError(
        `--retrieve is move (C-MOVE, the default) or get (C-GET), not "${values.retrieve}"`,
      );
    if (values.retrieve === 'get' && target.kind !== 'dimse')
      throw new UsageError(
        '--retrieve get is for DIMSE (dicom://AET@host:port); DICOMweb retrieves by WADO-RS',
      );
    const dimse = { ...connection.dimse, retrieve: values.retrieve as DimseRetrieve };
    if (values.echo) {
      io.stdout.write(`${await testConnection(target, connection)}\n`);
      return EXIT.ok;
    }
    if (values['keep-identifiers'])
      io.stderr.write(
        `phi pull: warning: --keep-identifiers writes patient names, IDs, dates and UIDs as the PACS sent them; this is recorded in ${RECORD}\n`,
      );
    try {
      const summary = await pull({
        target,
        dir: resolve(io.cwd, dir),
        filters,
        all: values.all,
        keepIdentifiers: values['keep-identifiers'],
        http: connection.http,
        dimse,
        secretFile: values['secret-file'] && resolve(io.cwd, values['secret-file']),
        mapping: values['mapping-file']
          ? {
              file: resolve(io.cwd, values['mapping-file']),
              passphrase: passphraseFrom(resolve(io.cwd, passphraseFile!)),
            }
          : undefined,
        progress: (line) => io.stdout.write(`${line}\n`),
      });
      io.stdout.write(
        `${summary.fetched} fetched, ${summary.alreadyPresent} already here, ${count(summary.instances, 'instance')} in ${count(summary.studies, 'study')}\n`,
      );
      return EXIT.ok;
    } catch (error) {
      if (error instanceof PullRefused) throw new UsageError(error.message);
      throw error;
    }
  },
};
