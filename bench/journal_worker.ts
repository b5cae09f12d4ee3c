/**
 * A Hyperion worker for bench/journal_bench.ts: the work of `tests/fixtures/optimize_worker.ts`
 * on the journal `Deno.args[0]` with `fsync` on when `Deno.args[3]` is `"fsync"`. Prints one
 * JSON line with the seconds spent in `optimize`.
 *
 * @module
 */
import {
  createStudy,
  optimize,
  randomSampler,
  report,
  right,
  runOrThrow,
  suggestCategorical,
  suggestFloat,
  suggestInt,
  type Trial,
} from "../mod.ts";
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

const objective = (trial: Trial) => async () => {
  const x = await suggestFloat(trial, "x", -5, 5)();
  if (x._tag === "Left") return x;
  const n = await suggestInt(trial, "n", 1, 9, { log: true })();
  if (n._tag === "Left") return n;
  const c = await suggestCategorical(trial, "c", ["a", 2, null])();
  if (c._tag === "Left") return c;
  for (let step = 0; step < 5; step++) {
    const r = await report(trial, x.right * step, step)();
    if (r._tag === "Left") return r;
  }
  return right(x.right ** 2 + n.right + (c.right === "a" ? 1 : 0));
};
const started = performance.now();
await runOrThrow(optimize(study, objective, { nTrials: Number(trials) }));
const seconds = (performance.now() - started) / 1000;
await runOrThrow(storage.close());
console.log(JSON.stringify({ seconds }));
