/**
 * The PACS part of the contract (docs/pacs.md, "In the workbench"): server
 * profiles kept in the user's settings, the study search and import of the
 * "Import from PACS..." dialog, "Send to PACS" of a segmentation prediction,
 * and a Dataset node whose source is a saved query.
 */
import { z } from 'zod';

/** How a profile authenticates over DICOMweb (DIMSE uses AE titles only). */
export const PacsAuthSchema = z.enum(['none', 'basic', 'bearer']);

/** A PACS server profile, as kept in the user's settings (its secret is kept apart). */
export const PacsProfileSchema = z.object({
  name: z.string().trim().min(1).max(80),
  /** `http(s)://host:port/dicom-web` or `dicom://AET@host:port`. */
  url: z.string().trim().min(1).max(2000),
  /** Our AE title (DIMSE). */
  ourAet: z.string().trim().min(1).max(16).default('PHI'),
  /** The port of our C-STORE SCP that C-MOVE sends to (DIMSE). */
  ourPort: z.number().int().min(1).max(65535).default(11112),
  auth: PacsAuthSchema.default('none'),
  user: z.string().max(200).default(''),
  /** A PEM file of the hospital's CA (DICOMweb over https). */
  caFile: z.string().max(4096).default(''),
});
/** See {@link PacsProfileSchema}. */
export type PacsProfile = z.infer<typeof PacsProfileSchema>;

/** A profile as listed: whether a secret is stored for it, and where such secrets are kept. */
export interface PacsProfileInfo extends PacsProfile {
  hasSecret: boolean;
}

/** The profiles of this user and how their secrets are kept. */
export interface PacsProfiles {
  profiles: PacsProfileInfo[];
  /** One sentence: where passwords and tokens are kept on this computer. */
  secretStore: string;
}

/** The search of the import dialog and of a saved query; every field optional. */
export const PacsFiltersSchema = z.object({
  patient: z.string().trim().max(64).optional(),
  accession: z.string().trim().max(64).optional(),
  /** `YYYYMMDD`; either end of the range may be left out. */
  dateFrom: z
    .string()
    .regex(/^(\d{8})?$/, 'dates are YYYYMMDD')
    .optional(),
  dateTo: z
    .string()
    .regex(/^(\d{8})?$/, 'dates are YYYYMMDD')
    .optional(),
  modality: z.string().trim().max(16).optional(),
  /** Matched anywhere in the study description. */
  description: z.string().trim().max(64).optional(),
});
/** See {@link PacsFiltersSchema}. */
export type PacsFilters = z.infer<typeof PacsFiltersSchema>;

/** One study a search found, as the results table shows it. */
export interface PacsStudy {
  uid: string;
  patientId: string;
  accession: string;
  date: string;
  description: string;
  modalities: string;
  /** Counts as the server reports them; null where it does not. */
  series: number | null;
  instances: number | null;
}

/** The studies a search found; `filtered` false when no filter narrowed it. */
export interface PacsSearchResult {
  profile: string;
  filtered: boolean;
  studies: PacsStudy[];
}

/** What an import did. */
export interface PacsImportResult {
  folder: string;
  studies: number;
  instances: number;
  fetched: number;
  alreadyPresent: number;
  identifiers: 'removed' | 'kept';
  /** The encrypted re-identification table written, when one was asked for. */
  mappingFile?: string;
}

/** Where the labels of a query dataset come from: a CSV and the column that keys each row. */
export const PacsLabelsSchema = z.object({
  /** A CSV file (relative to the project's folder, or absolute) with a key column and a label column. */
  file: z.string().min(1).max(4096),
  keyColumn: z.string().min(1).max(200),
  /** What the key column holds. */
  keyKind: z.enum(['accession', 'study', 'patient']),
  labelColumn: z.string().min(1).max(200),
});
/** See {@link PacsLabelsSchema}. */
export type PacsLabels = z.infer<typeof PacsLabelsSchema>;

