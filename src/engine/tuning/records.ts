/**
 * What a search keeps in the project file, with zod schemas so a reopened (or
 * foreign) project is validated when read. A search is a run of mode `tuning`;
 * its trials are the store's tuning trials; the project setting
 * `tuning:<node>` points at the node's latest search and holds its request.
 */
import { z } from 'zod';
import { SearchDimensionSchema } from '../api';

/** Run mode of a search in the store's runs table. */
export const TUNING_RUN_MODE = 'tuning';

/** The setting that names a node's latest search. */
export function searchSettingKey(node: string): string {
  return `tuning:${node}`;
}

/** The latest search of a node: its run and what was asked. */
export const SearchRecordSchema = z.object({
  runId: z.string(),
  node: z.string(),
  metric: z.string(),
  goal: z.enum(['max', 'min']),
  search: z.array(SearchDimensionSchema),
  population: z.number().int(),
  generations: z.number().int(),
  seed: z.number().int(),
  startedAt: z.string(),
  /** Slots not trained and why (genetic.ts SlotTally), written when the search ends. */
  tally: z
    .object({ carried: z.number().int(), exhausted: z.number().int(), stopped: z.number().int() })
    .optional(),
});
/** See {@link SearchRecordSchema}. */
export type SearchRecord = z.infer<typeof SearchRecordSchema>;

/** A trial's params column: which node, which genome, and the full params it trained with. */
export const TrialParamsRecordSchema = z.object({
  node: z.string(),
  generation: z.number().int(),
  /** Cache key of the searched values (genetic.ts genomeKey). */
  key: z.string(),
  /** The searched parameters only: what the table shows. */
  searched: z.record(z.string(), z.unknown()),
  /** The node's params with the searched ones replaced: what Apply writes. */
  params: z.record(z.string(), z.unknown()),
});
/** See {@link TrialParamsRecordSchema}. */
export type TrialParamsRecord = z.infer<typeof TrialParamsRecordSchema>;

/**
 * A trial's metrics column, written when the trial ends; a trial trained by a
 * cluster job also holds its live state (`queued`, `running`) until then.
 */
export const TrialResultRecordSchema = z.object({
  status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  score: z.number().nullable(),
  metrics: z.record(z.string(), z.number().nullable()),
  bestEpoch: z.number().int().optional(),
  message: z.string().optional(),
  /** The Slurm job that trains (or trained) the trial, as `<array job>_<task>`. */
  job: z.string().optional(),
});
/** See {@link TrialResultRecordSchema}. */
export type TrialResultRecord = z.infer<typeof TrialResultRecordSchema>;
