/**
 * The dashboard's HTTP server on `node:http`, so that it runs on Deno, Node.js and Bun alike:
 * it turns requests into the router's {@link ApiRequest}, adds the security headers to every
 * answer, and refuses `Host` headers of other names when it listens on a loopback address
 * (DNS-rebinding protection).
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Either, left, right } from "../effect/mod.ts";
import { type ServeFailed, serveFailed } from "./errors.ts";
import { type ApiRequest, type ApiResponse, json } from "./_api.ts";

/** A listening server. */
export interface Listening {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
}

/**
 * The Content-Security-Policy of the dashboard's pages: scripts only from the server itself
 * (no inline script runs, so injected markup cannot run code), inline styles for Plotly.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

const MAX_BODY = 1 << 20;

function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host.startsWith("127.");
}

/** True when the request's Host header names this server as a browser on this machine would. */
function hostAllowed(listening: Listening, header: string | undefined): boolean {
  if (!isLoopback(listening.host)) return true;
  if (header === undefined) return false;
  const name = header.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return isLoopback(name);
}

function readBody(req: IncomingMessage): () => Promise<string> {
  return () =>
    new Promise((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      req.on("data", (c: Uint8Array) => {
        size += c.length;
        if (size > MAX_BODY) reject(new Error("body too large"));
        else chunks.push(c);
      });
      req.on("end", () => resolve(new TextDecoder().decode(concat(chunks))));
      req.on("error", reject);
    });
}

function concat(chunks: ReadonlyArray<Uint8Array>): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function toApiRequest(req: IncomingMessage): ApiRequest {
  const url = new URL(req.url ?? "/", "http://localhost");
  return {
    method: req.method ?? "GET",
    path: url.pathname,
    search: url.searchParams,
    header: (name) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    },
    body: readBody(req),
  };
}

function send(res: ServerResponse, method: string, answer: ApiResponse): void {
  res.statusCode = answer.status;
  res.setHeader("Content-Type", answer.type);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Cache-Control", "no-store");
  if (answer.type.startsWith("text/html")) res.setHeader("Content-Security-Policy", PAGE_CSP);
  res.end(method === "HEAD" ? undefined : answer.body);
}

/**
 * Listens on `host:port` (port 0: any free port) and answers every request with `handle`;
 * `ServeFailed` when the port is in use or the host cannot be bound.
 */
export function listen(
  host: string,
  port: number,
  handle: (req: ApiRequest) => Promise<ApiResponse>,
): Promise<Either<ServeFailed, Listening>> {
  return new Promise((resolve) => {
    let listening: Listening | undefined;
    const server = createServer((req, res) => {
      const method = req.method ?? "GET";
      if (!listening || !hostAllowed(listening, req.headers.host)) {
        send(res, method, json(421, { error: "MisdirectedRequest", message: "Unknown host" }));
        return;
      }
      handle(toApiRequest(req)).then(
        (answer) => send(res, method, answer),
        (e) => send(res, method, json(500, { error: "Internal", message: String(e) })),
      );
    });
    server.once("error", (e: Error & { code?: string }) => {
      resolve(left(serveFailed({ host, port, code: e.code, cause: e })));
    });
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      listening = { server, host, port: address.port };
      resolve(right(listening));
    });
  });
}

/** Stops listening and closes open connections. */
export function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}
