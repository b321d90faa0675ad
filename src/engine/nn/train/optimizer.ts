/** Optimizers and learning-rate schedules of the network node. */
import { tf } from '../tf';
import type { ResolvedParams } from '../params';

/** A new optimizer of the chosen kind at the initial learning rate. */
export function makeOptimizer(p: ResolvedParams): tf.Optimizer {
  switch (p.optimizer) {
    case 'sgd':
      return tf.train.sgd(p.learningRate);
    case 'momentum':
      return tf.train.momentum(p.learningRate, 0.9);
    case 'adam':
      return tf.train.adam(p.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(p.learningRate);
    case 'adagrad':
      return tf.train.adagrad(p.learningRate);
  }
}

/** Learning rate of epoch `e` (0-based) under the schedule. */
export function learningRateAt(p: ResolvedParams, e: number): number {
  switch (p.schedule) {
    case 'constant':
      return p.learningRate;
    case 'exponential':
      return p.learningRate * p.decay ** e;
    case 'step':
      return p.learningRate * p.decay ** Math.floor(e / p.decaySteps);
    case 'cosine':
      return p.learningRate * 0.5 * (1 + Math.cos((Math.PI * e) / Math.max(1, p.epochs)));
  }
}

/** Sets the rate on any tf.js optimizer (SGD caches it in a tensor, the others read a field). */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const o = opt as unknown as { setLearningRate?: (v: number) => void; learningRate: number };
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}
