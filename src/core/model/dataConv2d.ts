/**
 * The network's first convolution, the one whose input is the images.
 *
 * tfjs-layers' Conv2D adds the bias inside one fused op (FusedConv2D) while
 * training with a sigmoid or no activation, and that op's gradient always
 * computes the gradient for its input too: a full backward convolution over
 * the batch. For the first layer nobody needs it (the input is data, not a
 * weight), yet it was a quarter of the backward-convolution time of a
 * WebAssembly step. A plain conv2d followed by a bias add lets tfjs's
 * autodiff skip gradients no weight depends on, so it is never computed.
 * Deeper convolutions need their input gradient and keep the fused op.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActivationName } from '../config/params';

/** tfjs-layers does not export its Initializer class; the parameter type is the same thing. */
type WeightInitializer = Parameters<tf.layers.Layer['addWeight']>[3];

export interface DataConv2DArgs {
  name: string;
  filters: number;
  kernelSize: number;
  strides: number;
  padding: 'same' | 'valid';
  activation: ActivationName;
  useBias: boolean;
  kernelInitializer: tf.serialization.Serializable;
  inputShape?: [number, number, number];
}

const ACTIVATIONS: Record<ActivationName, (x: tf.Tensor) => tf.Tensor> = {
  sigmoid: tf.sigmoid,
  relu: tf.relu,
  tanh: tf.tanh,
};

export class DataConv2D extends tf.layers.Layer {
  static readonly className = 'DataConv2D';
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(private readonly args: DataConv2DArgs) {
    super({ name: args.name, inputShape: args.inputShape });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = (inputShape as tf.Shape)[3];
    if (typeof channels !== 'number') throw new Error(`${this.name}: the input's channel count must be known`);
    const { kernelSize: k, filters } = this.args;
    this.kernel = this.addWeight('kernel', [k, k, channels, filters], 'float32', this.args.kernelInitializer as WeightInitializer);
    if (this.args.useBias) this.bias = this.addWeight('bias', [filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, height, width] = inputShape as tf.Shape;
    // 'same' is only used with stride 1 (see build.ts): the size stays.
    const { padding, kernelSize, strides } = this.args;
    const side = (n: number | null) =>
      (n === null ? null : padding === 'same' ? n : Math.floor((n - kernelSize) / strides) + 1);
    return [batch, side(height), side(width), this.args.filters];
  }

  /**
   * Saved as the plain Conv2D it computes (same weights, same names), so an
   * exported model loads in any tfjs program without this class.
   */
  override getClassName(): string {
    return 'Conv2D';
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { filters, kernelSize, strides, padding, activation, useBias, kernelInitializer } = this.args;
    const plain = tf.layers.conv2d({
      filters, kernelSize, strides, padding, activation, useBias, kernelInitializer: kernelInitializer as never,
    });
    // The plain layer's convolution settings, this layer's own name, shape and dtype.
    return { ...plain.getConfig(), ...super.getConfig() };
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      if (!this.kernel) throw new Error(`${this.name} was called before it was built`);
      let y: tf.Tensor = tf.conv2d(x, this.kernel.read() as tf.Tensor4D, this.args.strides, this.args.padding);
      if (this.bias) y = tf.add(y, this.bias.read());
      return ACTIVATIONS[this.args.activation](y);
    });
  }
}
