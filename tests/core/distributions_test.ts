import assert from "node:assert/strict";
import fc from "fast-check";
import {
  categoricalDistribution,
  checkCompatible,
  contains,
  type Distribution,
  distributionEquals,
  floatDistribution,
  intDistribution,
  isSingle,
  toExternal,
  toInternal,
} from "../../lib/core/distributions.ts";
import { distributionFromJson, distributionToJson } from "../../lib/core/distribution_json.ts";
import { getOrThrow } from "../../lib/effect/mod.ts";

const ok = <A>(e: { _tag: "Left"; left: unknown } | { _tag: "Right"; right: A }): A =>
  getOrThrow(e as never);
const message = (e: { _tag: string; left?: { message: string } }): string => {
  assert.equal(e._tag, "Left");
  return e.left!.message;
};

Deno.test("floatDistribution() rejects inverted, non-finite and log-with-step bounds naming the field", () => {
  assert.equal(
    message(floatDistribution(1, 0, { name: "lr" }) as never),
    "Cannot suggest 'lr' as 'low' must not exceed 'high': current values 1 and 0",
  );
  assert.match(
    message(floatDistribution(NaN, 1) as never),
    /'low' must be a finite number: current value NaN/,
  );
  assert.match(message(floatDistribution(0, Infinity) as never), /'high' must be a finite number/);
  assert.match(
    message(floatDistribution(0, 1, { log: true }) as never),
    /'low' must be positive when 'log' is true/,
  );
  assert.match(
    message(floatDistribution(1, 2, { log: true, step: 0.1 }) as never),
    /'step' is not supported when 'log' is true/,
  );
  assert.match(
    message(floatDistribution(0, 1, { step: 0 }) as never),
    /'step' must be a positive finite number: current value 0/,
  );
});

Deno.test("floatDistribution() lowers 'high' to the step grid in decimal arithmetic, as Optuna does", () => {
  assert.equal(ok(floatDistribution(0, 1, { step: 0.3 })).high, 0.9);
  assert.equal(ok(floatDistribution(0, 1.05, { step: 0.1 })).high, 1.0);
  assert.equal(ok(floatDistribution(0.1, 0.7, { step: 0.1 })).high, 0.7);
  assert.equal(ok(floatDistribution(-1, 1, { step: 0.25 })).high, 1);
});

Deno.test("intDistribution() enforces integer bounds, log rules and lowers 'high' to the grid", () => {
  assert.equal(ok(intDistribution(0, 10, { step: 3 })).high, 9);
  assert.match(
    message(intDistribution(0, 10, { log: true }) as never),
    /'low' must be at least 1 when 'log' is true/,
  );
  assert.match(
    message(intDistribution(1, 10, { log: true, step: 2 }) as never),
    /'step' must be 1 when 'log' is true/,
  );
  assert.match(
    message(intDistribution(1.5, 10) as never),
    /'low' must be an integer: current value 1.5/,
  );
  assert.match(
    message(intDistribution(1, 10, { step: 0 }) as never),
    /'step' must be a positive integer/,
  );
});

Deno.test("categoricalDistribution() rejects empty, duplicate and non-primitive choices", () => {
  assert.match(message(categoricalDistribution([]) as never), /one or more elements/);
  assert.match(
    message(categoricalDistribution(["a", "a"], { name: "c" }) as never),
    /Cannot suggest 'c' as 'choices' must be distinct: 'a' appears twice/,
  );
  assert.match(message(categoricalDistribution([{}] as never) as never), /choice 0 is \{\}/);
  assert.match(message(categoricalDistribution([NaN]) as never), /choice 0 is NaN/);
  assert.deepEqual(ok(categoricalDistribution([1, true, "1", null])).choices, [1, true, "1", null]);
});

// Strings produced by Python Optuna 5.0's `distribution_to_json` for the same distributions.
Deno.test("distributionToJson() writes exactly what Python Optuna 5.0 writes", () => {
  const cases: Array<[Distribution, string]> = [
    [
      ok(floatDistribution(0, 1)),
      '{"name": "FloatDistribution", "attributes": {"step": null, "low": 0.0, "high": 1.0, "log": false}}',
    ],
    [
      ok(floatDistribution(1e-5, 1e-1, { log: true })),
      '{"name": "FloatDistribution", "attributes": {"step": null, "low": 1e-05, "high": 0.1, "log": true}}',
    ],
    [
      ok(floatDistribution(0, 1, { step: 0.3 })),
      '{"name": "FloatDistribution", "attributes": {"step": 0.3, "low": 0.0, "high": 0.9, "log": false}}',
    ],
    [
      ok(floatDistribution(0, 1.05, { step: 0.1 })),
      '{"name": "FloatDistribution", "attributes": {"step": 0.1, "low": 0.0, "high": 1.0, "log": false}}',
    ],
    [
      ok(floatDistribution(-2.5, 1e20)),
      '{"name": "FloatDistribution", "attributes": {"step": null, "low": -2.5, "high": 1e+20, "log": false}}',
    ],
    [
      ok(intDistribution(0, 10, { step: 3 })),
      '{"name": "IntDistribution", "attributes": {"log": false, "step": 3, "low": 0, "high": 9}}',
    ],
    [
      ok(intDistribution(1, 1000, { log: true })),
      '{"name": "IntDistribution", "attributes": {"log": true, "step": 1, "low": 1, "high": 1000}}',
    ],
    [
      ok(categoricalDistribution(["a", 1, 2.5, null, true])),
      '{"name": "CategoricalDistribution", "attributes": {"choices": ["a", 1, 2.5, null, true]}}',
    ],
  ];
  for (const [d, json] of cases) {
    assert.equal(distributionToJson(d), json);
    assert.ok(distributionEquals(ok(distributionFromJson(json)), d));
  }
});

