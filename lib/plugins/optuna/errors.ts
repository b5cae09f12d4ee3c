/**
 * The tuning plug-in's own errors: {@link UnknownSuggestType} and {@link NotPersistentStorage}.
 * Each constructor returns its own variant; `HyperionError` (in `lib/errors.ts`) unites them
 * with the other domains' errors.
 *
 * @module
 */
import { type ErrorBase, show } from "../../error_base.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The tuning plug-in's `suggest` got a type name other than categorical, int or float.
 *
 * @category model
 */
export interface UnknownSuggestType extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "UnknownSuggestType";
  /** The type name given. */
  readonly typeName: string;
}

/**
 * An operation needs a persistent storage (SQLite, PostgreSQL) but got a non-persistent one.
 *
 * @category model
 */
export interface NotPersistentStorage extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "NotPersistentStorage";
  /** The storage's URL. */
  readonly url: string;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds an {@link UnknownSuggestType}.
 *
 * @category constructors
 */
export function unknownSuggestType(typeName: string): UnknownSuggestType {
  return {
    _tag: "UnknownSuggestType",
    typeName,
    message: `Cannot suggest with type ${
      show(typeName)
    } as it is not one of 'categorical', 'int' or 'float'`,
  };
}

/**
 * Builds a {@link NotPersistentStorage}.
 *
 * @category constructors
 */
export function notPersistentStorage(url: string, what: string): NotPersistentStorage {
  return {
    _tag: "NotPersistentStorage",
    url,
    message: `Cannot ${what} as storage ${
      show(url)
    } is not persistent: use SQLite or PostgreSQL storage`,
  };
}
