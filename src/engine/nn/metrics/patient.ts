/**
 * Patient-level predictions from item-level ones (docs/metrics.md, "Patient level"): a
 * study reports per patient, so the items (slices, images) of one patient become one
 * prediction, by the mean or the maximum of their class probabilities.
 */

/** One item's truth (class index) and class probabilities, with its patient. */
export interface PatientItem {
  patient: string;
  truth: number;
  probs: readonly number[];
}

/** One patient's aggregated prediction. */
export interface PatientPrediction {
  patient: string;
  items: number;
  truth: number;
  probs: number[];
}

/**
 * `mean`: the per-class mean of the items' probabilities. `max`: with two classes, the
 * largest probability of class 1 (class 0 gets 1 minus it), and the patient is of class 1
 * when any item is; with more classes, the per-class maximum (rows then need not sum to
 * 1). With `mean`, or more than two classes, a patient's items must share one truth.
 */
export function aggregateByPatient(items: readonly PatientItem[], how: 'mean' | 'max'): PatientPrediction[] {
  const groups = new Map<string, PatientItem[]>();
  for (const item of items) {
    const g = groups.get(item.patient);
    if (g) g.push(item);
    else groups.set(item.patient, [item]);
  }
  const out: PatientPrediction[] = [];
  for (const [patient, list] of groups) {
    const k = list[0].probs.length;
    const binaryMax = how === 'max' && k === 2;
    const truths = new Set(list.map((i) => i.truth));
    if (truths.size > 1 && !binaryMax)
      throw new Error(
        `patient ${patient}: items of classes ${[...truths].join(', ')}; one truth per patient is needed`,
      );
    let probs: number[];
    if (how === 'mean')
      probs = Array.from({ length: k }, (_, c) => list.reduce((s, i) => s + i.probs[c], 0) / list.length);
    else if (binaryMax) {
      const p1 = Math.max(...list.map((i) => i.probs[1]));
      probs = [1 - p1, p1];
    } else probs = Array.from({ length: k }, (_, c) => Math.max(...list.map((i) => i.probs[c])));
    out.push({ patient, items: list.length, truth: Math.max(...truths), probs });
  }
  return out;
}
