import assert from "node:assert/strict";
import fc from "fast-check";
import type { JsonValue } from "../../lib/core/json.ts";
import { checkNoteSave, noteWrites, readNote } from "../../lib/dashboard/notes.ts";

interface Fixture {
  readonly trialId: number;
  readonly longBody: string;
  readonly cases: ReadonlyArray<
    { readonly step: string; readonly attrs: Record<string, JsonValue> }
  >;
}
const fixture: Fixture = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/dashboard/notes.json", import.meta.url)),
);

/** Applies writes in order, as `setStudyAttr` calls would. */
function apply(
  attrs: Record<string, JsonValue>,
  writes: ReadonlyArray<readonly [string, JsonValue]>,
): Record<string, JsonValue> {
  const out = { ...attrs };
  for (const [k, v] of writes) out[k] = v;
  return out;
}

Deno.test("notes: reads the notes optuna-dashboard wrote (chunks of 2045 code points)", () => {
  const [long, shortened] = fixture.cases;
  assert.deepEqual(readNote(long!.attrs, undefined), { version: 1, body: fixture.longBody });
  assert.equal(readNote(long!.attrs, fixture.trialId).body, "# trial\n" + "x".repeat(3000));
  assert.deepEqual(readNote(shortened!.attrs, undefined), { version: 2, body: "short" });
});

Deno.test("notes: writes exactly the attributes optuna-dashboard writes", () => {
  const [long, shortened] = fixture.cases;
  const first = apply(
    apply({}, noteWrites({}, undefined, 1, fixture.longBody)),
    noteWrites({}, fixture.trialId, 1, "# trial\n" + "x".repeat(3000)),
  );
  assert.deepEqual(first, long!.attrs);
  assert.deepEqual(apply(first, noteWrites(first, undefined, 2, "short")), shortened!.attrs);
});

Deno.test("notes: any body round-trips through writes and reads, over rewrites", () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: "binary", maxLength: 6000 }), { minLength: 1, maxLength: 4 }),
      fc.option(fc.nat(50), { nil: undefined }),
      (bodies, trialId) => {
        let attrs: Record<string, JsonValue> = {};
        bodies.forEach((body, i) => {
          const ok = checkNoteSave(attrs, trialId, i + 1, body);
          assert.equal(ok._tag, "Right");
          attrs = apply(attrs, noteWrites(attrs, trialId, i + 1, body));
          assert.deepEqual(readNote(attrs, trialId), { version: i + 1, body });
        });
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("notes: a save with a stale version or a non-string body is refused", () => {
  const attrs = { "dashboard:note_ver": 2, "dashboard:note_str:0": "x" };
  const stale = checkNoteSave(attrs, undefined, 2, "y");
  assert.equal(stale._tag === "Left" && stale.left.field, "version");
  assert.match(stale._tag === "Left" ? stale.left.message : "", /expected 3/);
  const body = checkNoteSave(attrs, undefined, 3, 42);
  assert.equal(body._tag === "Left" && body.left.field, "body");
});
