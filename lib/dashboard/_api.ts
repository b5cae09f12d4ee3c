/**
 * The dashboard's HTTP API as a pure router over a small request record: the server adapter
 * (`_http.ts`) turns `node:http` requests into {@link ApiRequest}s and writes the
 * {@link ApiResponse}. Read routes only call the storage's read functions; the write routes
 * (notes, `tell`) exist only when writes were enabled at start-up.
 *
 * @module
 */
import type { Either } from "../effect/mod.ts";
import { type HyperionError, invalidArgument } from "../errors.ts";
import type { StudyRecord } from "../core/study.ts";
import type { FrozenTrial } from "../core/trial.ts";
import type { Storage } from "../storage/storage.ts";
import { loadStudy } from "../study/study.ts";
import { tell, type TellOutcome } from "../study/tell.ts";
import { checkNoteSave, noteWrites } from "./notes.ts";
import { parseTrialQuery, queryTrials } from "./_query.ts";
import { studySummaryView, studyVersion, studyView, trialDetailView, trialRow } from "./_views.ts";
import { type StudyFigure, studyFigures, studyImportance } from "./_figures.ts";

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A request, as the router sees it. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly search: URLSearchParams;
  readonly header: (name: string) => string | undefined;
  readonly body: () => Promise<string>;
}

/** A response: status, content type and body. */
export interface ApiResponse {
  readonly status: number;
  readonly type: string;
  readonly body: string | Uint8Array;
}

/** The figures of a study at one version (computed once per change, asked once per plot). */
export interface FigureCache {
  readonly version: string;
  readonly figures: ReadonlyArray<StudyFigure>;
}

/** What the router serves from. */
export interface ApiContext {
  readonly storage: Storage;
  readonly allowWrites: boolean;
  /** The figures last computed, by study id. */
  readonly figureCache: Map<number, FigureCache>;
  /** The page, the client script and Plotly. */
  readonly assets: Readonly<Record<string, { readonly type: string; readonly body: string }>>;
}

// -------------------------------------------------------------------------------------
// responses
// -------------------------------------------------------------------------------------

const JSON_TYPE = "application/json; charset=utf-8";

/** A JSON response. */
export function json(status: number, value: unknown): ApiResponse {
  return { status, type: JSON_TYPE, body: JSON.stringify(value) };
}

const STATUS_OF: Readonly<Record<string, number>> = {
  StudyNotFound: 404,
  TrialNotFound: 404,
  InvalidArgument: 400,
  TrialNotUpdatable: 409,
  InvalidStudyArgs: 400,
};

/** The JSON error response of a Hyperion error. */
function errorResponse(e: HyperionError): ApiResponse {
  return json(STATUS_OF[e._tag] ?? 500, { error: e._tag, message: e.message });
}

function answer<A>(ea: Either<HyperionError, A>, f: (a: A) => unknown): ApiResponse {
  return ea._tag === "Left" ? errorResponse(ea.left) : json(200, f(ea.right));
}

// -------------------------------------------------------------------------------------
// read routes
// -------------------------------------------------------------------------------------

interface Loaded {
  readonly study: StudyRecord;
  readonly trials: ReadonlyArray<FrozenTrial>;
}

async function loadById(storage: Storage, id: number): Promise<Either<HyperionError, Loaded>> {
  const study = await storage.getStudyById(id)();
  if (study._tag === "Left") return study;
  const trials = await storage.getAllTrials(id)();
  if (trials._tag === "Left") return trials;
  return { _tag: "Right", right: { study: study.right, trials: trials.right } };
}

function cachedFigures(
  ctx: ApiContext,
  study: StudyRecord,
  trials: ReadonlyArray<FrozenTrial>,
): ReadonlyArray<StudyFigure> {
  const version = studyVersion(study, trials);
  const hit = ctx.figureCache.get(study.studyId);
  if (hit && hit.version === version) return hit.figures;
  const figures = studyFigures(study, trials);
  ctx.figureCache.set(study.studyId, { version, figures });
  return figures;
}

