/**
 * The genetic algorithm of the auto tuner, independent of networks: genomes
 * are `{ param: value }` records over the genes of space.ts, fitness comes from
 * an async callback. Seeded (never Math.random), elitist, tournament selection,
 * uniform crossover, per-gene mutation that respects choices, bounds, log scale
 * and integers; an identical genome is never evaluated twice.
 */
import { stableStringify } from '../run/keys';
import type { Gene } from './space';

/** Parameter values of one candidate, keyed by parameter name. */
export type Genome = Record<string, unknown>;

/** Whether a higher or a lower score is better. */
export type Goal = 'max' | 'min';

/** Settings of one search. */
export interface GeneticOptions {
  genes: readonly Gene[];
  /** Candidates per generation. */
  population: number;
  /** Generations evaluated, the first being the random initial population. */
  generations: number;
  goal: Goal;
  /** Uniform [0, 1) numbers: a seeded stream from run/rng.ts. */
  rng: () => number;
  /** Best candidates copied unchanged into the next generation; default 20% of the population, at least 1. */
  elite?: number;
  /** Candidates drawn per tournament; default 3. */
  tournament?: number;
  /** Chance that a gene of a child mutates; default max(0.2, 1 / genes). */
  mutationRate?: number;
  /** Told each generation's scored population (cached members included), e.g. for a progress view. */
  observe?: (generation: number, scored: readonly Evaluation[]) => void;
  /** Counts the slots (population x generations) that were not evaluated, and why. */
  tally?: SlotTally;
  /**
   * Evaluates a generation's new genomes together (e.g. one cluster array job) instead of one
   * after another; resolves with their scores in the same order.
   */
  evaluateGeneration?: (genomes: Genome[], context: EvaluationContext) => Promise<(number | null)[]>;
}

/**
 * Slots of a search that were not evaluated: `carried` (a genome already
 * evaluated: the elite kept for the next generation), `exhausted` (no genome
 * not seen before could be found), `stopped` (never reached: cancelled). With
 * the evaluations these add up to population x generations.
 */
export interface SlotTally {
  carried: number;
  exhausted: number;
  stopped: number;
}

/** One evaluated candidate. */
export interface Evaluation {
  genome: Genome;
  /** {@link genomeKey} of the genome. */
  key: string;
  /** 1-based generation that first evaluated it. */
  generation: number;
  /** Fitness; null when the evaluation failed (ranked below every number). */
  score: number | null;
}

/** What the fitness callback learns about the candidate it evaluates. */
export interface EvaluationContext {
  generation: number;
  /** 0-based count of evaluations before this one. */
  index: number;
}

/** Significant digits kept for values of continuous ranges, so equal-looking genomes are equal. */
const SIGNIFICANT_DIGITS = 3;
/** Tries to breed a child not seen before, before falling back to a random newcomer. */
const BREED_ATTEMPTS = 24;
/** Tries to draw a random genome not seen before, before deciding the space is used up. */
const RANDOM_ATTEMPTS = 200;

/** The cache key of a genome: the same for the same values in any key order. */
export function genomeKey(genome: Genome): string {
  return stableStringify(genome);
}

function roundSignificant(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(SIGNIFICANT_DIGITS));
}

/** Brings a number into a range gene's domain: rounded (whole or 3 digits) and clamped. */
export function fitToGene(gene: Extract<Gene, { kind: 'range' }>, value: number): number {
  const rounded = gene.integer ? Math.round(value) : roundSignificant(value);
  return Math.min(gene.max, Math.max(gene.min, rounded));
}

/** Position of a range gene's value on the axis that is sampled uniformly (log10 for log genes). */
function toAxis(gene: Extract<Gene, { kind: 'range' }>, value: number): number {
  return gene.log ? Math.log10(value) : value;
}

function fromAxis(gene: Extract<Gene, { kind: 'range' }>, axis: number): number {
  return gene.log ? 10 ** axis : axis;
}

