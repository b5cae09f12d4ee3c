/**
 * `examples/plots.ipynb`: valid nbformat 4 for the Deno kernel, its code type-checks (with
 * `Deno.jupyter`), and it runs: every cell in order, in a real `deno run` process, the
 * `Deno.jupyter.display` calls (which exist only inside the kernel) replaced by a check that
 * the displayed bundle is a Plotly figure that survives JSON.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));

interface Cell {
  readonly cell_type: string;
  readonly id: string;
  readonly metadata: object;
  readonly source: ReadonlyArray<string>;
  readonly outputs?: ReadonlyArray<unknown>;
}

const nb = JSON.parse(await Deno.readTextFile(join(EXAMPLES, "plots.ipynb"))) as {
  nbformat: number;
  nbformat_minor: number;
  metadata: { kernelspec: { name: string; language: string } };
  cells: Cell[];
};
const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => c.source.join("")).join(
  "\n",
);

Deno.test("plots.ipynb is an nbformat 4 notebook for the Deno kernel", () => {
  assert.equal(nb.nbformat, 4);
  assert.ok(nb.nbformat_minor >= 5);
  assert.deepEqual(
    [nb.metadata.kernelspec.name, nb.metadata.kernelspec.language],
    ["deno", "typescript"],
  );
  const ids = new Set<string>();
  for (const c of nb.cells) {
    assert.ok(["markdown", "code"].includes(c.cell_type));
    assert.ok(Array.isArray(c.source) && typeof c.metadata === "object");
    assert.match(c.id, /^[a-zA-Z0-9-_]{1,64}$/);
    assert.ok(!ids.has(c.id));
    ids.add(c.id);
    if (c.cell_type === "code") assert.deepEqual(c.outputs, []);
  }
  assert.ok(code.includes("Deno.jupyter.display(plotlyBundle("));
});

async function deno(args: string[], file: string, text: string): Promise<string> {
  await Deno.writeTextFile(file, text);
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [...args, file],
      cwd: EXAMPLES,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const all = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.ok(out.success, all);
    return all;
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("plots.ipynb type-checks and runs, each display a Plotly figure", async () => {
  const file = join(EXAMPLES, `_notebook_${crypto.randomUUID()}.ts`);
  await deno(["check"], file, `${code}\nexport {};\n`);
  const shown = code.replaceAll(
    /await Deno\.jupyter\.display\((.*), \{ raw: true \}\);/g,
    (_, bundle) =>
      `{ const b = ${bundle}; const f = JSON.parse(JSON.stringify(b["application/vnd.plotly.v1+json"])); ` +
      `if (!Array.isArray(f.data) || f.data.length === 0 || !f.layout) throw new Error("bad figure"); ` +
      `console.log("figure", b["text/plain"], f.data.length); }`,
  );
  const out = await deno(["run", "-A"], file, `${shown}\nexport {};\n`);
  const figures = out.split("\n").filter((l) => l.startsWith("figure "));
  assert.deepEqual(figures.map((l) => l.split(" ").slice(1, -1).join(" ")), [
    "Optimization History Plot",
    "Slice Plot",
    "Contour Plot",
    "Hyperparameter Importances",
    "Pareto-front Plot",
  ]);
});
