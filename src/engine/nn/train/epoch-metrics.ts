/**
 * Accumulates one split's metrics over the batches of an epoch, per task, and
 * renders them with the names of docs/design.md section 7 (`loss`,
 * `accuracy`, per-class arrays, `macro...` means, `miou`, `map50`, `mae`...).
 */
import type { EpochMetrics, ScoredSet, Task } from '../../api';
import { macroKey } from '../../api/metric-names';
import { ConfusionMatrix, PER_CLASS_METRICS } from '../metrics/confusion';
import { detectionMetrics, presenceAccuracy, type DetectionImage } from '../metrics/detection';
import { RegressionAccumulator, type RegressionMetrics } from '../metrics/regression';
import { decodeOutput } from '../detection/centernet';
import type { Prepared } from './prepare';

/** Streaming metrics of one split. */
export class EpochAccumulator {
  private lossSum = 0;
  private lossCount = 0;
  readonly confusion: ConfusionMatrix;
  private readonly regression = new RegressionAccumulator();
  private readonly detections: DetectionImage[] = [];
  /** Classification items' truth and probabilities, kept when {@link keepScores} is called. */
  private scored?: ScoredSet;
  /** Each transformation item's own metrics, kept when {@link keepItemMetrics} is called. */
  private perItem?: { id: string; metrics: RegressionMetrics }[];

  constructor(
    private readonly task: Task,
    private readonly classes: number,
    private readonly detection?: { gh: number; gw: number; stride: number; threshold: number },
  ) {
    this.confusion = new ConfusionMatrix(classes);
  }

  /** Keeps each classification item's class probabilities (the study of the test split). */
  keepScores(): this {
    this.scored = { truth: [], probs: [], ids: [] };
    return this;
  }

  /** The kept truth and probabilities, in item order; see {@link keepScores}. */
  scores(): ScoredSet | undefined {
    return this.scored;
  }

  /** Keeps each transformation item's own metrics (PSNR with its own target's range), in item order. */
  keepItemMetrics(): this {
    this.perItem = [];
    return this;
  }

  /** The kept per-item metrics; see {@link keepItemMetrics}. */
  itemMetrics(): { id: string; metrics: RegressionMetrics }[] | undefined {
    return this.perItem;
  }

  /** Adds a batch's mean loss weighted by its size. */
  addLoss(loss: number, items: number): void {
    this.lossSum += loss * items;
    this.lossCount += items;
  }

  /**
   * Adds a batch's outputs (host copy, batch-major) for its prepared items.
   * Segmentation may instead pass a ready confusion matrix via `addConfusion`.
   */
  addOutputs(batch: Prepared[], out: Float32Array): void {
    const per = out.length / batch.length;
    batch.forEach((item, b) => {
      const o = out.subarray(b * per, (b + 1) * per);
      if (this.task === 'classification') {
        let arg = 0;
        for (let c = 1; c < o.length; c++) if (o[c] > o[arg]) arg = c;
        this.confusion.add(item.classIndex as number, arg);
        this.scored?.truth.push(item.classIndex as number);
        this.scored?.ids?.push(item.id);
        this.scored?.probs.push(Array.from(o));
      } else if (this.task === 'transformation') {
        // Back to data units, so MAE/PSNR read in the target's own units.
        const t = item.target as Float32Array;
        const truth = new Float32Array(t.length);
        const pred = new Float32Array(t.length);
        for (let i = 0; i < t.length; i++) {
          truth[i] = t[i] * item.scale + item.offset;
          pred[i] = o[i] * item.scale + item.offset;
        }
        this.regression.add(truth, pred);
        if (this.perItem) {
          const own = new RegressionAccumulator();
          own.add(truth, pred);
          this.perItem.push({ id: item.id, metrics: own.metrics() });
        }
      } else if (this.task === 'detection') {
        const d = this.detection as NonNullable<typeof this.detection>;
        this.detections.push({
          truth: item.boxes ?? [],
          predictions: decodeOutput(o, d.gh, d.gw, this.classes, d.stride, d.threshold),
        });
      }
    });
  }

  /** Adds one transformation image's target and prediction, both in data units, of equal length. */
  addTarget(truth: ArrayLike<number>, pred: ArrayLike<number>): void {
    this.regression.add(truth, pred);
  }

  /** Adds one detection image's true and predicted boxes, in the same pixel frame. */
  addDetections(image: DetectionImage): void {
    this.detections.push(image);
  }

  /** Adds a `classes x classes` confusion matrix (segmentation pixels, computed on the backend). */
  addConfusion(m: ArrayLike<number>): void {
    this.confusion.addMatrix(m);
  }

  /** The split's metrics. */
  metrics(): EpochMetrics {
    const out: EpochMetrics = { loss: this.lossCount ? this.lossSum / this.lossCount : null };
    if (this.task === 'classification' || this.task === 'segmentation') {
      const m = this.confusion.metrics();
      out.accuracy = m.accuracy;
      for (const name of PER_CLASS_METRICS) {
        if (name === 'iou' && this.task === 'classification') continue;
        out[name] = m.perClass[name];
        out[macroKey(name)] = m.macro[name];
      }
      if (this.task === 'segmentation') out.miou = m.miou;
    } else if (this.task === 'transformation') {
      Object.assign(out, this.regression.metrics());
    } else {
      const d = detectionMetrics(this.detections, this.classes);
      out.map50 = d.map50;
      out.map = d.map;
      out.ap50 = d.ap50;
      // At the node's detection threshold, the score its boxes were decoded at.
      const presence = presenceAccuracy(this.detections, this.classes, this.detection?.threshold ?? 0);
      out.accuracyByClass = presence.perClass;
      out.macroAccuracyByClass = presence.macro;
    }
    return out;
  }

  /** Confusion matrix rows `[true][pred]` (classification, segmentation). */
  confusionRows(): number[][] {
    return this.confusion.counts.map((r) => [...r]);
  }
}
