/** Helpers shared by the tuning plug-in's tests. */
import { memoryStorage, type Storage } from "../../../mod.ts";

/** A memory storage that claims to be persistent: exercises the plug-in logic without files. */
export const persistentMemory = (): Storage => ({
  ...memoryStorage(),
  persistent: true,
  url: "memory:persistent",
});
