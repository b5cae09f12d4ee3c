/**
 * The storage a CLI command works on: its URL from `--storage` or `HYPERION_STORAGE`, opened
 * with `openStorage` and closed whatever happens. A command that only reads or changes existing
 * studies never creates a database: an SQLite file that does not exist is an error, not a new
 * empty file. Private to the CLI.
 *
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { bracket, type Either, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, storageError } from "../errors.ts";
import { openStorage, parseStorageUrl, type StorageLocation } from "../storage/open.ts";
import type { Storage } from "../storage/storage.ts";
import type { Context } from "./_context.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The environment variable that names the storage when `--storage` is not given. */
export const STORAGE_ENV = "HYPERION_STORAGE";

/** `existing`: the database must exist already; `create`: it is created when missing. */
export type OpenMode = "existing" | "create";

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** The storage URL of a command: `--storage`, else `HYPERION_STORAGE`. */
export function storageUrl(
  option: string | undefined,
  ctx: Context,
  flag = "--storage",
): Either<HyperionError, string> {
  const url = option ?? ctx.env(STORAGE_ENV);
  if (url === undefined || url === "") {
    return left(invalidArgument({
      field: flag,
      value: undefined,
      expected: `a storage URL such as 'sqlite:///study.db' (in ${flag} or ${STORAGE_ENV})`,
      got: "none",
    }));
  }
  return right(url);
}

function checkExists(where: StorageLocation): Either<HyperionError, StorageLocation> {
  if (where.kind !== "sqlite" || where.path === ":memory:") return right(where);
  const operation = `open the SQLite database '${where.path}'`;
  if (!existsSync(where.path)) {
    return left(storageError(operation, "the file does not exist (create-study creates one)"));
  }
  if (!statSync(where.path).isFile()) return left(storageError(operation, "it is not a file"));
  return right(where);
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Opens the storage at `url`, runs `use` on it and closes it (also when `use` fails). With
 * mode `existing`, a missing SQLite file is a `StorageError` and nothing is created.
 */
export function withStorage<A>(
  url: string,
  mode: OpenMode,
  use: (storage: Storage) => TaskEither<HyperionError, A>,
): TaskEither<HyperionError, A> {
  return async () => {
    const parsed = parseStorageUrl(url);
    if (parsed._tag === "Left") return parsed;
    if (mode === "existing") {
      const exists = checkExists(parsed.right);
      if (exists._tag === "Left") return exists;
    }
    return await bracket(
      openStorage(url),
      use,
      (storage) => storage.close(),
    )();
  };
}