function pick<T>(items: readonly T[], rng: () => number): T {
  return items[Math.min(items.length - 1, Math.floor(rng() * items.length))];
}

/** A standard normal number (Box-Muller) from the seeded stream. */
function gaussian(rng: () => number): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A uniformly drawn value of one gene. */
export function sampleGene(gene: Gene, rng: () => number): unknown {
  if (gene.kind === 'choice') return pick(gene.values, rng);
  const lo = toAxis(gene, gene.min);
  const hi = toAxis(gene, gene.max);
  if (gene.integer && !gene.log) {
    // Every whole number of the range equally likely (rounding a uniform would halve the ends).
    return gene.min + Math.min(gene.max - gene.min, Math.floor(rng() * (gene.max - gene.min + 1)));
  }
  return fitToGene(gene, fromAxis(gene, lo + rng() * (hi - lo)));
}

/**
 * A mutated value of one gene: another choice, or a Gaussian step of 15% of
 * the range on its sampling axis, kept inside the bounds.
 */
export function mutateGene(gene: Gene, value: unknown, rng: () => number): unknown {
  if (gene.kind === 'choice') {
    const others = gene.values.filter((v) => stableStringify(v) !== stableStringify(value));
    return others.length === 0 ? value : pick(others, rng);
  }
  const lo = toAxis(gene, gene.min);
  const hi = toAxis(gene, gene.max);
  const step = gaussian(rng) * 0.15 * (hi - lo);
  const axis = Math.min(hi, Math.max(lo, toAxis(gene, value as number) + step));
  const moved = fitToGene(gene, fromAxis(gene, axis));
  if (moved !== value || !gene.integer) return moved;
  // A small step on a narrow integer range rounds back to the same value: move one unit instead.
  const unit = rng() < 0.5 ? -1 : 1;
  const stepped = (value as number) + unit;
  return fitToGene(gene, stepped < gene.min || stepped > gene.max ? (value as number) - unit : stepped);
}

/** A random genome over all genes. */
export function randomGenome(genes: readonly Gene[], rng: () => number): Genome {
  return Object.fromEntries(genes.map((gene) => [gene.param, sampleGene(gene, rng)]));
}

/** Sorts best first: higher (max) or lower (min) scores, failures last, earlier evaluations first on ties. */
export function rankEvaluations(evaluations: readonly Evaluation[], goal: Goal): Evaluation[] {
  const order = evaluations.map((evaluation, index) => ({ evaluation, index }));
  order.sort((a, b) => {
    const x = a.evaluation.score;
    const y = b.evaluation.score;
    if (x === null || y === null) return x === y ? a.index - b.index : x === null ? 1 : -1;
    if (x !== y) return goal === 'max' ? y - x : x - y;
    return a.index - b.index;
  });
  return order.map((entry) => entry.evaluation);
}

/**
 * Runs the search: generation 1 is drawn at random, each later one keeps the
 * elite and breeds the rest (tournament, uniform crossover, mutation). Genomes
 * already evaluated are taken from the cache, not evaluated again; when no new
 * genome can be found the search ends early. `stop()` is asked before every
 * evaluation (cancellation keeps what was evaluated). Returns every
 * evaluation in the order it ran.
 */
