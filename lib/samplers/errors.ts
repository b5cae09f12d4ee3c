/**
 * The samplers' errors: {@link UnknownSamplerKind}. Its constructor returns its own variant;
 * `HyperionError` (in `lib/errors.ts`) unites it with the other domains' errors.
 *
 * @module
 */
import { type ErrorBase, show } from "../error_base.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * A sampler (given to a study, or read from a snapshot) has a kind that is not among the
 * study's sampler kinds (the built-in ones unless the `samplerKinds` option says otherwise).
 *
 * @category model
 */
export interface UnknownSamplerKind extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "UnknownSamplerKind";
  /** The unknown kind. */
  readonly kind: string;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds an {@link UnknownSamplerKind}.
 *
 * @category constructors
 */
export function unknownSamplerKind(kind: string, known: ReadonlyArray<string>): UnknownSamplerKind {
  return {
    _tag: "UnknownSamplerKind",
    kind,
    message: `Cannot use sampler of kind ${
      show(kind)
    } as it is not among the study's sampler kinds (option 'samplerKinds'): ${
      known.length ? `known kinds are ${known.map((k) => `'${k}'`).join(", ")}` : "none is known"
    }`,
  };
}
