import { DiffspecInputError, requireInput } from '../errors.js';

/**
 * The four places where published implementations differ and the papers leave room (docs/conventions.md, with the
 * public functions behind each choice). A convention profile fixes each of them; everything else (the forward process,
 * the posterior mean, x0 from eps / x0 / v, the DDIM update, L_simple, the noise streams) is the same under every
 * profile, so a wrong formula fails under every profile.
 */
export interface ConventionFlags {
  /** The backend's index of the paper's t = 1: 1 (improved-diffusion's t = 1..T) or 0 (diffusers' 0..T-1). */
  readonly firstTimestep: 0 | 1;
  /** DDIM's eps^ under clipping: recomputed from the clipped x0^, or from the unclipped one (the model's eps). */
  readonly ddimEps: 'clipped-x0' | 'unclipped-x0';
  /** The alpha-bar of DDIM's last step (to t = 0): 1, or alpha-bar_1 (diffusers' set_alpha_to_one=False). */
  readonly ddimFinalAlphaBar: 'one' | 'first-step';
  /**
   * The reverse variance at t = 1, where beta~_1 = 0: 'next-step' takes t = 2's (fixed_small's clipped log beta~_2,
   * fixed_large beta~_2); 'clamped' clamps beta~_1 at 1e-20 (learned_range from log 1e-20) and fixed_large is beta_1.
   */
  readonly firstStepVariance: 'next-step' | 'clamped';
}

/** The values each flag may take, declared once: validation, usage text and docs derive from it. */
const CONVENTION_CHOICES: { readonly [F in keyof ConventionFlags]: readonly ConventionFlags[F][] } = {
  firstTimestep: [1, 0],
  ddimEps: ['clipped-x0', 'unclipped-x0'],
  ddimFinalAlphaBar: ['one', 'first-step'],
  firstStepVariance: ['next-step', 'clamped'],
};

/** The named profiles. */
export const PROFILES = {
  'improved-diffusion': {
    firstTimestep: 1,
    ddimEps: 'clipped-x0',
    ddimFinalAlphaBar: 'one',
    firstStepVariance: 'next-step',
  },
  // DDPMScheduler and DDIMScheduler with the configuration of Stable Diffusion's: set_alpha_to_one=False and
  // use_clipped_model_output=False.
  diffusers: {
    firstTimestep: 0,
    ddimEps: 'unclipped-x0',
    ddimFinalAlphaBar: 'first-step',
    firstStepVariance: 'clamped',
  },
} as const satisfies Record<string, ConventionFlags>;

export type ProfileName = keyof typeof PROFILES;

export const DEFAULT_PROFILE: ProfileName = 'improved-diffusion';

/**
 * What a backend declares: a profile's name, or per-choice flags over a named profile (`base`, default
 * improved-diffusion), e.g. { "base": "diffusers", "ddimFinalAlphaBar": "one" }.
 */
export type ProfileSpec = ProfileName | ({ base?: ProfileName } & Partial<ConventionFlags>);

/** A profile in working form: its flags and the name reports show. */
export interface Conventions extends ConventionFlags {
  readonly profile: string;
}

/** The default profile, resolved: the conventions of code that declares none (training, the specs' own arithmetic). */
export const DEFAULT_CONVENTIONS: Conventions = { profile: DEFAULT_PROFILE, ...PROFILES[DEFAULT_PROFILE] };

const isProfileName = (v: unknown): v is ProfileName => typeof v === 'string' && Object.hasOwn(PROFILES, v);
const profileNames = () => Object.keys(PROFILES).join(', ');
const flagNames = () => Object.keys(CONVENTION_CHOICES).join(', ');

/** Checks a declared profile (`field` names it in errors) and resolves it; undefined is the default profile. */
export function resolveProfile(spec: unknown, field = 'profile'): Conventions {
  if (spec === undefined) return DEFAULT_CONVENTIONS;
  if (typeof spec === 'string') {
    requireInput(isProfileName(spec), field, `must be one of ${profileNames()}, or flags; got ${JSON.stringify(spec)}`);
    return { profile: spec, ...PROFILES[spec] };
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec))
    throw new DiffspecInputError(field, `must be a profile name (${profileNames()}) or an object of flags`);
  const { base = DEFAULT_PROFILE, ...flags } = spec as Record<string, unknown>;
  requireInput(isProfileName(base), `${field}.base`, `must be one of ${profileNames()}, got ${JSON.stringify(base)}`);
  const choices = CONVENTION_CHOICES as Record<string, readonly unknown[]>;
  for (const [flag, value] of Object.entries(flags)) {
    requireInput(flag in choices, `${field}.${flag}`, `is not a convention flag (known: base, ${flagNames()})`);
    const allowed = choices[flag].map((c) => JSON.stringify(c)).join(', ');
    requireInput(
      choices[flag].includes(value),
      `${field}.${flag}`,
      `must be one of ${allowed}, got ${JSON.stringify(value)}`,
    );
  }
  const resolved = { ...PROFILES[base], ...flags } as ConventionFlags;
  const changed = Object.keys(flags).filter((f) => flags[f] !== PROFILES[base][f as keyof ConventionFlags]);
  const name = changed.length === 0 ? base : `${base} (${changed.map((f) => `${f}=${flags[f]}`).join(', ')})`;
  return { profile: name, ...resolved };
}

/** A backend's metadata with its profile's name under "profile" where it declares one, as reports show it. */
export function metadataWithProfile(b: {
  metadata?: Readonly<Record<string, string>>;
  profile?: ProfileSpec;
}): Readonly<Record<string, string>> | undefined {
  return b.profile === undefined ? b.metadata : { ...b.metadata, profile: resolveProfile(b.profile).profile };
}
