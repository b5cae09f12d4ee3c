/**
 * How the dashboard and the report get their storage: a {@link Storage} value as given (the
 * in-process API: a running study's memory storage, say), or a URL opened here. A missing
 * SQLite file is an error (opening would create it), and without writes an SQLite file is
 * opened read-only (`node:sqlite`'s `readOnly`, its journal mode left as it is), so a
 * read-only dashboard cannot change a byte of it. Every storage is also wrapped so that its
 * write functions fail when writes are off.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { type Either, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument, storageError } from "../errors.ts";
import { type Storage, STORAGE_WRITES } from "../storage/storage.ts";
import { openStorage, parseStorageUrl } from "../storage/open.ts";
import { sqliteStorage } from "../storage/rdb/sqlite.ts";
import {
  importNodeSqlite,
  type NodeSqliteModule,
  type SqliteDriver,
} from "../storage/rdb/sqlite_driver.ts";

/** An opened storage, and whether the dashboard opened it (then it closes it). */
export interface Opened {
  readonly storage: Storage;
  readonly owned: boolean;
}

/** A read-only connection; statements that would change the file's journal mode are skipped. */
function readOnlyDriver(sqlite: NodeSqliteModule, path: string): SqliteDriver {
  const db = new sqlite.DatabaseSync(path, { readOnly: true });
  return {
    exec: (sql: string) => /^\s*PRAGMA\s+journal_mode\s*=/i.test(sql) ? undefined : db.exec(sql),
    prepare: (sql: string) => db.prepare(sql),
    close: () => db.close(),
  };
}

const WRITES = STORAGE_WRITES;

/** The storage with every write function failing with `InvalidArgument`. */
export function readOnly(storage: Storage): Storage {
  const refuse = (name: string) => () => () =>
    Promise.resolve(left(invalidArgument({
      field: name,
      value: storage.url.replace(/\/\/[^@/]*@/, "//***@"),
      expected: "a write only when the dashboard was started with writes allowed",
    })));
  const out: Record<string, unknown> = { ...storage };
  for (const name of WRITES) out[name] = refuse(name);
  return out as unknown as Storage;
}

async function openSqlite(
  path: string,
  allowWrites: boolean,
): Promise<Either<HyperionError, Storage>> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error(`'${path}' is not a file`);
  } catch (e) {
    return left(storageError(
      `open the SQLite file '${path}' for the dashboard (it must exist; the dashboard never creates one)`,
      e,
    ));
  }
  if (allowWrites) return sqliteStorage(path)();
  // node:sqlite is imported on first use, as the storage entry point does
  const sqlite = await importNodeSqlite();
  if (sqlite._tag === "Left") {
    return left(storageError(`open the SQLite file '${path}'`, sqlite.left));
  }
  const driver = (file: string) => readOnlyDriver(sqlite.right, file);
  return sqliteStorage(path, { driver, writeThroughCache: false })();
}

/** Opens the storage the options name. */
export async function openForDashboard(
  storage: Storage | string,
  allowWrites: boolean,
): Promise<Either<HyperionError, Opened>> {
  if (typeof storage !== "string") {
    if (
      typeof storage !== "object" || storage === null || typeof storage.getAllTrials !== "function"
    ) {
      return left(
        invalidArgument({
          field: "storage",
          value: storage,
          expected: "a Storage or a storage URL",
        }),
      );
    }
    return right({ storage: allowWrites ? storage : readOnly(storage), owned: false });
  }
  const where = parseStorageUrl(storage);
  if (where._tag === "Left") return where;
  const opened = where.right.kind === "sqlite" && where.right.path !== ":memory:"
    ? await openSqlite(where.right.path, allowWrites)
    : await openStorage(storage)();
  if (opened._tag === "Left") return opened;
  return right({ storage: allowWrites ? opened.right : readOnly(opened.right), owned: true });
}