async function listStudies(ctx: ApiContext): Promise<ApiResponse> {
  const studies = await ctx.storage.listStudies()();
  if (studies._tag === "Left") return errorResponse(studies.left);
  const out = [];
  for (const s of studies.right) {
    const trials = await ctx.storage.getAllTrials(s.studyId)();
    if (trials._tag === "Left") return errorResponse(trials.left);
    out.push(studySummaryView(s, trials.right));
  }
  return json(200, out);
}

async function studyRoute(
  ctx: ApiContext,
  req: ApiRequest,
  id: number,
  rest: ReadonlyArray<string>,
): Promise<ApiResponse | undefined> {
  const loaded = await loadById(ctx.storage, id);
  if (loaded._tag === "Left") return errorResponse(loaded.left);
  const { study, trials } = loaded.right;
  const [what, arg] = rest;
  if (what === undefined) return json(200, studyView(study, trials));
  if (what === "poll") {
    const view = studyView(study, trials);
    return json(200, { version: view.version, changed: view.version !== req.search.get("since") });
  }
  if (what === "figures") {
    const figures = cachedFigures(ctx, study, trials);
    if (arg === undefined) return json(200, figures.map((f) => ({ id: f.id, title: f.title })));
    const figure = figures.find((f) => f.id === arg);
    return figure ? json(200, figure) : json(404, { error: "NotFound", message: "No such figure" });
  }
  if (what === "importance") return answer(await studyImportance(study, trials), (x) => x);
  if (what === "trials" && arg === undefined) {
    return answer(parseTrialQuery(req.search), (q) => queryTrials(trials.map(trialRow), q));
  }
  if (what === "trials" && rest.length === 2) {
    const t = trials.find((x) => String(x.number) === arg);
    return t ? json(200, trialDetailView(study, t)) : json(404, {
      error: "TrialNotFound",
      message: `Trial ${JSON.stringify(arg)} not found in study ${JSON.stringify(study.studyName)}`,
    });
  }
  return undefined;
}

// -------------------------------------------------------------------------------------
// write routes
// -------------------------------------------------------------------------------------

async function readJson(req: ApiRequest): Promise<Either<HyperionError, Record<string, unknown>>> {
  const text = await req.body();
  try {
    const v = JSON.parse(text);
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      return { _tag: "Right", right: v };
    }
  } catch { /* reported below */ }
  return {
    _tag: "Left",
    left: invalidArgument({ field: "body", value: text.slice(0, 80), expected: "a JSON object" }),
  };
}

async function saveNote(
  ctx: ApiContext,
  req: ApiRequest,
  id: number,
  trialNumber: string | undefined,
): Promise<ApiResponse> {
  const loaded = await loadById(ctx.storage, id);
  if (loaded._tag === "Left") return errorResponse(loaded.left);
  const { study, trials } = loaded.right;
  const trial = trialNumber === undefined
    ? undefined
    : trials.find((t) => String(t.number) === trialNumber);
  if (trialNumber !== undefined && trial === undefined) {
    return json(404, { error: "TrialNotFound", message: `Trial ${trialNumber} not found` });
  }
  const body = await readJson(req);
  if (body._tag === "Left") return errorResponse(body.left);
  const checked = checkNoteSave(
    study.systemAttrs,
    trial?.trialId,
    body.right.version,
    body.right.body,
  );
  if (checked._tag === "Left") {
    return json(409, { error: "NoteConflict", message: checked.left.message });
  }
  const writes = noteWrites(
    study.systemAttrs,
    trial?.trialId,
    checked.right.version,
    checked.right.body,
  );
  for (const [key, value] of writes) {
    const done = await ctx.storage.setStudyAttr({ id, kind: "system", key, value })();
    if (done._tag === "Left") return errorResponse(done.left);
  }
  return json(200, { version: checked.right.version, body: checked.right.body });
}

function tellOutcome(body: Record<string, unknown>): TellOutcome {
  const state = body.state;
  const values = body.values;
  return {
    ...(typeof state === "string" ? { state: state as TellOutcome["state"] & string } : {}),
    ...(values === undefined || values === null ? {} : { values: values as number[] }),
  };
}

