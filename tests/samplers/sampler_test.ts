import assert from "node:assert/strict";
import {
  bruteForceSampler,
  createStudy,
  getTrials,
  gridSampler,
  type HyperionError,
  memoryStorage,
  qmcSampler,
  randomSampler,
  runOrThrow,
  type Sampler,
  samplerFromSnapshot,
  setStudySampler,
  studySampler,
  tpeSampler,
} from "../../mod.ts";

/** A constructor call with a bad argument and the field its error must name. */
interface BadCall {
  readonly what: string;
  readonly build: () => Sampler;
  readonly field: RegExp;
}

const wrong: ReadonlyArray<[string, unknown]> = [
  ["null", null],
  ["a Symbol", Symbol("s")],
  ["a fraction", 1.5],
  ["a string", "seed"],
  ["an array", [[1]]],
  ["a function", () => 1],
];

const calls: BadCall[] = [];
const any = (v: unknown) => v as never;
for (const [name, v] of wrong) {
  calls.push(
    {
      what: `randomSampler(${name})`,
      build: () => randomSampler(any(v)),
      field: /random\.options/,
    },
    { what: `tpeSampler(${name})`, build: () => tpeSampler(any(v)), field: /tpe\.options/ },
    { what: `qmcSampler(${name})`, build: () => qmcSampler(any(v)), field: /qmc\.options/ },
    {
      what: `bruteForceSampler(${name})`,
      build: () => bruteForceSampler(any(v)),
      field: /bruteForce\.options/,
    },
    { what: `gridSampler(${name})`, build: () => gridSampler(any(v)), field: /grid\.searchSpace/ },
    {
      what: `gridSampler({x: [1]}, ${name})`,
      build: () => gridSampler({ x: [1] }, any(v)),
      field: /gridSampler\.options/,
    },
    {
      what: `gridSampler({x: ${name}})`,
      build: () => gridSampler({ x: any(v) }),
      field: /grid\.searchSpace\.x/,
    },
  );
  if (v !== null) {
    calls.push(
      {
        what: `randomSampler({seed: ${name}})`,
        build: () => randomSampler({ seed: any(v) }),
        field: /seed/,
      },
      {
        what: `tpeSampler({seed: ${name}})`,
        build: () => tpeSampler({ seed: any(v) }),
        field: /seed/,
      },
      {
        what: `qmcSampler({seed: ${name}})`,
        build: () => qmcSampler({ seed: any(v) }),
        field: /seed/,
      },
      {
        what: `bruteForceSampler({seed: ${name}})`,
        build: () => bruteForceSampler({ seed: any(v) }),
        field: /seed/,
      },
      {
        what: `gridSampler({x: [1]}, {seed: ${name}})`,
        build: () => gridSampler({ x: [1] }, { seed: any(v) }),
        field: /seed/,
      },
      {
        what: `tpeSampler({nStartupTrials: ${name}})`,
        build: () => tpeSampler({ nStartupTrials: any(v) }),
        field: /tpe\.options\.nStartupTrials/,
      },
      {
        what: `tpeSampler({gamma: ${name}})`,
        build: () => tpeSampler({ gamma: any(v) }),
        field: /tpe\.options\.gamma/,
      },
      {
        what: `qmcSampler({scramble: ${name}})`,
        build: () => qmcSampler({ scramble: any(v) }),
        field: /qmc\.options\.scramble/,
      },
      {
        what: `bruteForceSampler({avoidPrematureStop: ${name}})`,
        build: () => bruteForceSampler({ avoidPrematureStop: any(v) }),
        field: /bruteForce\.options\.avoidPrematureStop/,
      },
    );
  }
}

function messageOf(e: { _tag: string; left?: HyperionError }, what: string): string {
  assert.equal(e._tag, "Left", what);
  return e.left!.message;
}

Deno.test("sampler constructors never throw on wrong-typed arguments: createStudy, setStudySampler and samplerFromSnapshot give a Left naming the field", async () => {
  assert.ok(calls.length >= 80, `${calls.length} bad calls`);
  const storage = memoryStorage();
  const good = await runOrThrow(
    createStudy({ storage, studyName: "kept", sampler: randomSampler({ seed: 1 }) }),
  );
  const before = JSON.stringify(studySampler(good));
  for (const c of calls) {
    let sampler: Sampler;
    try {
      sampler = c.build();
    } catch (e) {
      assert.fail(`${c.what} threw ${e}`);
    }
    const created = await createStudy({ storage, studyName: c.what, sampler })();
    assert.match(messageOf(created, c.what), c.field, c.what);
    assert.match(messageOf(setStudySampler(good, sampler), c.what), c.field, c.what);
    assert.match(messageOf(samplerFromSnapshot(sampler as never), c.what), c.field, c.what);
  }
  // nothing was stored or replaced
  const studies = await runOrThrow(storage.listStudies());
  assert.deepEqual(studies.map((s) => s.studyName), ["kept"]);
  assert.deepEqual(await runOrThrow(getTrials(good)), []);
  assert.equal(JSON.stringify(studySampler(good)), before);
});

Deno.test("sampler constructors accept undefined for every option (the defaults)", () => {
  for (
    const s of [
      randomSampler(undefined),
      randomSampler({ seed: undefined }),
      tpeSampler(undefined),
      tpeSampler({ seed: undefined, multivariate: undefined }),
      qmcSampler(undefined),
      bruteForceSampler(undefined),
      gridSampler({ x: [1, 2] }, undefined),
      gridSampler({ x: [1, 2] }, { seed: undefined }),
    ]
  ) {
    assert.equal(samplerFromSnapshot(JSON.stringify(s))._tag, "Right", JSON.stringify(s));
  }
});
