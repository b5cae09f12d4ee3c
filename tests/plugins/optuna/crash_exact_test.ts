/**
 * Kill it anywhere, lose nothing: the README's crash-recovery program (restoreSampler +
 * resumeStudy + checkpointSampler + optunaPlugin + trainer checkpoints, SQLite, seeded TPE, a
 * median pruner that prunes) is run in a real worker process that SIGKILLs itself at one exact
 * point (tests/fixtures/crash/worker.ts), then restarted without the kill until its study is
 * finished. After every kill the SQLite file must pass `PRAGMA integrity_check` and no file
 * under a checkpoint's name may hold a half-written checkpoint; at the end the file must hold
 * the one study (no temporaries of an interrupted `resumeStudy` left) and every trial (number,
 * state, params, values, intermediate values, user attributes other than
 * `hyperion:original_number`) must equal the uninterrupted run's. The worker also audits how
 * checkpoints are written (a temporary file, flushed, renamed into place).
 *
 * The kill positions are deterministic (the worker kills itself, and writes where before dying);
 * the trials they land in are chosen from the uninterrupted run: a COMPLETE and a PRUNED trial
 * after TPE's 4 startup trials. Each scenario runs once, in its own folder.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ORIGINAL_NUMBER_KEY, PRUNED_CYCLE_KEY } from "../../../lib/plugins/optuna/mod.ts";
import { parseCheckpointFileName } from "../../../lib/trainer/checkpoint.ts";
import type { KillPoint, TrialDump, WorkerConfig, WorkerOut } from "../../fixtures/crash/worker.ts";

const N_TRIALS = 14;
const EPOCHS = 6;
const N_STARTUP_TRIALS = 4;
const MAX_CLEAN_RESTARTS = 3;
const WORKER = new URL("../../fixtures/crash/worker.ts", import.meta.url).pathname;

// -------------------------------------------------------------------------------------
// running the worker
// -------------------------------------------------------------------------------------

interface Run {
  readonly code: number;
  readonly stderr: string;
  /** What the worker wrote just before killing itself. */
  readonly killed?: { readonly kill: KillPoint; readonly where: string };
  /** The study's trials, when the run finished. */
  readonly trials?: ReadonlyArray<TrialDump>;
  /** How the run wrote its checkpoints, when it finished. */
  readonly audit?: WorkerOut["audit"];
}

async function runWorker(root: string, multivariate: boolean, kill?: KillPoint): Promise<Run> {
  const out = join(root, `out-${crypto.randomUUID()}.json`);
  const config: WorkerConfig = {
    root,
    out,
    nTrials: N_TRIALS,
    epochs: EPOCHS,
    multivariate,
    ...(kill === undefined ? {} : { kill }),
  };
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", WORKER, JSON.stringify(config)],
    stdout: "null",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(run.stderr);
  const marker = join(root, "killed.json");
  let killed: Run["killed"];
  try {
    killed = JSON.parse(await Deno.readTextFile(marker));
    await Deno.remove(marker);
  } catch {
    killed = undefined;
  }
  const done = run.code === 0 ? JSON.parse(await Deno.readTextFile(out)) as WorkerOut : undefined;
  return {
    code: run.code,
    stderr,
    ...(killed === undefined ? {} : { killed }),
    ...(done === undefined ? {} : { trials: done.trials, audit: done.audit }),
  };
}

/** The worker's error, from its first line that mentions one, without colours. */
function errorOf(stderr: string): string {
  // deno-lint-ignore no-control-regex
  const plain = stderr.replace(/\x1b\[[0-9;]*m/g, "");
  const start = plain.search(/error/i);
  return plain.slice(Math.max(0, start), Math.max(0, start) + 1500).trim();
}

// -------------------------------------------------------------------------------------
// checks after a kill
// -------------------------------------------------------------------------------------

/** `PRAGMA integrity_check` of the study file: `[]` when it says ok. */
function integrityProblems(root: string): string[] {
  const db = new DatabaseSync(join(root, "study.db"), { timeout: 5000 });
  try {
    const rows = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
    const lines = rows.map((r) => r.integrity_check);
    return lines.length === 1 && lines[0] === "ok" ? [] : lines;
  } finally {
    db.close();
  }
}

/** The names of the studies in the study file (Optuna's schema). */
function studyNames(root: string): string[] {
  const db = new DatabaseSync(join(root, "study.db"), { timeout: 5000 });
  try {
    const rows = db.prepare("SELECT study_name FROM studies ORDER BY study_id").all();
    return rows.map((r) => String((r as { study_name: unknown }).study_name));
  } finally {
    db.close();
  }
}

async function listFiles(dir: string): Promise<string[]> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const out: string[] = [];
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await listFiles(path));
    else out.push(path);
  }
  return out;
}

