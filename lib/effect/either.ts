/**
 * `Either`: the structural twin of fp-ts's `Either` (assignable both ways), its constructors
 * and queries. Pure functions return it; effects return a `TaskEither` of it.
 *
 * @module
 */
// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The failure side of an {@link Either}.
 *
 * @category model
 */
export interface Left<E> {
  /** Discriminant. */
  readonly _tag: "Left";
  /** The error. */
  readonly left: E;
}

/**
 * The success side of an {@link Either}.
 *
 * @category model
 */
export interface Right<A> {
  /** Discriminant. */
  readonly _tag: "Right";
  /** The value. */
  readonly right: A;
}

/**
 * A value that is either an error (`Left`) or a result (`Right`); the structural twin of
 * fp-ts's `Either`.
 *
 * @category model
 */
export type Either<E, A> = Left<E> | Right<A>;

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds a failed {@link Either}.
 *
 * @category constructors
 */
export function left<E, A = never>(e: E): Either<E, A> {
  return { _tag: "Left", left: e };
}

/**
 * Builds a successful {@link Either}.
 *
 * @category constructors
 */
export function right<A, E = never>(a: A): Either<E, A> {
  return { _tag: "Right", right: a };
}

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/**
 * True when `ea` is a `Left`.
 *
 * @category queries
 */
export function isLeft<E, A>(ea: Either<E, A>): ea is Left<E> {
  return ea._tag === "Left";
}

/**
 * True when `ea` is a `Right`.
 *
 * @category queries
 */
export function isRight<E, A>(ea: Either<E, A>): ea is Right<A> {
  return ea._tag === "Right";
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Returns the value of an {@link Either}, throwing the error otherwise (scripts and tests).
 *
 * @category utils
 */
export function getOrThrow<E, A>(ea: Either<E, A>): A {
  if (ea._tag === "Left") {
    const e: unknown = ea.left;
    if (e instanceof Error) throw e;
    const message = typeof e === "object" && e !== null && "message" in e
      ? String((e as { message: unknown }).message)
      : String(e);
    throw new Error(message, { cause: e });
  }
  return ea.right;
}
