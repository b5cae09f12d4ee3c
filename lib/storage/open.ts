/**
 * Opens a storage from its URL: `sqlite:///relative/path.db` and `sqlite:////absolute/path.db`
 * (SQLAlchemy's convention, the same URLs Python Optuna takes), `sqlite:///:memory:` for a
 * private in-memory SQLite database, `postgresql://user:password@host:5432/database` (also
 * `postgres://` and `postgresql+psycopg2://`) for a PostgreSQL server, `journal:///abs/path.log`
 * (or `journal:relative/path.log`) for a journal file that processes on many machines share
 * (`journalStorage`; Optuna has no URL for it), and `memory:` for {@link memoryStorage}.
 *
 * @example Open an SQLite file by URL and an in-memory storage
 * ```ts
 * import { openStorage } from "@hyperion/tune/storage";
 * import { runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const storage = await runOrThrow(openStorage(`sqlite:///${dir}/study.db`));
 * assert.equal(storage.url, `sqlite:///${dir}/study.db`);
 * assert.equal(storage.persistent, true);
 * await runOrThrow(storage.createStudy({ studyName: "s", directions: ["maximize"] }));
 * await runOrThrow(storage.close());
 *
 * const memory = await runOrThrow(openStorage("memory:"));
 * assert.equal(memory.persistent, false);
 *
 * const unknown = await openStorage("redis://localhost")();
 * assert.equal(unknown._tag === "Left" && unknown.left._tag, "InvalidArgument");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import { memoryStorage } from "./memory.ts";
import { journalFileBackend, type JournalFileBackendOptions } from "./journal/backend.ts";
import { journalStorage, type JournalStorageOptions } from "./journal/journal.ts";
import { postgresStorage, type PostgresStorageOptions } from "./rdb/postgres.ts";
import { sqliteStorage, type SqliteStorageOptions } from "./rdb/sqlite.ts";
import type { Storage } from "./storage.ts";

// the types the signatures mention, so that this entry point documents them
export type {
  SqliteDriver,
  SqliteOpen,
  SqliteStatement,
  SqliteStorageOptions,
  SqliteValue,
} from "./rdb/sqlite.ts";
export type * from "./signature_types.ts";
export type { PostgresStorageOptions } from "./rdb/postgres.ts";
// the file-system artifact store (Optuna's FileSystemArtifactStore) lives here, beside the other
// file-backed things, so that mod.ts stays free of node: modules
export type { ArtifactStore } from "../fs/artifact.ts";
export { fileSystemArtifactStore } from "../fs/artifact_store.ts";
export type {
  JournalDamage,
  JournalFileBackendOptions,
  JournalLockKind,
  JournalStorage,
  JournalStorageOptions,
} from "./journal/mod.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Options of {@link openStorage}.
 *
 * @category model
 */
export interface OpenStorageOptions {
  /**
   * Options for `sqlite:` URLs.
   *
   * @default {{}}
   */
  readonly sqlite?: SqliteStorageOptions;
  /**
   * Options for `postgresql:` URLs.
   *
   * @default {{}}
   */
  readonly postgres?: PostgresStorageOptions;
  /**
   * Options for `journal:` URLs: the file backend's (lock, grace period, fsync, snapshot)
   * and the storage's (clock, damage callback, heartbeats).
   *
   * @default {{}}
   */
  readonly journal?: JournalFileBackendOptions & JournalStorageOptions;
}

/**
 * What a storage URL names: the scheme and, for SQLite, the file path.
 *
 * @category model
 */
export type StorageLocation =
  | { readonly kind: "memory" }
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgresql"; readonly url: string }
  | { readonly kind: "journal"; readonly path: string };

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Opens the storage a URL names. `sqlite:///x.db` is the file `x.db` relative to the
 * working folder; `sqlite:////tmp/x.db` is the absolute `/tmp/x.db`. Unknown schemes, URLs
 * without a path and query strings are `InvalidArgument`; opening errors are those of
 * {@link sqliteStorage} and {@link postgresStorage} (`StorageError`, `SchemaMismatch`).
 *
 * @category constructors
 */
export function openStorage(
  url: string,
  options: OpenStorageOptions = {},
): TaskEither<HyperionError, Storage> {
  const location = parseStorageUrl(url);
  if (location._tag === "Left") return () => Promise.resolve(location);
  const where = location.right;
  switch (where.kind) {
    case "memory":
      return () => Promise.resolve(right(memoryStorage()));
    case "sqlite":
      return sqliteStorage(where.path, options?.sqlite ?? {});
    case "postgresql":
      return postgresStorage(where.url, options?.postgres ?? {});
    case "journal": {
      const { lock, lockGracePeriodMs, fsync, snapshot, ...rest } = options?.journal ?? {};
      const file = { lock, lockGracePeriodMs, fsync, snapshot };
      const given = Object.entries(file).filter(([, v]) => v !== undefined);
      return journalStorage(
        journalFileBackend(where.path, Object.fromEntries(given) as JournalFileBackendOptions),
        rest,
      );
    }
  }
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/**
 * Parses a storage URL without opening anything.
 *
 * @example Where SQLite URLs point
 * ```ts
 * import { parseStorageUrl } from "@hyperion/tune/storage";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseStorageUrl("sqlite:///runs/a.db"), { _tag: "Right", right: { kind: "sqlite", path: "runs/a.db" } });
 * assert.deepEqual(parseStorageUrl("sqlite:////tmp/a.db"), { _tag: "Right", right: { kind: "sqlite", path: "/tmp/a.db" } });
 * assert.equal(parseStorageUrl("mysql://db/x")._tag, "Left");
 * ```
 *
 * @category utils
 */
export function parseStorageUrl(url: string): Either<HyperionError, StorageLocation> {
  const bad = (expected: string) => left(invalidArgument({ field: "url", value: url, expected }));
  if (typeof url !== "string" || url.length === 0) {
    return bad(
      "a storage URL such as 'sqlite:///study.db', 'postgresql://user@host/db' or 'memory:'",
    );
  }
  if (url === "memory:" || url === "memory://") return right({ kind: "memory" });
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "sqlite") {
    if (!url.startsWith("sqlite:///")) {
      return bad(
        "'sqlite:///relative.db' or 'sqlite:////absolute/path.db' (three slashes, then the path)",
      );
    }
    const path = url.slice("sqlite:///".length);
    if (path.includes("?")) return bad("an SQLite URL without query parameters");
    if (path.length === 0) return bad("an SQLite URL with a file path after 'sqlite:///'");
    return right({ kind: "sqlite", path });
  }
  if (scheme === "journal") return journalLocation(url, bad);
  if (scheme === "postgresql" || scheme === "postgres" || scheme?.startsWith("postgresql+")) {
    return right({ kind: "postgresql", url });
  }
  return bad(
    `a URL with scheme 'sqlite', 'postgresql', 'journal' or 'memory'${
      scheme === undefined ? "" : ` (not '${scheme}')`
    }`,
  );
}

/** `journal:///absolute/path.log` (like a `file:` URL) or `journal:relative/path.log`. */
function journalLocation(
  url: string,
  bad: (expected: string) => Either<HyperionError, StorageLocation>,
): Either<HyperionError, StorageLocation> {
  const rest = url.slice("journal:".length);
  const path = rest.startsWith("///") ? rest.slice(2) : rest.startsWith("//") ? "" : rest;
  if (path.length === 0 || path.includes("?") || path.includes("#")) {
    return bad("'journal:///absolute/path.log' or 'journal:relative/path.log' (no host, no query)");
  }
  return right({ kind: "journal", path });
}
