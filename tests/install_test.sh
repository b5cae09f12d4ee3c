#!/usr/bin/env bash
# The README's "Install" section, tried as a new user would from a clone (this folder): a Deno
# project with a deno.json `links` entry, a Deno project with an import map, and a Node 22 and a
# Bun script importing the clone's TypeScript files. Each writes a study to SQLite and reads it
# back. (The JSR commands need jsr.io, which this machine cannot reach: they are not run here.)
# Ends with "install: N passed, M failed"; exits 1 when one fails.
# Runtimes: deno on the PATH, $HYPERION_NODE22 (else node) and $HYPERION_BUN (else bun).
set -uo pipefail
clone="$(cd "$(dirname "$0")/.." && pwd)"
node22="${HYPERION_NODE22:-node}"
bun="${HYPERION_BUN:-bun}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() { # name, folder, command...
  local name=$1 dir=$2
  shift 2
  if out=$(cd "$dir" && "$@" 2>&1) && grep -q '^tuned: 3 trials$' <<<"$out"; then
    passed=$((passed + 1))
    echo "ok - install: $name"
  else
    failed=$((failed + 1))
    echo "not ok - install: $name"
    sed 's/^/  /' <<<"$out" | tail -n 20
  fi
}

# the user's script, the same for every route but for where @hyperion/tune comes from
script() { # core specifier, storage specifier
  cat <<TS
import { createStudy, getTrials, optimize, runOrThrow, suggestFloat } from "$1";
import { openStorage } from "$2";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const url = "sqlite:///" + join(mkdtempSync(join(tmpdir(), "hyperion-install-")), "study.db");
const storage = await runOrThrow(openStorage(url));
const study = await runOrThrow(createStudy({ storage, studyName: "install" }));
await runOrThrow(optimize(study, (trial) => suggestFloat(trial, "x", 0, 1), { nTrials: 3 }));
console.log("tuned: " + (await runOrThrow(getTrials(study))).length + " trials");
await runOrThrow(storage.close());
TS
}

# 1. Deno, deno.json "links": the same import as after publication, served from the clone
mkdir -p "$work/links"
cat >"$work/links/deno.json" <<JSON
{
  "imports": { "@hyperion/tune": "jsr:@hyperion/tune@^0.1.0" },
  "links": ["$clone"]
}
JSON
script "@hyperion/tune" "@hyperion/tune/storage" >"$work/links/main.ts"
check "deno.json links (deno run -A main.ts)" "$work/links" deno run -A main.ts

# 2. Deno, an import map naming the clone's entry points (and postgres.js for PostgreSQL)
mkdir -p "$work/map"
cat >"$work/map/deno.json" <<JSON
{
  "imports": {
    "@hyperion/tune": "$clone/mod.ts",
    "@hyperion/tune/sqlite": "$clone/lib/storage/rdb/sqlite.ts",
    "@hyperion/tune/postgres": "$clone/lib/storage/rdb/postgres.ts",
    "@hyperion/tune/storage": "$clone/lib/storage/open.ts",
    "@hyperion/tune/trainer": "$clone/lib/trainer/mod.ts",
    "@hyperion/tune/plugins/optuna": "$clone/lib/plugins/optuna/mod.ts",
    "postgres": "npm:postgres@3.4.9"
  }
}
JSON
script "@hyperion/tune" "@hyperion/tune/storage" >"$work/map/main.ts"
check "deno.json import map (deno run -A main.ts)" "$work/map" deno run -A main.ts

# 3. Node >= 22.18 and Bun: import the clone's TypeScript files (Node strips the types)
mkdir -p "$work/node"
script "$clone/mod.ts" "$clone/lib/storage/open.ts" >"$work/node/main.ts"
check "node main.ts ($("$node22" --version 2>&1))" "$work/node" "$node22" main.ts
check "bun main.ts ($("$bun" --version 2>&1))" "$work/node" "$bun" main.ts

echo "install: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
