import { type Architecture, imageItems } from './architecture.js';

/**
 * The seed's SimpleDenoiseModel: conv3x3(C + 1 -> 64) ReLU, conv3x3(64 ->
 * 64) ReLU, conv3x3(64 -> C), padding 1, t / T as an extra input channel.
 */
export interface SimpleConvSpec {
  architecture: 'simple-conv';
  channels: number;
  height: number;
  width: number;
}

const HIDDEN = 64;
const KERNEL = 3;

export const simpleConv: Architecture<SimpleConvSpec> = {
  fields: { channels: 'positive', height: 'positive', width: 'positive' },
  defaultSpec: (_architecture, itemShape) => ({ architecture: 'simple-conv', ...imageItems('simple-conv', itemShape) }),
  parameters({ channels }) {
    const layers: [string, number, number][] = [
      ['conv1', channels + 1, HIDDEN],
      ['conv2', HIDDEN, HIDDEN],
      ['conv3', HIDDEN, channels],
    ];
    return layers.flatMap(([name, cin, cout]) => [
      { name: `${name}.weight`, shape: [cout, cin, KERNEL, KERNEL], fanIn: cin * KERNEL * KERNEL },
      { name: `${name}.bias`, shape: [cout], fanIn: cin * KERNEL * KERNEL },
    ]);
  },
  itemShape: ({ channels, height, width }) => [channels, height, width],
  async forward(g, _spec, p, x, t, T) {
    const [n, , height, width] = x.shape;
    const time = await g.fill(
      [n, 1, height, width],
      Float64Array.from(t, (ti) => ti / T),
    );
    const h1 = await g.activation(
      'relu',
      await g.conv2d(await g.concat(x, time), p('conv1.weight'), p('conv1.bias'), 1),
    );
    const h2 = await g.activation('relu', await g.conv2d(h1, p('conv2.weight'), p('conv2.bias'), 1));
    return g.conv2d(h2, p('conv3.weight'), p('conv3.bias'), 1);
  },
};
