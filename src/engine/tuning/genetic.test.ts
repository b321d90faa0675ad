/** The genetic core on pure fitness functions whose optimum is known by hand. */
import { describe, expect, it } from 'vitest';
import { createRng } from '../run/rng';
import {
  evolve,
  genomeKey,
  mutateGene,
  randomGenome,
  rankEvaluations,
  sampleGene,
  type Evaluation,
  type Genome,
} from './genetic';
import type { Gene } from './space';

type RangeGene = Extract<Gene, { kind: 'range' }>;

/** Five genes of five choices each: 3125 genomes, one best. */
const grid: Gene[] = ['a', 'b', 'c', 'd', 'e'].map((param) => ({
  kind: 'choice',
  param,
  values: [0, 1, 2, 3, 4],
}));
const target: Genome = { a: 3, b: 1, c: 4, d: 0, e: 2 };
/** 0 at the target, negative elsewhere: the maximum is the target by construction. */
const closeness = (g: Genome): number =>
  -Object.keys(target).reduce((sum, k) => sum + ((g[k] as number) - (target[k] as number)) ** 2, 0);

async function search(seed: number, genes: Gene[], fitness: (g: Genome) => number | null, extra = {}) {
  const seen: string[] = [];
  const history = await evolve(
    { genes, population: 10, generations: 15, goal: 'max', rng: createRng(seed), ...extra },
    async (genome) => {
      seen.push(genomeKey(genome));
      return fitness(genome);
    },
  );
  return { history, seen };
}

describe('evolve', () => {
  it('finds the single best genome of a 5x5 grid far more often than random search with the same budget', async () => {
    let found = 0;
    let gaTotal = 0;
    let randomTotal = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { history } = await search(seed, grid, closeness);
      // 10 random, then 14 generations of 8 children beside 2 elites.
      expect(history.length).toBe(10 + 14 * 8);
      const best = rankEvaluations(history, 'max')[0];
      if (best.score === 0) found++;
      gaTotal += best.score ?? -Infinity;
      // Baseline: 122 distinct random genomes of the same 3125.
      const rng = createRng(1000 + seed);
      const drawn = new Map<string, Genome>();
      while (drawn.size < history.length) {
        const genome = randomGenome(grid, rng);
        drawn.set(genomeKey(genome), genome);
      }
      randomTotal += Math.max(...[...drawn.values()].map(closeness));
    }
    // Random search hits the optimum with p = 122/3125 = 3.9% per search; the GA most of the time.
    expect(found).toBeGreaterThanOrEqual(12);
    expect(gaTotal / 20).toBeGreaterThan(randomTotal / 20);
  });

  it('finds the best of a 4x4x4 grid in 38 evaluations in at least 25 of 30 searches', async () => {
    const small: Gene[] = ['a', 'b', 'c'].map((param) => ({ kind: 'choice', param, values: [0, 1, 2, 3] }));
    const best: Genome = { a: 3, b: 1, c: 2 };
    const fitness = (g: Genome): number =>
      -Object.keys(best).reduce((sum, k) => sum + ((g[k] as number) - (best[k] as number)) ** 2, 0);
    let found = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const history = await evolve(
        { genes: small, population: 8, generations: 6, goal: 'max', rng: createRng(seed) },
        async (g) => fitness(g),
      );
      expect(history.length).toBe(8 + 5 * 6);
      if (genomeKey(rankEvaluations(history, 'max')[0].genome) === genomeKey(best)) found++;
    }
    // 38 distinct random genomes of 64 contain the best with p = 38/64 = 0.59 (18 of 30 expected).
    expect(found).toBeGreaterThanOrEqual(25);
  });

  it('minimises when the goal is min', async () => {
    const history = await evolve(
      { genes: grid, population: 10, generations: 15, goal: 'min', rng: createRng(9) },
      async (g) => -closeness(g),
    );
    const best = rankEvaluations(history, 'min')[0];
    expect(best.score).toBe(0);
    expect(best.genome).toEqual(target);
  });

  it('never evaluates one genome twice, and stops when a small space is used up', async () => {
    const small: Gene[] = [
      { kind: 'choice', param: 'optimizer', values: ['adam', 'sgd'] },
      { kind: 'choice', param: 'batchSize', values: [8, 16, 32] },
    ];
    const { history, seen } = await search(
      7,
      small,
      (g) => (g.optimizer === 'adam' ? 1 : 0) + (g.batchSize as number) / 100,
    );
    expect(new Set(seen).size).toBe(seen.length);
    // All 6 genomes, each once, although 15 generations of 10 were allowed.
    expect(seen.length).toBe(6);
    expect(rankEvaluations(history, 'max')[0].genome).toEqual({ optimizer: 'adam', batchSize: 32 });
  });

  it('never evaluates a duplicate on the large grid either', async () => {
    const { seen } = await search(11, grid, closeness);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('gives the same trials for the same seed and other trials for another seed', async () => {
    const first = await search(42, grid, closeness);
    const again = await search(42, grid, closeness);
    const other = await search(43, grid, closeness);
    expect(again.seen).toEqual(first.seen);
    expect(other.seen).not.toEqual(first.seen);
  });

  it('carries the best of each generation into the next (elitism)', async () => {
    const generations: Evaluation[][] = [];
    await search(5, grid, closeness, {
      observe: (_g: number, scored: readonly Evaluation[]) => generations.push([...scored]),
    });
    expect(generations.length).toBe(15);
    for (let g = 0; g + 1 < generations.length; g++) {
      const best = rankEvaluations(generations[g], 'max')[0];
      expect(generations[g + 1].map((e) => e.key)).toContain(best.key);
      expect(generations[g + 1].length).toBe(10);
    }
  });

  it('ranks failed evaluations last and goes on after them', async () => {
    // Every genome with a = 0 "fails" (a training that crashed).
    const { history } = await search(3, grid, (g) => (g.a === 0 ? null : closeness(g)));
    expect(history.some((e) => e.score === null)).toBe(true);
    const ranked = rankEvaluations(history, 'max');
    expect(ranked[0].genome).toEqual(target);
    expect(ranked.at(-1)?.score).toBeNull();
  });

  it('stops before the next evaluation when asked, keeping what was evaluated', async () => {
    let count = 0;
    const history = await evolve(
      { genes: grid, population: 10, generations: 15, goal: 'max', rng: createRng(1) },
      async (g) => {
        count++;
        return closeness(g);
      },
      () => count >= 4,
    );
    expect(history.length).toBe(4);
  });
});