/**
 * Every file under a checkpoint's name (`<save>_epoch_<E>_iter_<I>.json` of the trainer, any
 * `.json` file in the sampler checkpoints' folder) must be a whole JSON object: the ones that
 * are not, with why.
 */
async function halfWrittenCheckpoints(root: string): Promise<string[]> {
  const bad: string[] = [];
  const check = async (path: string) => {
    const text = await readFile(path, "utf8");
    try {
      const doc: unknown = JSON.parse(text);
      if (typeof doc !== "object" || doc === null) bad.push(`${path}: not a JSON object`);
    } catch {
      bad.push(`${path}: not whole JSON (${text.length} characters)`);
    }
  };
  for (const path of await listFiles(join(root, "chkpt"))) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (parseCheckpointFileName(name) !== undefined) await check(path);
  }
  for (const path of await listFiles(join(root, "samplers"))) {
    if (path.endsWith(".json")) await check(path);
  }
  return bad;
}

// -------------------------------------------------------------------------------------
// comparing studies
// -------------------------------------------------------------------------------------

function comparable(t: TrialDump): Record<string, unknown> {
  const { [ORIGINAL_NUMBER_KEY]: _original, ...userAttrs } = t.userAttrs;
  return {
    state: t.state,
    params: t.params,
    values: t.values ?? null,
    intermediateValues: t.intermediateValues,
    userAttrs,
  };
}

function flatten(value: unknown, path: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    for (const [k, v] of entries) flatten(v, `${path}.${k}`, out);
  } else {
    out.set(path, value);
  }
}

/** Readable differences between two studies' trials: `[]` when equal. */
function diffTrials(
  expected: ReadonlyArray<TrialDump>,
  actual: ReadonlyArray<TrialDump>,
): string[] {
  const lines: string[] = [];
  if (expected.length !== actual.length) {
    lines.push(`${actual.length} trials instead of ${expected.length}`);
  }
  const numbers = [...new Set([...expected, ...actual].map((t) => t.number))].sort((a, b) => a - b);
  for (const n of numbers) {
    const e = expected.find((t) => t.number === n);
    const a = actual.find((t) => t.number === n);
    if (!e || !a) {
      lines.push(`trial ${n}: ${e ? "missing" : "not in the uninterrupted run"}`);
      continue;
    }
    const fe = new Map<string, unknown>();
    const fa = new Map<string, unknown>();
    flatten(comparable(e), "", fe);
    flatten(comparable(a), "", fa);
    for (const key of new Set([...fe.keys(), ...fa.keys()])) {
      if (!Object.is(fe.get(key), fa.get(key))) {
        lines.push(
          `trial ${n} ${key.slice(1)}: expected ${show(fe.get(key))}, got ${show(fa.get(key))}`,
        );
      }
    }
  }
  const differing = new Set(lines.map((l) => /^trial (\d+)/.exec(l)?.[1]).filter(Boolean));
  if (differing.size > 0) {
    lines.unshift(
      `${differing.size} of ${expected.length} trials differ from the uninterrupted run, from trial ${
        [...differing][0]
      } on:`,
    );
  }
  return lines;
}

function show(v: unknown): string {
  return v === undefined ? "(absent)" : JSON.stringify(v);
}

// -------------------------------------------------------------------------------------
// scenarios
// -------------------------------------------------------------------------------------

interface Scenario {
  readonly name: string;
  /** One kill per run, in order; then clean restarts until the study is finished. */
  readonly kills: ReadonlyArray<KillPoint>;
  /** TPE's `multivariate` option (the reference run uses the same). */
  readonly multivariate: boolean;
  /** What must hold right after the last kill (problems found). */
  readonly afterLastKill?: (root: string) => Promise<string[]>;
}

