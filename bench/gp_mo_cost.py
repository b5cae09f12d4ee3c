"""Optuna 5.0's GPSampler per-trial cost on DTLZ2 (3 objectives), for bench/gp_mo_cost.ts.

Usage: python gp_mo_cost.py N TIMED SEED  (N random trials, then TIMED GP trials, each timed)
Prints one JSON line: {"n", "cpuMs": [...], "wallMs": [...]}. Run with OMP_NUM_THREADS=1.
"""
import json, sys, time
import optuna

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from quality_optuna import PROBLEMS, evaluate, suggest  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.ERROR)
n, timed, seed = (int(a) for a in sys.argv[1:4])
prob = PROBLEMS["dtlz2"]


def objective(trial):
    return evaluate("dtlz2", suggest(trial, prob["space"]))


storage = optuna.storages.InMemoryStorage()
first = optuna.create_study(storage=storage, study_name="s", directions=prob["objectives"],
                            sampler=optuna.samplers.RandomSampler(seed=seed))
first.optimize(objective, n_trials=n)
study = optuna.load_study(storage=storage, study_name="s", sampler=optuna.samplers.GPSampler(seed=seed))
cpu, wall = [], []
for _ in range(timed):
    c0, t0 = time.process_time(), time.perf_counter()
    study.optimize(objective, n_trials=1)
    cpu.append((time.process_time() - c0) * 1000)
    wall.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"n": n, "cpuMs": cpu, "wallMs": wall}))
