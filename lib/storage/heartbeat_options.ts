/**
 * Checks of heartbeat settings, shared by `optimize`'s `heartbeat` option and the SQLite and
 * PostgreSQL storages' `heartbeatIntervalMs` / `gracePeriodMs` / `failedTrialCallback`
 * options. Private to the library.
 *
 * @module
 */
import { type Either, left, right } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { HeartbeatOptions, StorageHeartbeatOptions } from "./storage.ts";

/** The field names to put in error messages, one per setting. */
export interface HeartbeatFieldNames {
  readonly intervalMs: string;
  readonly gracePeriodMs: string;
  readonly failedTrialCallback: string;
}

const positiveMs = (value: unknown): boolean =>
  typeof value === "number" && Number.isFinite(value) && value > 0;

/** Checks heartbeat settings (interval required), naming fields as `names` says. */
export function checkHeartbeatFields(
  values: {
    readonly intervalMs?: unknown;
    readonly gracePeriodMs?: unknown;
    readonly failedTrialCallback?: unknown;
  },
  names: HeartbeatFieldNames,
): Either<HyperionError, void> {
  const expectedMs = "a positive number of milliseconds";
  if (!positiveMs(values.intervalMs)) {
    return left(
      invalidArgument({ field: names.intervalMs, value: values.intervalMs, expected: expectedMs }),
    );
  }
  if (values.gracePeriodMs !== undefined && !positiveMs(values.gracePeriodMs)) {
    return left(invalidArgument({
      field: names.gracePeriodMs,
      value: values.gracePeriodMs,
      expected: expectedMs,
    }));
  }
  const callback = values.failedTrialCallback;
  if (callback !== undefined && typeof callback !== "function") {
    return left(
      invalidArgument({
        field: names.failedTrialCallback,
        value: callback,
        expected: "a function",
      }),
    );
  }
  return right(undefined);
}

/**
 * The heartbeat settings a storage's options ask for: `undefined` when `heartbeatIntervalMs`
 * is not given (then `gracePeriodMs` and `failedTrialCallback` must not be given either).
 */
export function storageHeartbeat(
  options: StorageHeartbeatOptions,
): Either<HyperionError, HeartbeatOptions | undefined> {
  const { heartbeatIntervalMs, gracePeriodMs, failedTrialCallback } = options;
  if (heartbeatIntervalMs === undefined) {
    if (gracePeriodMs !== undefined || failedTrialCallback !== undefined) {
      const field = gracePeriodMs !== undefined ? "gracePeriodMs" : "failedTrialCallback";
      return left(invalidArgument({
        field,
        value: gracePeriodMs ?? failedTrialCallback,
        expected: "nothing unless 'heartbeatIntervalMs' is given (heartbeats are off without it)",
      }));
    }
    return right(undefined);
  }
  const checked = checkHeartbeatFields(
    { intervalMs: heartbeatIntervalMs, gracePeriodMs, failedTrialCallback },
    {
      intervalMs: "heartbeatIntervalMs",
      gracePeriodMs: "gracePeriodMs",
      failedTrialCallback: "failedTrialCallback",
    },
  );
  if (checked._tag === "Left") return checked;
  return right({
    intervalMs: heartbeatIntervalMs,
    ...(gracePeriodMs === undefined ? {} : { gracePeriodMs }),
    ...(failedTrialCallback === undefined ? {} : { failedTrialCallback }),
  });
}
