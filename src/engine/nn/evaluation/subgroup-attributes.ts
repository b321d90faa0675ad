/**
 * The attributes an evaluation reports its figures by (docs/metrics.md,
 * "Subgroups"): what each item's kept DICOM attributes tell (manufacturer,
 * model, sex, age band) and the columns of the node's subgroup CSV. An
 * attribute no item records is left out: the data cannot tell it.
 */
import { readAttributes } from '../metrics/files';

/** The kept DICOM attribute (docs/datasets.md) behind each reported attribute. */
const FROM_META: Record<string, string> = {
  manufacturer: 'Manufacturer',
  model: 'ManufacturerModelName',
  sex: 'PatientSex',
  'age band': 'PatientAgeBand',
};

/** Each item's value of each attribute, in item order; `metas[i]` is item i's sample meta. */
export function subgroupAttributes(
  ids: readonly string[],
  metas: readonly Record<string, unknown>[],
  csv?: string,
): Record<string, (string | undefined)[]> {
  const out: Record<string, (string | undefined)[]> = {};
  for (const [attribute, key] of Object.entries(FROM_META))
    out[attribute] = metas.map((meta) => {
      const value = meta[key];
      return value === undefined || value === null ? undefined : String(value);
    });
  if (csv) Object.assign(out, readAttributes(csv, undefined, ids));
  return Object.fromEntries(
    Object.entries(out).filter(([, values]) => values.some((v) => v !== undefined && v.trim() !== '')),
  );
}
