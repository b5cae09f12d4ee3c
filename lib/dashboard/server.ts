/**
 * `serveDashboard`: the local web app — studies list, study page with the trial table, plots,
 * importances, notes and live updates — served on 127.0.0.1 by `node:http` (so it runs on
 * Deno, Node.js and Bun), read-only unless `allowWrites`.
 *
 * @example Serve a memory storage on a free port, read the studies list, stop
 * ```ts
 * import { serveDashboard } from "@hyperion/tune/dashboard";
 * import { createStudy, memoryStorage, runOrThrow } from "@hyperion/tune";
 * import assert from "node:assert/strict";
 *
 * const storage = memoryStorage();
 * await runOrThrow(createStudy({ storage, studyName: "demo" }));
 * const server = await runOrThrow(serveDashboard({ storage, port: 0 }));
 * const studies = await (await fetch(`${server.url}/api/studies`)).json();
 * assert.equal(studies[0].studyName, "demo");
 * await runOrThrow(server.close());
 * ```
 *
 * @module
 */
import { type Either, left, right, type TaskEither } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { Storage } from "../storage/storage.ts";
import type { ServeFailed } from "./errors.ts";
import { type ApiContext, route } from "./_api.ts";
import { loadPlotly } from "./_assets.ts";
import { clientScript } from "./_client.ts";
import { listen, stop } from "./_http.ts";
import { openForDashboard } from "./_open.ts";
import { dashboardHtml } from "./_page.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Every error the dashboard and the report return: Hyperion's errors (an unknown study, a
 * storage that cannot be read, a malformed URL) and {@link ServeFailed}.
 *
 * @category model
 */
export type DashboardError = HyperionError | ServeFailed;

/**
 * Options of {@link serveDashboard}.
 *
 * @category model
 */
export interface DashboardOptions {
  /**
   * The storage: a URL (`sqlite:///study.db`, `postgresql://…`, `memory:`) or a `Storage`
   * value, such as the memory storage of a study running in this process.
   */
  readonly storage: Storage | string;
  /**
   * The port; 0 picks a free one (see {@link DashboardServer.port}).
   *
   * @default {8080}
   */
  readonly port?: number;
  /**
   * The address to listen on. Anything but a loopback address exposes the dashboard (and,
   * with `allowWrites`, its write endpoints) to the network: only on purpose.
   *
   * @default {"127.0.0.1"}
   */
  readonly host?: string;
  /**
   * Allow `tell` of RUNNING trials and saving notes (in optuna-dashboard's format). Without
   * it the write endpoints do not exist and the storage is never written (an SQLite file is
   * opened read-only).
   *
   * @default {false}
   */
  readonly allowWrites?: boolean;
}

/**
 * A running dashboard.
 *
 * @category model
 */
export interface DashboardServer {
  /** `http://host:port`. */
  readonly url: string;
  /** The address it listens on. */
  readonly host: string;
  /** The port it listens on. */
  readonly port: number;
  /** Whether the write endpoints exist. */
  readonly allowWrites: boolean;
  /** Stops the server and closes the storage when the dashboard opened it from a URL. */
  readonly close: () => TaskEither<HyperionError, void>;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

function checkOptions(
  options: DashboardOptions,
): Either<HyperionError, { port: number; host: string; allowWrites: boolean }> {
  if (typeof options !== "object" || options === null) {
    return left(
      invalidArgument({ field: "options", value: options, expected: "an options object" }),
    );
  }
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return left(
      invalidArgument({ field: "port", value: port, expected: "an integer from 0 to 65535" }),
    );
  }
  const host = options.host ?? "127.0.0.1";
  if (typeof host !== "string" || host.trim() === "" || /[\s/]/.test(host)) {
    return left(
      invalidArgument({ field: "host", value: host, expected: "a host name or IP address" }),
    );
  }
  return right({ port, host, allowWrites: options.allowWrites === true });
}

/**
 * Serves the dashboard until `close()`: `InvalidArgument` for a bad port, host or storage
 * URL, `StorageError` for a storage that cannot be opened (a missing SQLite file included),
 * `ServeFailed` when the port is in use.
 *
 * @category constructors
 */
export function serveDashboard(
  options: DashboardOptions,
): TaskEither<DashboardError, DashboardServer> {
  return async () => {
    const checked = checkOptions(options);
    if (checked._tag === "Left") return checked;
    const { port, host, allowWrites } = checked.right;
    const plotly = await loadPlotly();
    if (plotly._tag === "Left") return plotly;
    const opened = await openForDashboard(options.storage, allowWrites);
    if (opened._tag === "Left") return opened;
    const { storage, owned } = opened.right;
    const ctx: ApiContext = {
      storage,
      allowWrites,
      figureCache: new Map(),
      assets: {
        "/": { type: "text/html; charset=utf-8", body: dashboardHtml() },
        "/assets/app.js": { type: "text/javascript; charset=utf-8", body: clientScript() },
        "/assets/plotly.min.js": { type: "text/javascript; charset=utf-8", body: plotly.right },
      },
    };
    const listening = await listen(host, port, (req) => route(ctx, req));
    if (listening._tag === "Left") {
      if (owned) await storage.close()();
      return listening;
    }
    const l = listening.right;
    const shown = host.includes(":") ? `[${host}]` : host;
    return right({
      url: `http://${shown}:${l.port}`,
      host,
      port: l.port,
      allowWrites,
      close: () => async () => {
        await stop(l.server);
        return owned ? storage.close()() : right(undefined);
      },
    });
  };
}
