import { runOrThrow } from "../../../lib/effect/mod.ts";
import { journalFileBackend } from "../../../lib/storage/journal/backend.ts";
import { journalStorage } from "../../../lib/storage/journal/journal.ts";
import { storageConformance } from "../../_helpers/storage_conformance.ts";

storageConformance("journalStorage()", async ({ now }) => {
  const dir = await Deno.makeTempDir({ prefix: "hyperion-journal-" });
  const storage = await runOrThrow(
    journalStorage(journalFileBackend(`${dir}/journal.log`), { now }),
  );
  return {
    storage,
    cleanup: async () => {
      await storage.close()();
      await Deno.remove(dir, { recursive: true });
    },
  };
}, { rename: false });
