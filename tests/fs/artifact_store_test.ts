import assert from "node:assert/strict";
import { join } from "node:path";
import { runOrThrow } from "../../mod.ts";
import { fileSystemArtifactStore } from "../../lib/storage/open.ts";
import { expectLeft } from "../_helpers/study.ts";

Deno.test("fileSystemArtifactStore() writes each artifact as dir/<id>, reads and removes it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = fileSystemArtifactStore(join(dir, "new"));
    const data = new Uint8Array([0, 1, 2, 255]);
    await runOrThrow(store.write("abc", data));
    assert.deepEqual(await Deno.readFile(join(dir, "new", "abc")), data);
    assert.deepEqual(await runOrThrow(store.read("abc")), data);
    await runOrThrow(store.remove("abc"));
    const e = expectLeft(await store.read("abc")(), "InvalidArgument");
    assert.match(e.message, /'artifactId'.*abc/);
    expectLeft(await store.remove("abc")(), "InvalidArgument");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fileSystemArtifactStore() refuses ids that would leave its folder, writing nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = fileSystemArtifactStore(join(dir, "store"));
    for (const id of ["..", "../escape", "/etc/passwd", "a/b", "a\\b", "", "C:x", "."]) {
      const e = expectLeft(await store.write(id, new Uint8Array([1]))(), "InvalidArgument");
      assert.match(e.message, /'artifactId'/);
      expectLeft(await store.read(id)(), "InvalidArgument");
    }
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