export async function evolve(
  options: GeneticOptions,
  evaluate: (genome: Genome, context: EvaluationContext) => Promise<number | null>,
  stop: () => boolean = () => false,
): Promise<Evaluation[]> {
  const { genes, rng, goal } = options;
  const size = options.population;
  const elite = Math.min(size - 1, Math.max(1, options.elite ?? Math.round(size * 0.2)));
  const tournament = Math.max(1, options.tournament ?? 3);
  const mutationRate = options.mutationRate ?? Math.max(0.2, 1 / Math.max(1, genes.length));
  const done = new Map<string, Evaluation>();
  const history: Evaluation[] = [];

  /** A genome not in `taken` and not evaluated yet, or undefined when none turned up. */
  const newcomer = (taken: Set<string>, make: () => Genome, attempts: number): Genome | undefined => {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const genome = make();
      const key = genomeKey(genome);
      if (!taken.has(key) && !done.has(key)) return genome;
    }
    return undefined;
  };

  const tally = options.tally ?? { carried: 0, exhausted: 0, stopped: 0 };
  let population: Genome[] = [];
  const firstKeys = new Set<string>();
  for (let slot = 0; slot < size; slot++) {
    const genome = newcomer(firstKeys, () => randomGenome(genes, rng), RANDOM_ATTEMPTS);
    if (genome === undefined) break;
    firstKeys.add(genomeKey(genome));
    population.push(genome);
  }
  tally.exhausted += size - population.length;

  for (let generation = 1; generation <= options.generations; generation++) {
    const scored: Evaluation[] = [];
    if (options.evaluateGeneration) {
      const fresh = population.filter((genome) => !done.has(genomeKey(genome)));
      tally.carried += population.length - fresh.length;
      if (fresh.length > 0 && stop()) {
        tally.stopped += fresh.length + (options.generations - generation) * size;
        return history;
      }
      const scores =
        fresh.length === 0
          ? []
          : await options.evaluateGeneration(fresh, { generation, index: history.length });
      for (const [i, genome] of fresh.entries()) {
        const evaluation: Evaluation = { genome, key: genomeKey(genome), generation, score: scores[i] };
        done.set(evaluation.key, evaluation);
        history.push(evaluation);
      }
      // In population order, as one after another would give them: ties rank the same way.
      for (const genome of population) scored.push(done.get(genomeKey(genome)) as Evaluation);
    } else {
      for (const [slot, genome] of population.entries()) {
        const key = genomeKey(genome);
        const cached = done.get(key);
        if (cached) {
          tally.carried++;
          scored.push(cached);
          continue;
        }
        if (stop()) {
          tally.stopped += population.length - slot + (options.generations - generation) * size;
          return history;
        }
        const score = await evaluate(genome, { generation, index: history.length });
        const evaluation: Evaluation = { genome, key, generation, score };
        done.set(key, evaluation);
        history.push(evaluation);
        scored.push(evaluation);
      }
    }
    options.observe?.(generation, scored);
    if (generation === options.generations) break;
    if (stop()) {
      tally.stopped += (options.generations - generation) * size;
      break;
    }

    const ranked = rankEvaluations(scored, goal);
    const next: Genome[] = ranked.slice(0, elite).map((e) => e.genome);
    const taken = new Set(next.map(genomeKey));
    const select = (): Genome => {
      let best = pick(ranked, rng);
      for (let round = 1; round < tournament; round++) {
        const rival = pick(ranked, rng);
        if (rankEvaluations([best, rival], goal)[0] === rival) best = rival;
      }
      return best.genome;
    };
    const breed = (): Genome => {
      const mother = select();
      const father = select();
      return Object.fromEntries(
        genes.map((gene) => {
          const inherited = rng() < 0.5 ? mother[gene.param] : father[gene.param];
          return [gene.param, rng() < mutationRate ? mutateGene(gene, inherited, rng) : inherited];
        }),
      );
    };
    let newOnes = 0;
    while (next.length < size) {
      const child =
        newcomer(taken, breed, BREED_ATTEMPTS) ??
        newcomer(taken, () => randomGenome(genes, rng), RANDOM_ATTEMPTS);
      if (child === undefined) break;
      taken.add(genomeKey(child));
      next.push(child);
      newOnes++;
    }
    // Nothing new to learn: every reachable genome has been evaluated.
    if (newOnes === 0) {
      tally.exhausted += (options.generations - generation) * size;
      break;
    }
    tally.exhausted += size - next.length;
    population = next;
  }
  return history;
}