describe('evolve, a generation at a time', () => {
  it('evaluates the same genomes in the same generations as one after another, with ties and failures', async () => {
    // Coarse scores (many ties) and failures: ranking order matters for what is bred next.
    const fitness = (g: Genome): number | null => (g.b === 2 ? null : Math.round(closeness(g) / 10));
    for (const seed of [1, 2, 3]) {
      const options = { genes: grid, population: 6, generations: 5, goal: 'max' as const };
      const oneByOne = await evolve({ ...options, rng: createRng(seed) }, async (g) => fitness(g));
      const batches: number[] = [];
      const together = await evolve(
        {
          ...options,
          rng: createRng(seed),
          evaluateGeneration: async (genomes) => {
            batches.push(genomes.length);
            return genomes.map(fitness);
          },
        },
        async () => {
          throw new Error('evaluateGeneration replaces one-by-one evaluation');
        },
      );
      expect(together).toEqual(oneByOne);
      // 6 new genomes, then 5 children beside the elite per generation, each generation in one call.
      expect(batches).toEqual([6, 5, 5, 5, 5]);
    }
  });

  it('stops before a generation when asked, and the slots still add up', async () => {
    const tally = { carried: 0, exhausted: 0, stopped: 0 };
    let calls = 0;
    const history = await evolve(
      {
        genes: grid,
        population: 5,
        generations: 4,
        goal: 'max',
        rng: createRng(4),
        tally,
        evaluateGeneration: async (genomes) => {
          calls++;
          return genomes.map(closeness);
        },
      },
      async () => null,
      () => calls >= 2,
    );
    expect(calls).toBe(2);
    expect(history.map((e) => e.generation)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(history.length + tally.carried + tally.exhausted + tally.stopped).toBe(5 * 4);
    // Generation 2's elite was carried; generations 3 and 4 were never bred.
    expect(tally).toEqual({ carried: 1, exhausted: 0, stopped: 2 * 5 });
  });
});

describe('rankEvaluations', () => {
  const e = (key: string, score: number | null): Evaluation => ({ key, score, genome: {}, generation: 1 });
  it('orders by score for the goal, nulls last, ties by order', () => {
    const list = [e('n', null), e('a', 2), e('b', 5), e('c', 2)];
    expect(rankEvaluations(list, 'max').map((x) => x.key)).toEqual(['b', 'a', 'c', 'n']);
    expect(rankEvaluations(list, 'min').map((x) => x.key)).toEqual(['a', 'c', 'b', 'n']);
  });
});

describe('genes', () => {
  const rng = createRng(2024);
  const learningRate: RangeGene = {
    kind: 'range',
    param: 'learningRate',
    min: 1e-4,
    max: 1e-2,
    log: true,
    integer: false,
  };
  const dropout: RangeGene = {
    kind: 'range',
    param: 'dropout',
    min: 0,
    max: 0.9,
    log: false,
    integer: false,
  };
  const depth: RangeGene = { kind: 'range', param: 'depth', min: 1, max: 3, log: false, integer: true };
  const batch: RangeGene = { kind: 'range', param: 'batchSize', min: 4, max: 64, log: true, integer: true };

  it('samples inside the bounds, whole numbers for integer genes, three significant digits otherwise', () => {
    for (const gene of [learningRate, dropout, depth, batch]) {
      for (let i = 0; i < 2000; i++) {
        const value = sampleGene(gene, rng) as number;
        expect(value).toBeGreaterThanOrEqual(gene.min);
        expect(value).toBeLessThanOrEqual(gene.max);
        if (gene.integer) expect(Number.isInteger(value)).toBe(true);
        else expect(Number(value.toPrecision(3))).toBe(value);
      }
    }
  });

  it('samples a log gene uniformly in log10: half below the geometric mean 1e-3', () => {
    const values = Array.from({ length: 4000 }, () => sampleGene(learningRate, rng) as number);
    const below = values.filter((v) => v < 1e-3).length;
    // Binomial(4000, 0.5): sd 32; a linear sampler would put ~9% below 1e-3.
    expect(below).toBeGreaterThan(1800);
    expect(below).toBeLessThan(2200);
    const decade = values.filter((v) => v < 1e-3 && v >= 1e-4).length;
    expect(decade).toBe(below);
  });

  it('samples every whole number of an integer range about equally, ends included', () => {
    const counts = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const v = sampleGene(depth, rng) as number;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3]);
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  it('mutates inside the bounds, also from the ends of the range', () => {
    for (const gene of [learningRate, dropout, depth, batch]) {
      for (const start of [gene.min, gene.max, sampleGene(gene, rng) as number]) {
        for (let i = 0; i < 500; i++) {
          const value = mutateGene(gene, start, rng) as number;
          expect(value).toBeGreaterThanOrEqual(gene.min);
          expect(value).toBeLessThanOrEqual(gene.max);
          if (gene.integer) expect(Number.isInteger(value)).toBe(true);
        }
      }
    }
  });

  it('moves an integer gene of a narrow range by a unit rather than keep it', () => {
    for (const start of [1, 2, 3]) {
      for (let i = 0; i < 200; i++) {
        const value = mutateGene(depth, start, rng) as number;
        expect(value).not.toBe(start);
        expect(Math.abs(value - start)).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('mutates a choice to another listed choice', () => {
    const gene: Gene = { kind: 'choice', param: 'optimizer', values: ['adam', 'sgd', 'rmsprop'] };
    const seen = new Set<unknown>();
    for (let i = 0; i < 300; i++) {
      const value = mutateGene(gene, 'sgd', rng);
      expect(value).not.toBe('sgd');
      expect(gene.values).toContain(value);
      seen.add(value);
    }
    expect(seen).toEqual(new Set(['adam', 'rmsprop']));
  });
});

describe('slot tally', () => {
  it('evaluations, carried elites, exhausted and stopped slots add up to population x generations', async () => {
    const small: Gene[] = [{ kind: 'choice', param: 'a', values: [0, 1, 2] }];
    const cases = [
      { genes: grid, population: 4, generations: 3, stopAfter: Infinity },
      { genes: small, population: 4, generations: 3, stopAfter: Infinity }, // 3 genomes in all
      { genes: small, population: 2, generations: 5, stopAfter: Infinity },
      { genes: grid, population: 5, generations: 4, stopAfter: 7 }, // cancelled part-way
    ];
    for (const { stopAfter, ...options } of cases) {
      const tally = { carried: 0, exhausted: 0, stopped: 0 };
      let evaluated = 0;
      const history = await evolve(
        { ...options, goal: 'max', rng: createRng(3), tally },
        async (genome) => {
          evaluated++;
          return closeness({ a: 0, b: 0, c: 0, d: 0, e: 0, ...genome });
        },
        () => evaluated >= stopAfter,
      );
      expect(history.length + tally.carried + tally.exhausted + tally.stopped).toBe(
        options.population * options.generations,
      );
      if (stopAfter !== Infinity) expect(tally.stopped).toBeGreaterThan(0);
    }
  });
});
