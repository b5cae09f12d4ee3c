/**
 * The PostgreSQL adapter's connection record: the pool, the caches the operations share, and
 * the transaction mechanics (a statement on the pool or a `pool.begin` transaction, a `Left`
 * rolling it back, a bounded retry on deadlocks, serialization failures and lost
 * connections, cache updates queued until the commit). Private to the library.
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../../../effect/mod.ts";
import { type HyperionError, storageError } from "../../../errors.ts";
import type { Distribution } from "../../../core/distributions.ts";
import type { FrozenTrial } from "../../../core/trial.ts";
import type { HeartbeatOptions } from "../../storage.ts";
import type { TrialCache } from "../../trial_cache.ts";
import { distributionParser } from "../codec.ts";
import { backoffMs, sleep } from "../retry.ts";
import {
  describeTarget,
  errorText,
  isRetryable,
  type PgPool,
  type PgQuery,
  type PgTarget,
  queryOn,
} from "../postgres_connection.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The checked options of a PostgreSQL storage. */
export interface Settings {
  readonly max: number;
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxLifetimeMs: number | null;
  readonly retries: number;
  readonly applicationName: string;
  readonly now: (() => number) | undefined;
  readonly heartbeat: HeartbeatOptions | undefined;
}

/** A study's cache: finished trials never change, and neither does a first distribution. */
export interface StudyCache {
  /** The study's trials (ids grow in commit order within a study: the study lock). */
  trials: TrialCache;
  /** The first distribution stored for each parameter name. */
  readonly firstDistributions: Map<string, Distribution>;
}

/** Queues a cache update to run after a successful commit. */
export type Later = (f: () => void) => void;

/** The body of a statement or transaction. */
export type Body<A> = (q: PgQuery, later: Later) => Promise<Either<HyperionError, A>>;

/** One pool with its caches and transaction mechanics. */
export interface PgConnection {
  readonly pool: PgPool;
  readonly target: PgTarget;
  readonly settings: Settings;
  /** ` in the <database>`, appended to failing operations. */
  readonly where: string;
  /** The clock for trial datetimes. */
  readonly now: () => number;
  readonly distribution: (json: string) => Distribution;
  readonly caches: Map<number, StudyCache>;
  readonly finishedById: Map<number, FrozenTrial>;
  readonly studyOfTrial: Map<number, number>;
  readonly state: { closed: boolean };
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The connection record of an open, prepared pool. */
export function pgConnection(pool: PgPool, target: PgTarget, settings: Settings): PgConnection {
  return {
    pool,
    target,
    settings,
    where: ` in the ${describeTarget(target)}`,
    now: settings.now ?? Date.now,
    distribution: distributionParser(),
    caches: new Map(),
    finishedById: new Map(),
    studyOfTrial: new Map(),
    state: { closed: false },
  };
}

// -------------------------------------------------------------------------------------
// transactions
// -------------------------------------------------------------------------------------

/** The pause before retry `attempt` of a statement or transaction. */
export const retryPauseMs = (attempt: number): number => backoffMs(attempt, 20);

/** Thrown inside a transaction to roll it back when the body returned a `Left`. */
const ROLLBACK: unique symbol = Symbol("rollback");

/** Runs `body` on the pool, or in one transaction, retrying what may succeed again. */
async function attempt<A>(
  c: PgConnection,
  operation: string,
  transaction: boolean,
  body: Body<A>,
): Promise<Either<HyperionError, A>> {
  for (let n = 0;; n++) {
    if (c.state.closed) return left(storageError(operation, "the storage is closed"));
    const pending: Array<() => void> = [];
    const later: Later = (f) => void pending.push(f);
    let result: Either<HyperionError, A> | undefined;
    try {
      if (transaction) {
        await c.pool.begin(async (tx) => {
          result = await body(queryOn(tx), later);
          if (result._tag === "Left") throw ROLLBACK;
        });
      } else {
        result = await body(queryOn(c.pool), later);
      }
      if (result === undefined) throw new Error("the transaction returned nothing");
      if (result._tag === "Right") { for (const f of pending) f(); }
      return result;
    } catch (e) {
      if (e === ROLLBACK && result !== undefined) return result;
      if (c.state.closed) return left(storageError(operation, "the storage is closed"));
      if (isRetryable(e) && n < c.settings.retries) {
        await sleep(retryPauseMs(n));
        continue;
      }
      return left(storageError(operation + c.where, errorText(e, c.target)));
    }
  }
}

/** `body` as one statement (or a few) on the pool, retried. */
export function run<A>(
  c: PgConnection,
  operation: string,
  body: Body<A>,
): TaskEither<HyperionError, A> {
  return () => attempt(c, operation, false, body);
}

/** `body` in one transaction, retried. */
export function runTx<A>(
  c: PgConnection,
  operation: string,
  body: Body<A>,
): TaskEither<HyperionError, A> {
  return () => attempt(c, operation, true, body);
}

/** Ends the pool once and drops every cache. */
export async function closeConnection(c: PgConnection): Promise<Either<HyperionError, void>> {
  if (c.state.closed) return right(undefined);
  c.state.closed = true;
  c.caches.clear();
  c.finishedById.clear();
  c.studyOfTrial.clear();
  try {
    await c.pool.end({ timeout: 5 });
    return right(undefined);
  } catch (e) {
    return left(
      storageError(
        `close the connections to the ${describeTarget(c.target)}`,
        errorText(e, c.target),
      ),
    );
  }
}
