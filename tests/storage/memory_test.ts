import { memoryStorage } from "../../lib/storage/memory.ts";
import { storageConformance } from "../_helpers/storage_conformance.ts";

storageConformance(
  "memoryStorage()",
  ({ now }) =>
    Promise.resolve({ storage: memoryStorage({ now }), cleanup: () => Promise.resolve() }),
);
