/**
 * A tiny fluent helper for writing network specs in code: each call appends a
 * layer and returns its id, so generators read like the architecture.
 */
import { SPEC_VERSION, type LayerNode, type NetworkSpec } from '../../api/network-spec';

/** Accumulates layers for one spec. */
export class SpecBuilder {
  private readonly layers: LayerNode[] = [];
  private counter = new Map<string, number>();

  /** Appends a layer fed by `inputs`; returns its id (type-based unless `id` is given). */
  add(type: string, inputs: string | string[], params: Record<string, unknown> = {}, id?: string): string {
    const n = (this.counter.get(type) ?? 0) + 1;
    this.counter.set(type, n);
    const layerId = id ?? `${type.toLowerCase()}_${n}`;
    this.layers.push({ id: layerId, type, params, inputs: Array.isArray(inputs) ? inputs : [inputs] });
    return layerId;
  }

  /** Conv -> BatchNorm -> ReLU, the usual block; returns the ReLU's id. */
  convBnRelu(input: string, filters: number, kernelSize = 3, strides = 1): string {
    const c = this.add('Conv2D', input, { filters, kernelSize, strides, padding: 'same', useBias: false });
    const b = this.add('BatchNorm', c);
    return this.add('Activation', b, { activation: 'relu' });
  }

  /** The finished spec. */
  build(
    meta: Pick<NetworkSpec, 'name' | 'task' | 'description' | 'outputStride'>,
    output: string,
  ): NetworkSpec {
    return { format: 'phi-network', version: SPEC_VERSION, ...meta, layers: this.layers, output };
  }
}

/** Starts a spec with its Input layer (shape from the data). */
export function start(): { b: SpecBuilder; x: string } {
  const b = new SpecBuilder();
  b.add('Input', [], {}, 'input');
  return { b, x: 'input' };
}
