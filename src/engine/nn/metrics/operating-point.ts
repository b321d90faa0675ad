/**
 * Operating points (docs/metrics.md, "Operating point"): a threshold on one class's
 * probability is chosen on one set of predictions, by Youden's J or a target sensitivity
 * or specificity, and applied to another set; an item is called positive when its
 * probability is >= the threshold.
 */
import { ratio } from './confusion';
import { BinaryScores } from './roc';

/** How the threshold is chosen. */
export type OperatingRule =
  { kind: 'youden' } | { kind: 'sensitivity'; target: number } | { kind: 'specificity'; target: number };

/** Parses `youden`, `sens=0.9` or `spec=0.9`; throws naming the accepted forms. */
export function parseOperatingRule(text: string): OperatingRule {
  if (text === 'youden') return { kind: 'youden' };
  const m = /^(sens|spec)=([0-9.]+)$/.exec(text);
  const target = m ? Number(m[2]) : NaN;
  if (!m || !(target > 0 && target <= 1))
    throw new Error(`operating point "${text}": use youden, sens=T or spec=T with 0 < T <= 1`);
  return { kind: m[1] === 'sens' ? 'sensitivity' : 'specificity', target };
}

/** Whether `text` is a rule {@link parseOperatingRule} reads. */
export function isOperatingRule(text: string): boolean {
  try {
    parseOperatingRule(text);
    return true;
  } catch {
    return false;
  }
}

/** The rule in words, e.g. `sensitivity >= 0.9`. */
export function describeRule(rule: OperatingRule): string {
  return rule.kind === 'youden' ? "Youden's J" : `${rule.kind} >= ${rule.target}`;
}

/**
 * The threshold the rule picks among the distinct scores (and +Infinity, calling nothing
 * positive): Youden's J = sensitivity + specificity - 1 at its maximum (the highest such
 * threshold on ties); a target sensitivity: the highest threshold reaching it (the best
 * specificity that keeps it); a target specificity: the lowest threshold reaching it (the
 * best sensitivity that keeps it). `null` without positives or negatives.
 */
export function chooseThreshold(
  positive: ArrayLike<number>,
  score: ArrayLike<number>,
  rule: OperatingRule,
): number | null {
  const { thresholds, tps, fps } = new BinaryScores(positive, score).counts();
  const p = tps[tps.length - 1] ?? 0;
  const n = fps[fps.length - 1] ?? 0;
  if (p === 0 || n === 0) return null;
  const candidates = [Infinity, ...thresholds];
  const sens = [0, ...tps.map((t) => t / p)];
  const spec = [1, ...fps.map((f) => 1 - f / n)];
  if (rule.kind === 'youden') {
    let best = 0;
    for (let i = 1; i < candidates.length; i++) if (sens[i] + spec[i] > sens[best] + spec[best]) best = i;
    return candidates[best];
  }
  if (rule.kind === 'sensitivity') {
    const i = sens.findIndex((s) => s >= rule.target);
    return candidates[i];
  }
  let chosen = 0;
  for (let i = 0; i < candidates.length; i++) if (spec[i] >= rule.target) chosen = i;
  return candidates[chosen];
}

/** Counts and rates at a threshold. */
export interface OperatingPoint {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  sensitivity: number | null;
  specificity: number | null;
  ppv: number | null;
  npv: number | null;
}

/** Calls items with `score >= threshold` positive and counts them against the truth (weighted). */
export function applyThreshold(
  positive: ArrayLike<number>,
  score: ArrayLike<number>,
  threshold: number,
  weight?: ArrayLike<number>,
): OperatingPoint {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < score.length; i++) {
    const w = weight ? weight[i] : 1;
    const called = score[i] >= threshold;
    if (positive[i]) {
      if (called) tp += w;
      else fn += w;
    } else if (called) fp += w;
    else tn += w;
  }
  return {
    threshold,
    tp,
    fp,
    tn,
    fn,
    sensitivity: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    ppv: ratio(tp, tp + fp),
    npv: ratio(tn, tn + fn),
  };
}
