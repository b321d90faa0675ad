/**
 * What a pull needs from a PACS, whatever the protocol: the studies matching the
 * filters, the instances of a study, and the retrieval of a list of instances,
 * each handed over as Part-10 bytes as it arrives. Over DICOMweb: QIDO-RS and
 * WADO-RS. Over DIMSE: C-FIND (study, series, image level), then C-MOVE to our own
 * C-STORE SCP (the default) or C-GET on the same association (`retrieve: 'get'`, when the
 * PACS cannot reach a port of ours), a series at a time where none of it is here yet,
 * else instance by instance.
 */
import { DicomWebPacs, jsonValue, type HttpAccess } from './dicomweb';
import { find, get, move, type DimseOptions, type MoveItem } from './dimse';
import { ConnectionCut, PacsError } from './errors';
import { startStoreScp } from './scp';
import type { PacsTarget } from './target';

/** One instance, by its original UIDs. */
export interface InstanceRef {
  study: string;
  series: string;
  sop: string;
  /** Its SOP class, where the search said. */
  sopClass?: string;
}

export interface PacsSource {
  /** Study Instance UIDs matching `keys` (DICOM keywords to match values). */
  studies(keys: Record<string, string>): Promise<string[]>;
  instances(study: string): Promise<InstanceRef[]>;
  /** Retrieves `wanted` (all of `all` or some); `save` runs for each instance received. */
  retrieve(
    wanted: InstanceRef[],
    all: InstanceRef[],
    save: (bytes: Uint8Array) => Promise<void>,
  ): Promise<void>;
}

/** How DIMSE instances come back: C-MOVE to our SCP on `port`, or C-GET. */
export type DimseRetrieve = 'move' | 'get';

/** Our side of a DIMSE pull. */
export type PullDimseOptions = DimseOptions & { port: number; retrieve?: DimseRetrieve };

const TAG = { study: '0020000D', series: '0020000E', sop: '00080018' };

class DicomWebSource implements PacsSource {
  private readonly pacs: DicomWebPacs;
  constructor(target: Extract<PacsTarget, { kind: 'dicomweb' }>, access: HttpAccess) {
    this.pacs = new DicomWebPacs(target, access);
  }

  async studies(keys: Record<string, string>): Promise<string[]> {
    const found = await this.pacs.searchStudies(keys);
    return found.map((s) => jsonValue(s, TAG.study)).filter((u): u is string => !!u);
  }

  async instances(study: string): Promise<InstanceRef[]> {
    const found = await this.pacs.searchInstances(study);
    return found.map((i) => ({
      study,
      series: jsonValue(i, TAG.series) ?? '',
      sop: jsonValue(i, TAG.sop) ?? '',
    }));
  }

  async retrieve(
    wanted: InstanceRef[],
    _all: InstanceRef[],
    save: (bytes: Uint8Array) => Promise<void>,
  ): Promise<void> {
    for (const ref of wanted) await save(await this.pacs.retrieveInstance(ref.study, ref.series, ref.sop));
  }
}

class DimseSource implements PacsSource {
  constructor(
    private readonly target: Extract<PacsTarget, { kind: 'dimse' }>,
    private readonly options: PullDimseOptions,
  ) {}

  async studies(keys: Record<string, string>): Promise<string[]> {
    const found = await find(this.target, this.options, 'STUDY', { StudyInstanceUID: '', ...keys });
    return found.map((s) => String(s.StudyInstanceUID ?? '')).filter(Boolean);
  }

  async instances(study: string): Promise<InstanceRef[]> {
    const series = await find(this.target, this.options, 'SERIES', {
      StudyInstanceUID: study,
      SeriesInstanceUID: '',
    });
    const refs: InstanceRef[] = [];
    for (const s of series) {
      const uid = String(s.SeriesInstanceUID ?? '');
      const images = await find(this.target, this.options, 'IMAGE', {
        StudyInstanceUID: study,
        SeriesInstanceUID: uid,
        SOPInstanceUID: '',
        SOPClassUID: '',
      });
      for (const image of images)
        refs.push({
          study,
          series: uid,
          sop: String(image.SOPInstanceUID ?? ''),
          sopClass: image.SOPClassUID ? String(image.SOPClassUID) : undefined,
        });
    }
    return refs;
  }

  async retrieve(
    wanted: InstanceRef[],
    all: InstanceRef[],
    save: (bytes: Uint8Array) => Promise<void>,
  ): Promise<void> {
    const items: MoveItem[] = [];
    for (const series of new Set(wanted.map((r) => r.series))) {
      const want = wanted.filter((r) => r.series === series);
      if (want.length === all.filter((r) => r.series === series).length)
        items.push({ study: want[0].study, series });
      else items.push(...want);
    }
    const saving: Promise<void>[] = [];
    let failure: unknown;
    let received = 0;
    const keep = (bytes: Uint8Array): Promise<void> => {
      const done = save(bytes).then(() => void (received += 1));
      done.catch((error) => void (failure ??= error));
      saving.push(done);
      return done;
    };
    const method = this.options.retrieve === 'get' ? 'C-GET' : 'C-MOVE';
    const scp =
      method === 'C-MOVE'
        ? await startStoreScp(this.options.ourAet, this.options.port, keep).catch((error: Error) => {
            throw new PacsError(
              `our C-STORE SCP cannot listen on port ${this.options.port} for ${this.target.name}: ${error.message}.`,
            );
          })
        : undefined;
    try {
      const failed = await (
        scp
          ? move(this.target, this.options, this.options.ourAet, items)
          : get(this.target, this.options, items, keep, [
              ...new Set(wanted.flatMap((r) => (r.sopClass ? [r.sopClass] : []))),
            ])
      ).catch(async (error) => {
        await Promise.allSettled(saving);
        if (error instanceof ConnectionCut)
          throw new ConnectionCut(
            error.server,
            error.what,
            `${received} of ${wanted.length} instances received`,
          );
        throw error;
      });
      await Promise.allSettled(saving);
      if (failure) throw failure;
      if (failed > 0)
        throw new PacsError(
          `${this.target.name} failed to send ${failed} of the instances asked for (${method}).`,
        );
    } finally {
      scp?.close();
    }
  }
}

/** The source for a target. */
export function sourceFor(
  target: PacsTarget,
  access: { http: HttpAccess; dimse: PullDimseOptions },
): PacsSource {
  return target.kind === 'dicomweb'
    ? new DicomWebSource(target, access.http)
    : new DimseSource(target, access.dimse);
}