/** A Dataset node's saved query, as shown in its Parameter tab. */
export interface PacsDatasetSource {
  node: string;
  profile: string;
  filters: PacsFilters;
  /** The cache folder the Dataset node reads, relative to the project's folder. */
  folder: string;
  /** Hashed label rows kept, by the kind of key. */
  labels?: { keyKind: PacsLabels['keyKind']; rows: number; classes: string[] };
  /** The last refresh: when, and what it found. */
  refreshed?: { when: string; studies: number; labelled: number; unlabelled: number; instances: number };
}

/** Request params of the PACS methods, keyed by method name (spread into `EngineRequests`). */
export const PacsRequests = {
  listPacsProfiles: z.object({}),
  /** `secret`: the password (basic) or token (bearer); absent keeps the stored one. */
  savePacsProfile: z.object({
    profile: PacsProfileSchema,
    secret: z.string().max(4096).optional(),
    /** The name it was saved under, when renamed. */
    previousName: z.string().max(80).optional(),
  }),
  deletePacsProfile: z.object({ name: z.string().min(1).max(80) }),
  /** Tests a profile as given (saved or not); `secret` absent uses the stored one. */
  testPacsConnection: z.object({ profile: PacsProfileSchema, secret: z.string().max(4096).optional() }),
  searchPacs: z.object({ profile: z.string().min(1).max(80), filters: PacsFiltersSchema }),
  /** Pulls the studies chosen into `folder` (relative to the project's folder, or absolute). */
  importFromPacs: z.object({
    profile: z.string().min(1).max(80),
    studies: z.array(z.string().regex(/^[0-9.]{1,64}$/)).min(1),
    folder: z.string().min(1).max(4096),
    keepIdentifiers: z.boolean().default(false),
    /** Keep the re-identification table in `file` (like `folder`), encrypted with `passphrase`. */
    mapping: z
      .object({ file: z.string().min(1).max(4096), passphrase: z.string().min(1).max(1024) })
      .optional(),
  }),
  /**
   * Sends a network's prediction for one item into its DICOM source's study: a segmentation's mask as
   * a DICOM SEG; a classification's probabilities as an SR with its Grad-CAM as a Secondary Capture.
   */
  sendToPacs: z.object({ profile: z.string().min(1).max(80), node: z.string(), sampleId: z.string() }),
  /** Makes a Dataset node read a saved query's local copy; labels, when given, are stored hashed. */
  setPacsDatasetSource: z.object({
    node: z.string(),
    profile: z.string().min(1).max(80),
    filters: PacsFiltersSchema,
    labels: PacsLabelsSchema.optional(),
  }),
  getPacsDatasetSource: z.object({ node: z.string() }),
  /** Updates the local copy of a Dataset node's saved query from the PACS. */
  refreshPacsDataset: z.object({ node: z.string() }),
} as const;

/** Results of the PACS methods. */
export interface PacsResults {
  listPacsProfiles: PacsProfiles;
  savePacsProfile: PacsProfiles;
  deletePacsProfile: PacsProfiles;
  /** `ok` with the verdict sentence, or not with the sentence saying why. */
  testPacsConnection: { ok: boolean; message: string };
  searchPacs: PacsSearchResult;
  importFromPacs: PacsImportResult;
  sendToPacs: {
    profile: string;
    /** True when the node holds a Sample RUN's model (the one the View tab shows). */
    fromSample: boolean;
    /** A segmentation's segments (a SEG); empty for a classification. */
    segments: string[];
    /** A classification's class given (sent as an SR, `sopInstanceUid`, with a Grad-CAM capture). */
    predicted?: string;
    sopInstanceUid: string;
    captureSopInstanceUid?: string;
    studyInstanceUid: string;
  };
  setPacsDatasetSource: PacsDatasetSource;
  getPacsDatasetSource: PacsDatasetSource | null;
  refreshPacsDataset: PacsDatasetSource;
}
