/**
 * Another process for the live-update test: adds one COMPLETE trial to a study.
 *
 *     deno run -A tests/dashboard/_add_trial.ts <storage url> <study name>
 *
 * @module
 */
import { ask, loadStudy, runOrThrow, suggestFloat, tell } from "../../mod.ts";
import { openStorage } from "../../lib/storage/open.ts";

const [url, name] = Deno.args;
const storage = await runOrThrow(openStorage(url!));
const study = await runOrThrow(loadStudy({ storage, studyName: name! }));
const trial = await runOrThrow(ask(study));
await runOrThrow(suggestFloat(trial, "x", -5, 5));
await runOrThrow(tell(study, trial, { values: 0.5 }));
await runOrThrow(storage.close());
