/**
 * Architecture figures of the library, for reviews and closing notes: the largest functions,
 * the files over a size, import cycles between files of `lib/` (type-only imports included),
 * imports that go against the layer order, module-level mutable state and the public symbols
 * of each package entry point.
 *
 *     deno run -A tools/arch_stats.ts [--top 10] [--max-file 500] [--json]
 *
 * It reads the source as text with the TypeScript parser; it runs nothing of the library.
 *
 * @module
 */
import ts from "typescript";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";

/** One function-like node and its size in lines. */
export interface FunctionSize {
  readonly file: string;
  readonly name: string;
  readonly line: number;
  readonly lines: number;
}

/** The layer of each top-level folder of `lib/`, low to high: imports may only go down. */
const LAYERS: ReadonlyArray<ReadonlyArray<string>> = [
  ["effect", "effect.ts", "errors.ts", "error_base.ts"],
  ["math", "random", "fs", "runtime"],
  ["core"],
  ["storage"],
  ["samplers", "pruners"],
  ["study"],
  ["importance", "trainer"],
  ["plots", "plugins"],
  ["dashboard"],
  ["cli"],
];

/** Files that are generated tables, left out of the size figures. */
const GENERATED = /sobol_direction_numbers\.ts$/;

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTs(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

function nameOf(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  return "(anonymous)";
}

function functionSizes(file: string, source: ts.SourceFile): FunctionSize[] {
  const out: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) || ts.isMethodDeclaration(node)
    ) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file, name: nameOf(node), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function relativeImports(file: string, source: ts.SourceFile): string[] {
  const out: string[] = [];
  for (const statement of source.statements) {
    const spec = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))
      ? statement.moduleSpecifier
      : undefined;
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith(".")) {
      out.push(resolve(dirname(file), spec.text));
    }
  }
  return out;
}

/** Module-level `let` declarations and module-level `new Map/Set/WeakMap/Array` constants. */
function moduleState(file: string, source: ts.SourceFile): string[] {
  const out: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const isLet = (statement.declarationList.flags & ts.NodeFlags.Let) !== 0;
    for (const d of statement.declarationList.declarations) {
      const init = d.initializer?.getText(source) ?? "";
      // an empty typed array holds nothing (a shared sentinel), and a value typed Readonly… is
      // a constant lookup table: neither is state
      const empty = /^new \w+Array\(0\)$/.test(init);
      const readonlyType = /^Readonly/.test(d.type?.getText(source) ?? "");
      if (readonlyType) continue;
      const mutableValue = !empty &&
        (/^new (Map|Set|WeakMap|Float64Array|Int32Array|Uint32Array|Array)\b/.test(init) ||
          /^\[\]$/.test(init));
      if (isLet || mutableValue) {
        const line = source.getLineAndCharacterOfPosition(d.getStart(source)).line + 1;
        out.push(`${file}:${line} ${d.name.getText(source)}${isLet ? " (let)" : ""}`);
      }
    }
  }
  return out;
}

/** Strongly connected components of more than one file (Tarjan). */
function cycles(graph: ReadonlyMap<string, ReadonlyArray<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) connect(v);
  return out;
}

function layerOf(libPath: string): number | undefined {
  // a domain's error definitions are leaves the union in lib/errors.ts gathers: the bottom layer
  if (/(^|\/)errors\.ts$/.test(libPath) || libPath === "error_base.ts") return 0;
  const top = libPath.split("/")[0]!;
  const i = LAYERS.findIndex((names) => names.includes(top));
  return i < 0 ? undefined : i;
}

async function publicSymbols(entry: string): Promise<number> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["doc", "--json", entry] }).output();
  const doc = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    nodes: Record<string, { symbols?: ReadonlyArray<{ name: string }> }>;
  };
  const node = Object.values(doc.nodes)[0];
  return new Set((node?.symbols ?? []).map((s) => s.name)).size;
}