Deno.test("distributionFromJson() reads deprecated and abbreviated forms and rejects garbage", () => {
  assert.deepEqual(
    ok(
      distributionFromJson(
        '{"name": "LogUniformDistribution", "attributes": {"low": 0.1, "high": 1.0}}',
      ),
    ),
    ok(floatDistribution(0.1, 1, { log: true })),
  );
  assert.deepEqual(
    ok(
      distributionFromJson(
        '{"name": "DiscreteUniformDistribution", "attributes": {"low": 0, "high": 1, "q": 0.5}}',
      ),
    ),
    ok(floatDistribution(0, 1, { step: 0.5 })),
  );
  assert.deepEqual(
    ok(distributionFromJson('{"type": "int", "low": 1, "high": 3}')),
    ok(intDistribution(1, 3)),
  );
  assert.equal(distributionFromJson("{")._tag, "Left");
  assert.match(
    message(distributionFromJson('{"name": "Foo", "attributes": {}}') as never),
    /unknown distribution 'Foo'/,
  );
});

Deno.test("checkCompatible() allows new bounds but not a new kind, log flag or choices", () => {
  const f01 = ok(floatDistribution(0, 1));
  assert.equal(checkCompatible(f01, ok(floatDistribution(0, 5)), "x")._tag, "Right");
  assert.match(
    message(checkCompatible(f01, ok(intDistribution(0, 5)), "x") as never),
    /Cannot suggest 'x' as its kind must not change: it was float and is now int/,
  );
  assert.match(
    message(checkCompatible(f01, ok(floatDistribution(0.1, 1, { log: true })), "x") as never),
    /'log' setting must not change/,
  );
  assert.match(
    message(
      checkCompatible(
        ok(categoricalDistribution(["a", "b"])),
        ok(categoricalDistribution(["b", "a"])),
        "c",
      ) as never,
    ),
    /choices must not change/,
  );
});

Deno.test("isSingle() and contains() follow Optuna's rules", () => {
  assert.equal(isSingle(ok(floatDistribution(1, 1))), true);
  assert.equal(isSingle(ok(floatDistribution(0, 0.05, { step: 0.1 }))), true);
  assert.equal(isSingle(ok(intDistribution(1, 2, { step: 2 }))), true);
  assert.equal(isSingle(ok(categoricalDistribution(["only"]))), true);
  assert.equal(isSingle(ok(intDistribution(1, 2))), false);
  const stepped = ok(floatDistribution(0, 1, { step: 0.1 }));
  assert.equal(contains(stepped, 0.30000000000000004), true);
  assert.equal(contains(stepped, 0.35), false);
  assert.equal(contains(ok(intDistribution(0, 9, { step: 3 })), 6), true);
  assert.equal(contains(ok(intDistribution(0, 9, { step: 3 })), 5), false);
  assert.equal(contains(ok(categoricalDistribution(["a", "b"])), 2), false);
});

Deno.test("toInternal()/toExternal() round-trip every value of the domain", () => {
  fc.assert(fc.property(
    fc.integer({ min: -1000, max: 1000 }),
    fc.integer({ min: 0, max: 1000 }),
    fc.integer({ min: 1, max: 7 }),
    fc.nat(),
    (low, span, step, k) => {
      const d = ok(intDistribution(low, low + span, { step }));
      const v = d.low + (k % (Math.floor((d.high - d.low) / step) + 1)) * step;
      const internal = ok(toInternal(d, v));
      return contains(d, internal) && toExternal(d, internal) === v;
    },
  ));
  const c = ok(categoricalDistribution(["a", 2, false]));
  assert.equal(ok(toInternal(c, false)), 2);
  assert.equal(toExternal(c, 1), 2);
  assert.match(message(toInternal(c, "z", "c") as never), /'z' is not one of the choices/);
  assert.match(
    message(toInternal(ok(floatDistribution(0.1, 1, { log: true })), -1) as never),
    /positive on a log scale/,
  );
  assert.match(
    message(toInternal(ok(floatDistribution(0, 1)), NaN) as never),
    /must be a number: current value NaN/,
  );
});
