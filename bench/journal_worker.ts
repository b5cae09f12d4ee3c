/**
 * A Hyperion worker for bench/journal_bench.ts: the work of `tests/fixtures/optimize_worker.ts`
 * on the journal `Deno.args[0]` with `fsync` on when `Deno.args[3]` is `"fsync"`. Prints one
 * JSON line with the seconds spent in `optimize`.
 *
 * @module
 */
import { createStudy, optimize, randomSampler, runOrThrow } from "../mod.ts";
import { workerObjective } from "../tests/fixtures/_worker_objective.ts";
import { journalFileBackend, journalStorage } from "../lib/storage/journal/mod.ts";

const [path, studyName, trials, mode] = Deno.args;
const storage = await runOrThrow(
  journalStorage(journalFileBackend(path as string, { fsync: mode === "fsync" })),
);
const study = await runOrThrow(
  createStudy({
    storage,
    studyName: studyName as string,
    loadIfExists: true,
    sampler: randomSampler(),
  }),
);
const wait = Number(Deno.env.get("START_AT") ?? 0) - Date.now();
if (wait > 0) await new Promise((done) => setTimeout(done, wait));

const objective = workerObjective();
const started = performance.now();
await runOrThrow(optimize(study, objective, { nTrials: Number(trials) }));
const seconds = (performance.now() - started) / 1000;
await runOrThrow(storage.close());
console.log(JSON.stringify({ seconds }));
