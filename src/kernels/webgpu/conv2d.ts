/**
 * Conv2D for tfjs's WebGPU backend when the input has few channels (the
 * images: LeNet's first layer), as one thread per output value.
 *
 * tfjs 4.22 runs every WebGPU convolution as a tiled matrix product
 * (Conv2DMMProgram). With one input channel its tiles are mostly padding: on
 * Chromium's software adapter LeNet's first convolution took 27 of a 38 s
 * training step (256 images), against 2.9 s for the second one, which has
 * twice the multiply-adds. Each output value here is a plain loop over the
 * KH·KW·CI taps that fall inside the image (25 for LeNet). Inputs with more
 * channels keep the backend's kernel, which is built for them.
 *
 * Any kernel size, stride and padding: the loop checks each tap's bounds, and
 * nothing is tiled. One thread per output value needs more than WebGPU's
 * 65,535 workgroups per dimension for large batches (2048 × 28·28 × 128
 * outputs: 3.2 M workgroups of 64); tfjs's runWebGPUProgram spreads such a
 * flat dispatch over two or three dimensions itself, and getGlobalIndex
 * (which calls main here) accounts for that.
 */
import type { backend_util, KernelConfig, KernelFunc } from '@tensorflow/tfjs';
import { convConstants, plainConv2D } from '../shared/gpu';
import { flatWebGPUProgram } from './backend';
import type { WebGPUBackendLike, WebGPUProgramLike } from './backend';

/** Inputs with at most this many channels get the direct loop (1: grey, 3: colour images). */
export const DIRECT_MAX_IN_CHANNELS = 3;

function webgpuProgram(info: backend_util.Conv2DInfo): WebGPUProgramLike {
  const c = convConstants(info);
  return flatWebGPUProgram(['x', 'W'], info.outShape, `lenetConv2DDirect_${Object.values(c).join('_')}`, `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let n = coords[0];
          let oh = coords[1];
          let ow = coords[2];
          let co = coords[3];
          var sum = 0.0;
          for (var kh = 0; kh < ${c.FH}; kh = kh + 1) {
            let ih = oh * ${c.SH} - ${c.PT} + kh;
            if (ih < 0 || ih >= ${c.IH}) { continue; }
            for (var kw = 0; kw < ${c.FW}; kw = kw + 1) {
              let iw = ow * ${c.SW} - ${c.PL} + kw;
              if (iw < 0 || iw >= ${c.IW}) { continue; }
              for (var ci = 0; ci < ${c.CI}; ci = ci + 1) {
                sum = sum + getX(n, ih, iw, ci) * getW(kh, kw, ci, co);
              }
            }
          }
          setOutputAtIndex(index, sum);
        }
      }`);
}

/** Wraps the backend's own Conv2D (`replaced`): few input channels here, the rest there. */
export function makeWebGPUConv2D(replaced: KernelConfig): KernelFunc {
  return (args) => {
    const conv = plainConv2D(args);
    if (!conv || conv.info.inChannels > DIRECT_MAX_IN_CHANNELS) return replaced.kernelFunc(args);
    return (args.backend as WebGPUBackendLike).runWebGPUProgram(webgpuProgram(conv.info), [conv.x, conv.filter], 'float32');
  };
}
