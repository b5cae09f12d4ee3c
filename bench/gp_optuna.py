"""Optuna 5.0 GPSampler side of bench/gp_cost.ts (needs Optuna 5.0 + CPU torch + scipy).

    python bench/gp_optuna.py cost <n_history> <n_timed> <seed>
        A study of <n_history> random Hartmann-6 trials, then <n_timed> GPSampler trials, each
        timed (ask + suggest + tell), wall and CPU time; prints {"bench": "cost", "ms": [...], ...}.
    python bench/gp_optuna.py quality <problem> <n_seeds> <n_trials>
        Median best of GPSampler over seeds 0..n_seeds-1 (branin or hartmann6).
"""

import json
import math
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)

A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
AL = [1.0, 1.2, 3.0, 3.2]


def hartmann6(trial):
    x = [trial.suggest_float(f"x{j}", 0, 1) for j in range(6)]
    return -sum(AL[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


def branin(trial):
    x0, x1 = trial.suggest_float("x0", -5, 10), trial.suggest_float("x1", 0, 15)
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x1 - b * x0**2 + c * x0 - 6) ** 2 + 10 * (1 - t) * math.cos(x0) + 10


def warm_up():
    """A short discarded GP study (20 random trials, 3 GP trials), as bench/gp_cost.ts runs one."""
    study = optuna.create_study(sampler=optuna.samplers.GPSampler(seed=99, n_startup_trials=20))
    study.optimize(hartmann6, n_trials=23)


def cost(n_history, n_timed, seed):
    warm_up()
    storage = optuna.storages.InMemoryStorage()
    study = optuna.create_study(storage=storage, study_name="s", sampler=optuna.samplers.RandomSampler(seed=seed))
    study.optimize(hartmann6, n_trials=n_history)
    study = optuna.create_study(storage=storage, study_name="s", load_if_exists=True,
                                sampler=optuna.samplers.GPSampler(seed=seed))
    ms, cpu_ms = [], []
    for _ in range(n_timed):
        t0, c0 = time.perf_counter(), time.process_time()
        trial = study.ask()
        study.tell(trial, hartmann6(trial))
        ms.append((time.perf_counter() - t0) * 1000)
        cpu_ms.append((time.process_time() - c0) * 1000)
    print(json.dumps({"bench": "cost", "impl": "optuna", "n": n_history, "ms": ms, "cpu_ms": cpu_ms}), flush=True)


def quality(problem, n_seeds, n_trials):
    f = {"branin": branin, "hartmann6": hartmann6}[problem]
    bests = []
    t0 = time.perf_counter()
    for s in range(n_seeds):
        st = optuna.create_study(sampler=optuna.samplers.GPSampler(seed=s))
        st.optimize(f, n_trials=n_trials)
        bests.append(st.best_value)
    print(json.dumps({"bench": "quality", "impl": "optuna", "problem": problem, "median": sorted(bests)[len(bests) // 2],
                      "bests": bests, "s": time.perf_counter() - t0}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "cost":
        cost(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        quality(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