interface Outcome {
  /** Per kill: where it landed. */
  readonly landed: ReadonlyArray<string>;
  /** Problems found right after a kill (integrity, half-written checkpoints, missed kills). */
  readonly afterKill: ReadonlyArray<string>;
  /** Half-written checkpoints found after a kill (a subset of `afterKill`). */
  readonly halfWritten: ReadonlyArray<string>;
  /** Problems of the restarts and differences from the uninterrupted run. */
  readonly atEnd: ReadonlyArray<string>;
}

async function runScenario(
  scenario: Scenario,
  reference: ReadonlyArray<TrialDump>,
): Promise<Outcome> {
  const root = await Deno.makeTempDir({ prefix: "hyperion-crash-" });
  const landed: string[] = [];
  const afterKill: string[] = [];
  const halfWritten: string[] = [];
  const atEnd: string[] = [];
  try {
    for (const [i, kill] of scenario.kills.entries()) {
      const run = await runWorker(root, scenario.multivariate, kill);
      if (run.code !== 137 || run.killed === undefined) {
        afterKill.push(
          `run ${i + 1} was meant to die at ${JSON.stringify(kill)} but exited ${run.code}: ${
            errorOf(run.stderr)
          }`,
        );
        return { landed, afterKill, halfWritten, atEnd };
      }
      landed.push(run.killed.where);
      for (const line of integrityProblems(root)) {
        afterKill.push(`after kill ${i + 1}: integrity_check: ${line}`);
      }
      for (const line of await halfWrittenCheckpoints(root)) {
        halfWritten.push(`after kill ${i + 1}: half-written checkpoint ${line}`);
      }
    }
    afterKill.push(...halfWritten, ...await scenario.afterLastKill?.(root) ?? []);
    let trials: ReadonlyArray<TrialDump> | undefined;
    for (let restart = 1; restart <= MAX_CLEAN_RESTARTS; restart++) {
      const run = await runWorker(root, scenario.multivariate);
      if (run.code !== 0) {
        atEnd.push(`clean restart ${restart} exited ${run.code}: ${errorOf(run.stderr)}`);
        continue;
      }
      trials = run.trials;
      const finished = trials?.filter((t) => t.state === "COMPLETE" || t.state === "PRUNED");
      if (finished?.length === N_TRIALS && trials?.length === N_TRIALS) break;
      atEnd.push(
        `clean restart ${restart} left the study unfinished: ${
          trials?.map((t) => `${t.number}:${t.state}`).join(" ")
        }`,
      );
    }
    for (const line of integrityProblems(root)) atEnd.push(`at the end: integrity_check: ${line}`);
    const names = studyNames(root);
    if (names.join() !== "crash") {
      atEnd.push(
        `at the end the file holds the studies ${JSON.stringify(names)}, not just "crash"`,
      );
    }
    if (trials !== undefined) atEnd.push(...diffTrials(reference, trials));
    return { landed, afterKill, halfWritten, atEnd };
  } catch (e) {
    atEnd.push(`harness error: ${e instanceof Error ? e.stack : String(e)}`);
    return { landed, afterKill, halfWritten, atEnd };
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

/** The trials the kills land in, chosen from the uninterrupted run. */
interface Targets {
  /** A COMPLETE trial after TPE's startup trials. */
  readonly complete: number;
  /** A PRUNED trial after the startup trials, pruned before its last epoch. */
  readonly pruned: number;
  /** The validation cycle it was pruned at. */
  readonly prunedCycle: number;
}

function chooseTargets(reference: ReadonlyArray<TrialDump>): Targets {
  const afterStartup = reference.filter((t) => t.number > N_STARTUP_TRIALS);
  const complete = afterStartup.find((t) => t.state === "COMPLETE");
  const pruned = afterStartup.find((t) => {
    const cycle = t.userAttrs[PRUNED_CYCLE_KEY];
    return t.state === "PRUNED" && typeof cycle === "number" && cycle + 2 <= EPOCHS;
  });
  assert.ok(complete, "the uninterrupted run has a COMPLETE trial after TPE's startup trials");
  assert.ok(pruned, "the uninterrupted run prunes a trial after TPE's startup trials");
  return {
    complete: complete.number,
    pruned: pruned.number,
    prunedCycle: pruned.userAttrs[PRUNED_CYCLE_KEY] as number,
  };
}

/** Every kill scenario, by test name. Epochs are 1-based, batches and cycles 0-based. */
function scenarios({ complete: c, pruned: p, prunedCycle }: Targets): Record<string, Scenario> {
  const midEpoch: KillPoint = { at: "trainStep", trial: c, epoch: 3, batch: 1 };
  const joint = { multivariate: true } as const;
  const list: Scenario[] = [
    {
      name: "during resumeStudy's rebuild (3rd trial written into the temporary study)",
      kills: [midEpoch, { at: "rebuild", method: "createTrial", occurrence: 3 }],
      ...joint,
    },
    {
      name: "during resumeStudy's swap (between its two renames)",
      kills: [midEpoch, { at: "rebuild", method: "renameStudy", occurrence: 2 }],
      ...joint,
    },
    {
      name: "during ask/suggest (after the first of three parameters is stored)",
      kills: [{ at: "suggest", trial: c, param: 2 }],
      ...joint,
    },
    {
      name: "during ask/suggest with independent TPE (after the first of three parameters)",
      kills: [{ at: "suggest", trial: c, param: 2 }],
      multivariate: false,
    },
    {
      name: "just before the sampler checkpoint",
      kills: [{ at: "beforeSamplerCheckpoint", trial: c }],
      ...joint,
    },
    {
      name: "just after the sampler checkpoint",
      kills: [{ at: "afterSamplerCheckpoint", trial: c }],
      ...joint,
    },
    { name: "mid-epoch (in trainStep)", kills: [midEpoch], ...joint },
    {
      name: "during a trainer checkpoint write (half the bytes written)",
      kills: [{ at: "trainerCheckpointWrite", trial: c, epoch: 3 }],
      ...joint,
    },
    {
      name: "during a sampler checkpoint write (half the bytes written)",
      kills: [{ at: "samplerCheckpointWrite", trial: c }],
      ...joint,
    },
    {
      name: "after a trainer checkpoint and before the pruning decision",
      kills: [{ at: "beforePruningDecision", trial: p, cycle: prunedCycle }],
      ...joint,
      afterLastKill: async (root) => {
        const dir = join(root, "chkpt", `regression_crash_trial-${p}`);
        const names = await readdir(dir).catch(() => [] as string[]);
        const epoch = new RegExp(`_epoch_${prunedCycle + 1}_iter_\\d+\\.json$`);
        return names.some((n) => epoch.test(n))
          ? []
          : [`no checkpoint of epoch ${prunedCycle + 1} in ${dir}: ${names.join(", ")}`];
      },
    },
    {
      name: "between trials (after a trial is told)",
      kills: [{ at: "betweenTrials", trial: c }],
      ...joint,
    },
    {
      name: "twice in a row during restarts (resumeStudy's rebuild, then again)",
      kills: [
        midEpoch,
        { at: "rebuild", method: "createTrial", occurrence: 2 },
        { at: "rebuild", method: "createTrial", occurrence: c + 1 },
      ],
      ...joint,
    },
    {
      name: "mid-epoch in a trial that gets pruned",
      kills: [{ at: "trainStep", trial: p, epoch: prunedCycle + 1, batch: 1 }],
      ...joint,
    },
  ];
  return Object.fromEntries(list.map((s) => [s.name, s]));
}

interface Suite {
  /** The uninterrupted runs, by TPE's `multivariate`. */
  readonly references: Readonly<Record<"joint" | "independent", ReadonlyArray<TrialDump>>>;
  /** How the uninterrupted runs wrote their checkpoints. */
  readonly audits: ReadonlyArray<WorkerOut["audit"]>;
  readonly targets: Targets;
  readonly scenarios: Readonly<Record<string, Scenario>>;
}

async function uninterrupted(multivariate: boolean): Promise<Run> {
  const root = await Deno.makeTempDir({ prefix: "hyperion-crash-ref-" });
  try {
    const run = await runWorker(root, multivariate);
    assert.equal(run.code, 0, `the uninterrupted run failed: ${errorOf(run.stderr)}`);
    return run;
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

/** The memo of the uninterrupted runs and of the scenarios' outcomes: each runs once. */
const memo: { suite?: Promise<Suite>; outcomes: Record<string, Promise<Outcome>> } = {
  outcomes: {},
};

function getSuite(): Promise<Suite> {
  memo.suite ??= (async () => {
    const [joint, independent] = await Promise.all([uninterrupted(true), uninterrupted(false)]);
    return {
      references: { joint: joint.trials ?? [], independent: independent.trials ?? [] },
      audits: [joint.audit!, independent.audit!],
      targets: chooseTargets(joint.trials ?? []),
      scenarios: scenarios(chooseTargets(joint.trials ?? [])),
    };
  })();
  return memo.suite;
}

async function outcomeOf(name: string): Promise<Outcome> {
  const { references, scenarios } = await getSuite();
  const scenario = scenarios[name];
  assert.ok(scenario, `no scenario '${name}'`);
  return await (memo.outcomes[name] ??= runScenario(
    scenario,
    scenario.multivariate ? references.joint : references.independent,
  ));
}

function report(title: string, lines: ReadonlyArray<string>): string {
  const shown = lines.slice(0, 25);
  const more = lines.length > shown.length ? [`… and ${lines.length - shown.length} more`] : [];
  return [title, ...shown.map((l) => `  ${l}`), ...more].join("\n");
}

// -------------------------------------------------------------------------------------
// tests
// -------------------------------------------------------------------------------------

Deno.test({
  name: "the uninterrupted run prunes trials and its kill targets are past TPE's startup trials",
  fn: async () => {
    const { references, targets } = await getSuite();
    for (const reference of Object.values(references)) {
      assert.equal(reference.length, N_TRIALS);
      assert.ok(reference.every((t) => t.state === "COMPLETE" || t.state === "PRUNED"));
      assert.ok(reference.some((t) => t.number > N_STARTUP_TRIALS && t.state === "PRUNED"));
    }
    assert.ok(targets.complete >= N_STARTUP_TRIALS && targets.pruned >= N_STARTUP_TRIALS);
    assert.equal(typeof targets.prunedCycle, "number");
  },
});

for (
  const name of Object.keys(
    scenarios({ complete: N_STARTUP_TRIALS + 1, pruned: N_STARTUP_TRIALS + 2, prunedCycle: 1 }),
  )
) {
  Deno.test({
    name: `a worker SIGKILLed ${name} ends with the uninterrupted run's trials`,
    fn: async () => {
      const outcome = await outcomeOf(name);
      const problems = [...outcome.afterKill, ...outcome.atEnd];
      assert.ok(
        problems.length === 0,
        report(`killed at: ${outcome.landed.join("; ")}`, problems),
      );
    },
  });
}

for (
  const [name, what] of [
    ["during a trainer checkpoint write (half the bytes written)", "trainer"],
    ["during a sampler checkpoint write (half the bytes written)", "sampler"],
  ] as const
) {
  Deno.test({
    name:
      `a ${what} checkpoint write killed halfway leaves no half-written file under a checkpoint's name`,
    fn: async () => {
      const outcome = await outcomeOf(name);
      assert.equal(outcome.landed.length, 1, report("the kill did not land", outcome.afterKill));
      assert.match(outcome.landed[0]!, /^half of /);
      assert.deepEqual(outcome.halfWritten, [], report("half-written:", outcome.halfWritten));
    },
  });
}

Deno.test("both checkpoint writers write a temporary file, flush it and rename it into place", async () => {
  const { audits } = await getSuite();
  for (const audit of audits) {
    // 14 sampler checkpoints and at least one trainer checkpoint per trial
    assert.ok(audit.renamedIntoPlace >= 2 * N_TRIALS, `renames seen: ${audit.renamedIntoPlace}`);
    assert.deepEqual(audit.problems, [], report("checkpoint writes:", audit.problems));
  }
});