/** The figures {@link measure} returns. */
export interface ArchReport {
  readonly files: number;
  readonly largestFunctions: ReadonlyArray<FunctionSize>;
  readonly functionsOver: ReadonlyArray<FunctionSize>;
  readonly filesOverLimit: ReadonlyArray<string>;
  readonly cycles: ReadonlyArray<ReadonlyArray<string>>;
  readonly upwardImports: ReadonlyArray<string>;
  readonly moduleState: ReadonlyArray<string>;
  readonly publicSymbols: Readonly<Record<string, number>>;
  readonly internalFolder: boolean;
}

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** How many of the largest functions to list. @default {10} */
  readonly top?: number;
  /** Files longer than this are listed. @default {500} */
  readonly maxFileLines?: number;
  /** Functions longer than this are listed. @default {120} */
  readonly maxFunctionLines?: number;
  /** Count each entry point's public symbols with `deno doc` (slower). @default {true} */
  readonly symbols?: boolean;
}

/** Measures the library under `root/lib`. */
export async function measure(root: string, options: MeasureOptions = {}): Promise<ArchReport> {
  const maxFile = options.maxFileLines ?? 500;
  const maxFunction = options.maxFunctionLines ?? 120;
  const lib = join(root, "lib");
  const files = listTs(lib);
  const sizes: FunctionSize[] = [];
  const graph = new Map<string, string[]>();
  const big: string[] = [];
  const state: string[] = [];
  for (const path of files) {
    const text = readFileSync(path, "utf8");
    const rel = relative(lib, path);
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    graph.set(path, relativeImports(path, source));
    state.push(...moduleState(rel, source));
    if (GENERATED.test(path)) continue;
    sizes.push(...functionSizes(rel, source));
    const lines = text.split("\n").length;
    if (lines > maxFile) big.push(`${rel} ${lines}`);
  }
  const surface: Record<string, number> = {};
  if (options.symbols ?? true) {
    const entries = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports as Record<
      string,
      string
    >;
    for (const [name, path] of Object.entries(entries)) {
      surface[name] = await publicSymbols(join(root, path));
    }
  }
  const bySize = [...sizes].sort((a, b) => b.lines - a.lines);
  return {
    files: files.length,
    largestFunctions: bySize.slice(0, options.top ?? 10),
    functionsOver: bySize.filter((f) => f.lines > maxFunction),
    filesOverLimit: big,
    cycles: cycles(graph).map((c) => c.map((f) => relative(lib, f))),
    upwardImports: upwardImports(lib, graph),
    moduleState: state,
    publicSymbols: surface,
    internalFolder: files.some((f) => relative(lib, f).startsWith("_internal/")),
  };
}

function upwardImports(lib: string, graph: ReadonlyMap<string, ReadonlyArray<string>>): string[] {
  const upward: string[] = [];
  for (const [from, targets] of graph) {
    const a = layerOf(relative(lib, from));
    for (const to of targets) {
      const b = layerOf(relative(lib, to));
      if (a !== undefined && b !== undefined && b > a) {
        upward.push(`${relative(lib, from)} -> ${relative(lib, to)}`);
      }
    }
  }
  return upward.sort();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      top: { type: "string", default: "10" },
      "max-file": { type: "string", default: "500" },
      json: { type: "boolean", default: false },
    },
  });
  const root = resolve(import.meta.dirname ?? ".", "..");
  const report = await measure(root, {
    top: Number(values.top),
    maxFileLines: Number(values["max-file"]),
  });
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`lib/: ${report.files} files; lib/_internal exists: ${report.internalFolder}`);
  console.log(`\nlargest functions:`);
  for (const f of report.largestFunctions) {
    console.log(`  ${f.lines}\t${f.file}:${f.line} ${f.name}`);
  }
  console.log(`\nfiles over ${values["max-file"]} lines: ${report.filesOverLimit.length}`);
  for (const b of report.filesOverLimit) console.log(`  ${b}`);
  console.log(`\nimport cycles: ${report.cycles.length}`);
  for (const c of report.cycles) console.log(`  ${c.join(" <-> ")}`);
  console.log(`\nimports against the layer order: ${report.upwardImports.length}`);
  for (const u of report.upwardImports) console.log(`  ${u}`);
  console.log(`\nmodule-level mutable state: ${report.moduleState.length}`);
  for (const s of report.moduleState) console.log(`  ${s}`);
  console.log(`\npublic symbols per entry point:`);
  for (const [name, n] of Object.entries(report.publicSymbols)) console.log(`  ${name}\t${n}`);
}

if (import.meta.main) await main();
