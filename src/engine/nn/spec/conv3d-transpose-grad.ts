/**
 * The gradient of a transposed 3-D convolution (kernel Conv3DBackpropInputV2,
 * what Conv3DTranspose layers run), which tf.js does not register, so a 3-D
 * U-Net's up-sampling could not train. It mirrors tf.js's own rule for the
 * 2-D kernel (Conv2DBackpropInput): the gradient for `dy` is the forward
 * convolution of the incoming gradient with the filter, the gradient for the
 * filter is Conv3DBackpropFilterV2 of the incoming gradient against `dy`.
 */
import type * as tfc from '@tensorflow/tfjs-core';

interface Attrs {
  strides: [number, number, number] | number;
  pad: 'valid' | 'same';
}

/** Registers the gradient unless one is registered already. */
export function registerConv3dTransposeGrad(tf: typeof tfc): void {
  if (tf.getGradient('Conv3DBackpropInputV2')) return;
  tf.registerGradient({
    kernelName: 'Conv3DBackpropInputV2',
    inputsToSave: ['dy', 'filter'],
    gradFunc: (ddx, saved, attrs) => {
      const [dy, filter] = saved as [tfc.Tensor5D, tfc.Tensor5D];
      const { strides, pad } = attrs as unknown as Attrs;
      const grad = ddx as tfc.Tensor5D;
      return {
        dy: () => tf.conv3d(grad, filter, strides, pad),
        filter: () =>
          tf.engine().runKernel('Conv3DBackpropFilterV2', { x: grad, dy }, {
            strides,
            pad,
            filterShape: filter.shape,
          } as unknown as tfc.NamedAttrMap) as tfc.Tensor,
      };
    },
  });
}
