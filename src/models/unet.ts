import { requireInput } from '../errors.js';
import { type Architecture, imageItems, type ParameterSpec } from './architecture.js';
import type { Value } from './graph.js';
import { spatialAttention, spatialAttentionParameters } from './layers/attention.js';
import { conditioning, conditioningParameters } from './layers/conditioning.js';
import { conv, convParameters } from './layers/linear.js';
import { groupNorm, normParameters } from './layers/norm.js';
import { downsample, resampleParameters, upsample } from './layers/resample.js';
import { residualBlock, residualBlockParameters } from './layers/resblock.js';

/**
 * A U-Net (Ronneberger et al. 2015) as DDPM uses it (Ho et al. 2020, appendix B): `levels` resolutions with
 * baseChannels 2^l channels at level l, one residual block per level on the way down and up, a middle block, and
 * skip connections from each level's encoder to its decoder, either `add` (x^_l = Up(x_{l+1}) + x_l) or `concat`
 * (as DDPM). `unet-attn` adds self-attention after every block at the lowest resolution, as DDPM at 16 x 16.
 * With classes > 0 the model is class-conditional: a class embedding (with a null class) joins the timestep's.
 */
export interface UNetSpec {
  architecture: 'unet' | 'unet-attn';
  channels: number;
  height: number;
  width: number;
  baseChannels: number;
  levels: number;
  skip: 'add' | 'concat';
  /** GroupNorm groups; divides baseChannels. */
  groups: number;
  /** Attention heads (unet-attn); divides the channels of the lowest level. */
  heads: number;
  /** 0: unconditional; otherwise labels 0..classes-1, and `classes` the null label. */
  classes: number;
}

const UNET_DEFAULTS = { baseChannels: 16, levels: 3, skip: 'add', groups: 8, heads: 4, classes: 0 } as const;

const levelChannels = (spec: UNetSpec, level: number) => spec.baseChannels * 2 ** level;
const embeddingWidth = (spec: UNetSpec) => 4 * spec.baseChannels;
const attentionAt = (spec: UNetSpec, level: number) => spec.architecture === 'unet-attn' && level === spec.levels - 1;

/** Shape errors a U-Net spec can have, each naming its field. */
function checkUNetSpec(spec: UNetSpec, field = 'model'): void {
  const factor = 2 ** (spec.levels - 1);
  requireInput(spec.levels >= 2 && spec.levels <= 4, `${field}.levels`, `must be 2, 3 or 4, got ${spec.levels}`);
  for (const key of ['height', 'width'] as const)
    requireInput(
      spec[key] % factor === 0,
      `${field}.${key}`,
      `must be divisible by 2^(levels - 1) = ${factor} for ${spec.levels} resolutions, got ${spec[key]}`,
    );
  requireInput(
    spec.baseChannels % spec.groups === 0,
    `${field}.groups`,
    `must divide baseChannels = ${spec.baseChannels}, got ${spec.groups}`,
  );
  requireInput(
    levelChannels(spec, spec.levels - 1) % spec.heads === 0,
    `${field}.heads`,
    `must divide the ${levelChannels(spec, spec.levels - 1)} channels of the lowest level, got ${spec.heads}`,
  );
  requireInput(
    spec.skip === 'add' || spec.skip === 'concat',
    `${field}.skip`,
    `must be add or concat, got ${JSON.stringify(spec.skip)}`,
  );
}

export const unet: Architecture<UNetSpec> = {
  fields: {
    channels: 'positive',
    height: 'positive',
    width: 'positive',
    baseChannels: 'positive',
    levels: 'positive',
    skip: ['add', 'concat'],
    groups: 'positive',
    heads: 'positive',
    classes: 'count',
  },
  defaultSpec: (architecture, itemShape) => ({
    architecture: architecture as UNetSpec['architecture'],
    ...imageItems(architecture, itemShape),
    ...UNET_DEFAULTS,
  }),
  check: checkUNetSpec,
  parameters(spec) {
    const width = embeddingWidth(spec);
    const last = spec.levels - 1;
    const params: ParameterSpec[] = [...conditioningParameters(spec.baseChannels, width, spec.classes)];
    params.push(...convParameters('input', spec.channels, spec.baseChannels));
    for (let l = 0; l <= last; l++) {
      params.push(
        ...residualBlockParameters(
          `down.${l}.block`,
          levelChannels(spec, Math.max(0, l - 1)),
          levelChannels(spec, l),
          width,
        ),
      );
      if (attentionAt(spec, l))
        params.push(...spatialAttentionParameters(`down.${l}.attention`, levelChannels(spec, l)));
      if (l < last)
        params.push(...resampleParameters(`down.${l}.downsample`, levelChannels(spec, l), levelChannels(spec, l)));
    }
    params.push(
      ...residualBlockParameters('middle.block', levelChannels(spec, last), levelChannels(spec, last), width),
    );
    if (attentionAt(spec, last))
      params.push(...spatialAttentionParameters('middle.attention', levelChannels(spec, last)));
    for (let l = last; l >= 0; l--) {
      const inputs = levelChannels(spec, l) * (spec.skip === 'concat' ? 2 : 1);
      params.push(...residualBlockParameters(`up.${l}.block`, inputs, levelChannels(spec, l), width));
      if (attentionAt(spec, l)) params.push(...spatialAttentionParameters(`up.${l}.attention`, levelChannels(spec, l)));
      if (l > 0)
        params.push(...resampleParameters(`up.${l}.upsample`, levelChannels(spec, l), levelChannels(spec, l - 1)));
    }
    params.push(
      ...normParameters('output.norm', spec.baseChannels),
      ...convParameters('output.conv', spec.baseChannels, spec.channels),
    );
    return params;
  },
  itemShape: ({ channels, height, width }) => [channels, height, width],
  async forward(g, spec, p, x, t, _T, labels) {
    checkUNetSpec(spec);
    const last = spec.levels - 1;
    const embedding = await conditioning(g, p, t, labels, spec.classes, spec.baseChannels);
    const block = async (name: string, h: Value<typeof x.h>, level: number) => {
      const out = await residualBlock(g, p, `${name}.block`, h, embedding, spec.groups);
      return attentionAt(spec, level) ? spatialAttention(g, p, `${name}.attention`, out, spec.heads, spec.groups) : out;
    };
    let h = await conv(g, p, 'input', x);
    const skips: Value<typeof x.h>[] = [];
    for (let l = 0; l <= last; l++) {
      h = await block(`down.${l}`, h, l);
      skips.push(h);
      if (l < last) h = await downsample(g, p, `down.${l}.downsample`, h);
    }
    h = await block('middle', h, last);
    for (let l = last; l >= 0; l--) {
      h = spec.skip === 'concat' ? await g.concat(h, skips[l]) : await g.add(h, skips[l]);
      h = await block(`up.${l}`, h, l);
      if (l > 0) h = await upsample(g, p, `up.${l}.upsample`, h);
    }
    return conv(g, p, 'output.conv', await g.silu(await groupNorm(g, p, 'output.norm', h, spec.groups)));
  },
};
