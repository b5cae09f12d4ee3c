"""Optuna 5.0's CmaEsSampler side of bench/cmaes_cost.ts: prints one JSON line.

    /work/gp-venv/bin/python bench/cmaes_cost.py '{"dims": 10, "trials": 1000, ...}'

Runs on Debian's cmaes 0.9.1 through `tests/fixtures/cmaes/cmaes_compat.py` (see its docstring;
CMAES_SRC selects a newer `cmaes`).
"""

import json
import math
import os
import sys
import time

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "cmaes")
)

import cmaes_compat  # noqa: E402,F401
import cmaes  # noqa: E402  (the one cmaes_compat patched)

import optuna  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.ERROR)


def cost_objective(t, dims):
    s = 0.0
    prev = 0.0
    for i in range(dims):
        x = t.suggest_float(f"x{i}", -5, 5)
        s += (i + 1) * x * x + 0.5 * x * prev
        prev = x
    return s


def evaluate(name, x):
    if name == "branin":
        b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
        return (x["x1"] - b * x["x0"] ** 2 + c * x["x0"] - 6) ** 2 + 10 * (1 - t) * math.cos(x["x0"]) + 10
    A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
    P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
         [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
    al = [1.0, 1.2, 3.0, 3.2]
    xs = [x[f"x{i}"] for i in range(6)]
    return -sum(al[i] * math.exp(-sum(A[i][j] * (xs[j] - P[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


def main():
    cfg = json.loads(sys.argv[1])
    out = {"optuna": optuna.__version__, "cmaes": getattr(cmaes, "__version__", "?")}
    if cfg.get("trials"):
        n, dims = cfg["trials"], cfg["dims"]
        sampler = (optuna.samplers.RandomSampler(seed=0) if cfg.get("sampler") == "random"
                   else optuna.samplers.CmaEsSampler(seed=0))
        study = optuna.create_study(sampler=sampler)
        stamps = []
        t0 = time.perf_counter()
        study.optimize(lambda t: cost_objective(t, dims), n_trials=n,
                       callbacks=[lambda s, t: stamps.append(time.perf_counter())])
        total = time.perf_counter() - t0
        out["cost"] = {
            "ms_per_trial": 1000 * total / n,
            "last100_ms_per_trial": 1000 * (stamps[-1] - stamps[-101]) / 100,
            "best": study.best_value,
        }
    quality = {}
    for p in cfg.get("problems", []):
        bests = []
        for seed in range(cfg["seeds"]):
            study = optuna.create_study(sampler=optuna.samplers.CmaEsSampler(seed=seed))

            def objective(t, space=p["space"], name=p["name"]):
                return evaluate(name, {q["name"]: t.suggest_float(q["name"], q["low"], q["high"]) for q in space})

            study.optimize(objective, n_trials=cfg["qualityTrials"])
            bests.append(study.best_value)
        bests.sort()
        quality[p["name"]] = {"median": bests[len(bests) // 2], "bests": bests}
    out["quality"] = quality
    print(json.dumps(out))


if __name__ == "__main__":
    main()
