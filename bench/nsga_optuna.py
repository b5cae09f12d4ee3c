"""Python Optuna 5.0's NSGAIISampler on ZDT1/DTLZ2, driven by bench/nsga_cost.ts.

Reads one JSON config on stdin: {"problem": "zdt1"|"dtlz2", "dim": int, "n": int,
"seed": int, "population": int, "timed_last": int, "sampler": "nsga2"|"random"}. Runs n - timed_last trials, then times the
last timed_last trials; prints one JSON line {"ms_per_trial_all", "ms_per_trial_last", "values"}.
"""

import json
import math
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)


def zdt1(x):
    f1 = x[0]
    g = 1 + 9 * sum(x[1:]) / (len(x) - 1)
    return f1, g * (1 - math.sqrt(f1 / g))


def dtlz2(x):
    m = 3
    g = sum((v - 0.5) ** 2 for v in x[m - 1:])
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return ((1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b),
            (1 + g) * math.sin(a))


def main():
    cfg = json.loads(sys.stdin.read())
    f = zdt1 if cfg["problem"] == "zdt1" else dtlz2
    n_obj = 2 if cfg["problem"] == "zdt1" else 3

    def objective(trial):
        return f([trial.suggest_float(f"x{i}", 0, 1) for i in range(cfg["dim"])])

    if cfg.get("sampler") == "random":
        sampler = optuna.samplers.RandomSampler(seed=cfg["seed"])
    else:
        sampler = optuna.samplers.NSGAIISampler(population_size=cfg["population"], seed=cfg["seed"])
    study = optuna.create_study(directions=["minimize"] * n_obj, sampler=sampler)
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=cfg["n"] - cfg["timed_last"])
    t1 = time.perf_counter()
    study.optimize(objective, n_trials=cfg["timed_last"])
    t2 = time.perf_counter()
    print(json.dumps({
        "ms_per_trial_all": (t2 - t0) * 1000 / cfg["n"],
        "ms_per_trial_last": (t2 - t1) * 1000 / max(1, cfg["timed_last"]),
        "values": [t.values for t in study.trials],
    }))


main()
