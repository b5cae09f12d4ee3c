/**
 * The dashboard's errors: {@link ServeFailed} (the server could not listen: the port is in
 * use, the host cannot be bound) and {@link DashboardError}, every error the dashboard and the
 * report return (Hyperion's errors plus this one).
 *
 * @module
 */
import { type ErrorBase, show } from "../error_base.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * The dashboard's server could not listen on the host and port it was given.
 *
 * @category model
 */
export interface ServeFailed extends ErrorBase {
  /** Discriminant. */
  readonly _tag: "ServeFailed";
  /** The host asked for. */
  readonly host: string;
  /** The port asked for. */
  readonly port: number;
  /** The system's error code (`EADDRINUSE`, `EACCES`, …) when it gave one. */
  readonly code: string | undefined;
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Builds a {@link ServeFailed}; the message names the host, the port and the reason.
 *
 * @example A port in use
 * ```ts
 * import { serveFailed } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const e = serveFailed({ host: "127.0.0.1", port: 8080, code: "EADDRINUSE", cause: "busy" });
 * assert.equal(
 *   e.message,
 *   "Cannot serve the dashboard on '127.0.0.1' port 8080: the port is already in use (EADDRINUSE)",
 * );
 * ```
 *
 * @category constructors
 */
export function serveFailed(
  args: { host: string; port: number; code: string | undefined; cause: unknown },
): ServeFailed {
  const reason = args.code === "EADDRINUSE"
    ? "the port is already in use"
    : args.code === "EACCES"
    ? "permission denied"
    : args.code === "EADDRNOTAVAIL"
    ? "the address is not available on this machine"
    : args.cause instanceof Error
    ? args.cause.message
    : show(args.cause);
  return {
    _tag: "ServeFailed",
    host: args.host,
    port: args.port,
    code: args.code,
    message: `Cannot serve the dashboard on ${show(args.host)} port ${args.port}: ${reason}${
      args.code ? ` (${args.code})` : ""
    }`,
  };
}
