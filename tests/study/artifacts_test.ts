import assert from "node:assert/strict";
import { join } from "node:path";
import {
  ask,
  createStudy,
  downloadArtifact,
  getArtifactMetas,
  loadStudy,
  runOrThrow,
  tell,
  uploadArtifact,
} from "../../mod.ts";
import { sqliteStorage } from "../../lib/storage/rdb/sqlite.ts";
import { fileSystemArtifactStore } from "../../lib/storage/open.ts";
import { expectLeft } from "../_helpers/study.ts";
import { optunaTest, runPython } from "../_helpers/optuna_python.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-artifacts-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("uploadArtifact() records artifacts:<id> as Optuna's JSON text, on studies and trials", () =>
  withDir(async (dir) => {
    const store = fileSystemArtifactStore(join(dir, "artifacts"));
    const study = await runOrThrow(createStudy());
    const data = new TextEncoder().encode("{}");
    const sid = await runOrThrow(
      uploadArtifact({ store, target: study, data, filename: "cfg.json" }),
    );
    const trial = await runOrThrow(ask(study));
    const tid = await runOrThrow(uploadArtifact({
      store,
      target: trial,
      data,
      filename: "model.bin.gz",
      mimetype: "application/x-model",
    }));
    const record = await runOrThrow(study.storage.getStudyById(study.studyId));
    assert.equal(
      record.systemAttrs[`artifacts:${sid}`],
      `{"artifact_id": "${sid}", "filename": "cfg.json", "mimetype": "application/json", "encoding": null}`,
    );
    assert.deepEqual(await runOrThrow(getArtifactMetas(study)), [
      { artifactId: sid, filename: "cfg.json", mimetype: "application/json", encoding: null },
    ]);
    assert.deepEqual(await runOrThrow(getArtifactMetas(trial)), [
      {
        artifactId: tid,
        filename: "model.bin.gz",
        mimetype: "application/x-model",
        encoding: "gzip",
      },
    ]);
    assert.deepEqual(await runOrThrow(downloadArtifact(store, tid)), data);
  }));

Deno.test("uploadArtifact() refuses unsafe names and bad arguments with a Left, storing nothing", () =>
  withDir(async (dir) => {
    const store = fileSystemArtifactStore(join(dir, "artifacts"));
    const study = await runOrThrow(createStudy());
    const data = new Uint8Array([1]);
    for (const filename of ["..", "../up.txt", "/etc/passwd", "a/b.txt", "C:\\x", "", "."]) {
      const e = expectLeft(
        await uploadArtifact({ store, target: study, data, filename })(),
        "InvalidArgument",
      );
      assert.match(e.message, /'filename'/);
    }
    expectLeft(
      await uploadArtifact({ store, target: study, data: "x" as never, filename: "a" })(),
      "InvalidArgument",
    );
    expectLeft(
      await uploadArtifact({ store, target: {} as never, data, filename: "a" })(),
      "InvalidArgument",
    );
    expectLeft(await downloadArtifact(store, "../x")(), "InvalidArgument");
    expectLeft(await downloadArtifact(store, "missing")(), "InvalidArgument");
    assert.deepEqual(await runOrThrow(getArtifactMetas(study)), []);
    assert.equal([...Deno.readDirSync(dir)].length, 0);
    // a finished trial takes no artifact record (as Optuna), and its bytes are not orphaned silently
    const trial = await runOrThrow(ask(study));
    await runOrThrow(tell(study, trial, { values: 1 }));
    assert.equal(
      (await uploadArtifact({ store, target: trial, data, filename: "late.txt" })())._tag,
      "Left",
    );
  }));

const PY = `
import json, os, sys, optuna
from optuna.artifacts import FileSystemArtifactStore, download_artifact, get_all_artifact_meta, upload_artifact
optuna.logging.set_verbosity(optuna.logging.WARNING)
db, base, out = sys.argv[1], sys.argv[2], sys.argv[3]
store = FileSystemArtifactStore(base)
s = optuna.load_study(study_name="art", storage="sqlite:///" + db)
metas = [m.__dict__ for m in get_all_artifact_meta(s)] + [m.__dict__ for m in get_all_artifact_meta(s.trials[0], storage=s._storage)]
contents = []
for i, m in enumerate(metas):
    path = os.path.join(out, str(i))
    download_artifact(artifact_store=store, file_path=path, artifact_id=m["artifact_id"])
    contents.append(open(path, "rb").read().decode())
src = os.path.join(out, "from_python.txt")
open(src, "w").write("written by python")
upload_artifact(artifact_store=store, file_path=src, study_or_trial=s)
print(json.dumps({"metas": metas, "contents": contents}))
`;

optunaTest(
  "Python's get_all_artifact_meta and download_artifact read ours; ours read Python's",
  () =>
    withDir(async (dir) => {
      const db = join(dir, "a.db");
      const base = join(dir, "artifacts");
      const out = join(dir, "out");
      await Deno.mkdir(out);
      const store = fileSystemArtifactStore(base);
      const storage = await runOrThrow(sqliteStorage(db));
      const study = await runOrThrow(createStudy({ storage, studyName: "art" }));
      const enc = (s: string) => new TextEncoder().encode(s);
      const sid = await runOrThrow(
        uploadArtifact({ store, target: study, data: enc("study file"), filename: "notes.txt" }),
      );
      const trial = await runOrThrow(ask(study));
      const tid = await runOrThrow(
        uploadArtifact({ store, target: trial, data: enc("trial file"), filename: "run.log" }),
      );
      await runOrThrow(tell(study, trial, { values: 1 }));
      await runOrThrow(storage.close());
      const theirs = JSON.parse(await runPython(PY, [db, base, out]));
      assert.deepEqual(theirs.metas, [
        { artifact_id: sid, filename: "notes.txt", mimetype: "text/plain", encoding: null },
        { artifact_id: tid, filename: "run.log", mimetype: "text/plain", encoding: null },
      ]);
      assert.deepEqual(theirs.contents, ["study file", "trial file"]);
      const again = await runOrThrow(sqliteStorage(db));
      try {
        const loaded = await runOrThrow(loadStudy({ storage: again, studyName: "art" }));
        const metas = await runOrThrow(getArtifactMetas(loaded));
        const py = metas.find((m) => m.filename === "from_python.txt");
        assert.ok(py, JSON.stringify(metas));
        assert.equal(py.mimetype, "text/plain");
        assert.equal(
          new TextDecoder().decode(await runOrThrow(downloadArtifact(store, py.artifactId))),
          "written by python",
        );
      } finally {
        await runOrThrow(again.close());
      }
    }),
);