async function tellRoute(
  ctx: ApiContext,
  req: ApiRequest,
  id: number,
  trialNumber: string,
): Promise<ApiResponse> {
  const record = await ctx.storage.getStudyById(id)();
  if (record._tag === "Left") return errorResponse(record.left);
  const number = Number(trialNumber);
  if (!Number.isInteger(number)) {
    return errorResponse(
      invalidArgument({ field: "trial", value: trialNumber, expected: "a trial number" }),
    );
  }
  const body = await readJson(req);
  if (body._tag === "Left") return errorResponse(body.left);
  const study = await loadStudy({ storage: ctx.storage, studyName: record.right.studyName })();
  if (study._tag === "Left") return errorResponse(study.left);
  const told = await tell(study.right, number, tellOutcome(body.right))();
  return answer(told, (t) => trialRow(t));
}

/**
 * Write requests must be same-origin JSON: a JSON content type (a cross-site form cannot send
 * one without a CORS preflight, which this server never grants) and, when the browser sends an
 * `Origin`, the server's own.
 */
function sameOriginJson(req: ApiRequest): boolean {
  const type = req.header("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/json")) return false;
  const origin = req.header("origin");
  return origin === undefined || origin === `http://${req.header("host")}`;
}

function writeRoute(
  ctx: ApiContext,
  req: ApiRequest,
  id: number,
  rest: ReadonlyArray<string>,
): Promise<ApiResponse | undefined> {
  const isNote = rest.length === 1 && rest[0] === "note";
  const isTrialNote = rest.length === 3 && rest[0] === "trials" && rest[2] === "note";
  const isTell = rest.length === 3 && rest[0] === "trials" && rest[2] === "tell";
  if (!isNote && !isTrialNote && !isTell) return Promise.resolve(undefined);
  const method = isTell ? "POST" : "PUT";
  if (req.method !== method) {
    return Promise.resolve(json(405, { error: "MethodNotAllowed", message: `Use ${method}` }));
  }
  if (!sameOriginJson(req)) {
    const message = "Writes need a same-origin JSON request";
    return Promise.resolve(json(403, { error: "Forbidden", message }));
  }
  if (isNote) return saveNote(ctx, req, id, undefined);
  if (isTrialNote) return saveNote(ctx, req, id, rest[1]);
  return tellRoute(ctx, req, id, rest[1] as string);
}

// -------------------------------------------------------------------------------------
// router
// -------------------------------------------------------------------------------------

const NOT_FOUND: ApiResponse = json(404, { error: "NotFound", message: "No such page" });

/** Answers one request. */
export async function route(ctx: ApiContext, req: ApiRequest): Promise<ApiResponse> {
  const parts = req.path.split("/").filter((p) => p !== "").map(decodeURIComponent);
  const asset = ctx.assets[req.path];
  const isRead = req.method === "GET" || req.method === "HEAD";
  if (asset) return isRead ? { status: 200, ...asset } : json(405, { error: "MethodNotAllowed" });
  if (parts[0] !== "api") return NOT_FOUND;
  if (parts[1] === "meta" && parts.length === 2) {
    return json(200, { allowWrites: ctx.allowWrites, persistent: ctx.storage.persistent });
  }
  if (parts[1] === "studies" && parts.length === 2) {
    return isRead ? listStudies(ctx) : json(405, { error: "MethodNotAllowed" });
  }
  if (parts[1] !== "studies" || !/^\d+$/.test(parts[2] ?? "")) return NOT_FOUND;
  const id = Number(parts[2]);
  const rest = parts.slice(3);
  if (ctx.allowWrites) {
    const written = await writeRoute(ctx, req, id, rest);
    if (written) return written;
  }
  if (!isRead) {
    return json(405, { error: "MethodNotAllowed", message: "The dashboard is read-only" });
  }
  return (await studyRoute(ctx, req, id, rest)) ?? NOT_FOUND;
}
