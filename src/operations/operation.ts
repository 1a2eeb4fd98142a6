import type { CompareInputs } from '../compare/operations.js';
import type { TensorKernels } from '../contract/kernels.js';
import type { Capability, Precision } from '../contract/types.js';
import type { Conventions } from '../conventions/profile.js';
import type { ScheduleTables } from '../schedule/tables.js';
import type { Tensor } from '../tensor.js';

/**
 * How an argument of an operation is given. A case file (README, "Case files") carries schedules in its
 * "schedule" field, tensors, timesteps and times under "inputs", and the other scalars and the reverse
 * options under "options"; kinds no case file can carry (a model) keep the operation out of case files.
 */
export type FieldKind =
  | 'schedule' // ScheduleTables, from the case's schedule spec
  | 'schedule spec' // the spec itself
  | 'tensor'
  | 'optional tensor'
  | 'timesteps' // one integer per batch element
  | 'times' // one real number per batch element
  | 'integer'
  | 'optional integers'
  | 'optional number'
  | 'shape'
  | 'model'
  | 'reverse options' // prediction, variance, clip
  | 'reverse options with eta';

/** The result as a case file prints it. */
export type CaseOutputs = Record<string, { shape: number[]; data: number[] } | number[] | number>;

/** The names of the tensor-valued fields of a result. */
type TensorFieldOf<R> = { [K in keyof R]: R[K] extends Tensor ? K : never }[keyof R] & string;

/** How `diffspec compare` runs an operation on its shared inputs, or why it does not. */
type CompareFeed<A, R> =
  | {
      /** The row's name in the table. */
      label: string;
      args(s: ScheduleTables, inputs: CompareInputs): NoInfer<A>;
      /** The result field compared; absent where the result is the tensor itself. */
      output?: TensorFieldOf<NoInfer<R>>;
      /** Draws the backend's own noise: the reference is then given the noise the backend drew (src/compare). */
      drawsNoise?: boolean;
      /** Runs a loop of the inputs' `steps` steps: a sweep of the loops' length concerns it. */
      loop?: boolean;
      /**
       * k in the output's error bound k (u_backend + u_float64)
       * scale (src/speckit/tolerance.ts), as the specs count it.
       */
      roundings(precision: Precision, inputs: CompareInputs): number;
    }
  | { unsupported: string };

/**
 * One operation of the contract: everything the contract, the composition, case files, `diffspec compare` and the
 * output guard need to know about it. A: the argument, V: the argument once validated, R: the result, F: the
 * argument's named fields (the argument itself unless argsFromFields builds it).
 */
export interface Operation<M extends string, A, V, R, F = A> {
  /** The DiffusionBackend method. */
  readonly method: M;
  /** The case-file name (snake_case), or why case files cannot express the operation. */
  readonly caseName: string | { unsupported: string };
  readonly capability: Capability;
  /** Every argument, by name, with its kind. */
  readonly fields: { readonly [K in keyof NoInfer<F>]-?: FieldKind };
  /** Builds the argument from its named fields; absent where the argument is the record of fields. */
  readonly argsFromFields?: (fields: F) => A;
  /**
   * Checks every argument, throwing a DiffspecInputError naming the field, and returns them in working form: timesteps
   * as the paper's, and what the profile decides (src/conventions) kept for compose.
   */
  validate(args: A, conventions: Conventions): V;
  /** The operation from a backend's kernels, on validated arguments. */
  compose<H>(k: TensorKernels<H>, v: V): Promise<R>;
  /** The names of the result's fields; a bare tensor result has one name, under which case files print it. */
  readonly results: readonly string[];
  /** The result is one tensor itself (named results[0] in case files and protocol answers), not a record. */
  readonly resultIsTensor?: true;
  /** The result as a case file prints it, where the plain conversion of `results` does not fit. */
  readonly caseOutputs?: (result: NoInfer<R>) => CaseOutputs;
  readonly compare: CompareFeed<A, R>;
}

/** Any operation, as the code that walks the table sees it: entries differ in argument and result types. */
// biome-ignore lint/suspicious/noExplicitAny: any operation, whatever its types (unknown would reject the entries)
export type AnyOperation = Operation<string, any, any, any, any>;

// biome-ignore lint/suspicious/noExplicitAny: the other type parameters are matched, not used
export type ArgsOf<O> = O extends Operation<string, infer A, any, any, any> ? A : never;
// biome-ignore lint/suspicious/noExplicitAny: the other type parameters are matched, not used
export type ResultOf<O> = O extends Operation<string, any, any, infer R, any> ? R : never;

/**
 * Declares an operation of argument A and result R, given explicitly: defineOperation<A, R>()({ ... }). The method
 * name stays a literal type (the contract's method names derive from it); V and F are inferred.
 */
export function defineOperation<A, R>() {
  return <const M extends string, V, F = A>(op: Operation<M, A, V, R, F>): Operation<M, A, V, R, F> => op;
}
