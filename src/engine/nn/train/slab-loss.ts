/**
 * The training loss of a whole volume accumulated slab by slab, so no tensor holds the whole
 * volume: the mean terms (cross-entropy, focal, L1, L2) as voxel-weighted means of the slabs',
 * the soft Dice from per-class sums over every slab. The value is the loss `computeLoss` gives on
 * the whole volume at once (losses.ts), up to float rounding.
 */
import type { ResolvedParams } from '../params';
import { tf } from '../tf';
import { averagedTerm, diceOf, diceSums, hasDiceTerm, type BatchTargets } from './losses';

/** See the module comment. */
export class SlabLoss {
  /** Voxel-weighted sum of the slabs' mean terms; undefined for a loss without one (Dice). */
  private weightedSum?: number;
  private voxels = 0;
  private dice?: { inter: tf.Tensor; denom: tf.Tensor };

  constructor(
    private readonly params: Pick<ResolvedParams, 'loss'>,
    private readonly classWeights: number[] | null,
  ) {}

  /** Adds one slab's targets and prediction, `voxels` voxels of the volume. */
  add(t: BatchTargets, pred: tf.Tensor, voxels: number): void {
    const mean = tf.tidy(() => averagedTerm(this.params, t, pred, this.classWeights));
    if (mean) {
      this.weightedSum = (this.weightedSum ?? 0) + mean.dataSync()[0] * voxels;
      mean.dispose();
    }
    this.voxels += voxels;
    if (!hasDiceTerm(this.params)) return;
    const sums = tf.tidy(() => {
      const { inter, denom } = diceSums(t.oneHot as tf.Tensor, pred);
      return this.dice
        ? { inter: tf.add(this.dice.inter, inter), denom: tf.add(this.dice.denom, denom) }
        : { inter, denom };
    });
    this.dispose();
    this.dice = sums;
  }

  /** The loss over every slab added. */
  value(): number {
    const mean = this.weightedSum === undefined ? 0 : this.weightedSum / this.voxels;
    if (!this.dice) return mean;
    const { inter, denom } = this.dice;
    const dice = tf.tidy(() => diceOf(inter, denom).dataSync()[0]);
    return mean + dice;
  }

  /** Frees the Dice sums. */
  dispose(): void {
    if (this.dice) tf.dispose([this.dice.inter, this.dice.denom]);
    this.dice = undefined;
  }
}
