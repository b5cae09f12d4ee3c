/**
 * The QMC sampler's counter key (private): the study system attribute `qmc:<sha256>` that
 * Optuna writes, hashed from the search space and settings exactly as Python Optuna renders
 * them (`str(distribution)`, `json.dumps`).
 *
 * @module
 */
import type { Distribution } from "../../core/distributions.ts";
import { pythonFloat } from "../../core/json.ts";
import type { SearchSpace } from "../../core/search_space.ts";
import { sha256Hex } from "./_sha256.ts";

/** Python's `repr` of a choice value. */
function pyRepr(v: unknown): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pythonFloat(v);
  const s = String(v);
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  return quote + s.replace(/\\/g, "\\\\").replace(quote === "'" ? /'/g : /"/g, `\\${quote}`) +
    quote;
}

/** Python Optuna's `str(distribution)`. */
export function pythonDistributionRepr(d: Distribution): string {
  switch (d._tag) {
    case "FloatDistribution":
      return `FloatDistribution(high=${pythonFloat(d.high)}, log=${d.log ? "True" : "False"}, low=${
        pythonFloat(d.low)
      }, step=${d.step === null ? "None" : pythonFloat(d.step)})`;
    case "IntDistribution":
      return `IntDistribution(high=${d.high}, log=${
        d.log ? "True" : "False"
      }, low=${d.low}, step=${d.step})`;
    case "CategoricalDistribution": {
      const items = d.choices.map(pyRepr);
      return `CategoricalDistribution(choices=(${items.join(", ")}${
        items.length === 1 ? "," : ""
      }))`;
    }
  }
}

/** JSON string as Python's `json.dumps` writes it (ASCII only). */
function pyJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The study system attribute holding the sequence counter (Optuna's key). */
export function qmcCounterKey(
  space: SearchSpace,
  options: {
    readonly seed: number;
    readonly scramble: boolean;
    readonly qmcType?: "sobol" | "halton";
  },
): string {
  const entries = Object.keys(space).sort().map((name) =>
    `${pyJsonString(name)}: ${pyJsonString(pythonDistributionRepr(space[name]!))}`
  );
  let json = `{"qmc_type": "${options.qmcType ?? "sobol"}", "search_space": {${
    entries.join(", ")
  }}, `;
  json += options.scramble ? `"scramble": true, "seed": ${options.seed}}` : `"scramble": false}`;
  return `qmc:${sha256Hex(json)}`;
}
