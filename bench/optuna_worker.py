"""A Python Optuna 5.0 worker for bench/workers_bench.ts: loads study NAME from the storage URL
(SQLAlchemy spelling), waits for the common start time START_AT (epoch ms, optional), runs N
trials of the random sampler on the same work as the Hyperion worker (x in [-5, 5], n in [1, 9]
on a log scale, c in {"a", 2, None}; five reports per trial) and prints one JSON line with the
seconds spent in `optimize`.

Usage: python optuna_worker.py <storage-url> <study-name> <n-trials>
"""
import json
import os
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
url, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
engine_kwargs = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}
storage = optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs)
study = optuna.load_study(study_name=name, storage=storage, sampler=optuna.samplers.RandomSampler())


def objective(trial):
    x = trial.suggest_float("x", -5, 5)
    k = trial.suggest_int("n", 1, 9, log=True)
    c = trial.suggest_categorical("c", ["a", 2, None])
    for step in range(5):
        trial.report(x * step, step)
    return x * x + k + (1 if c == "a" else 0)


start_at = int(os.environ.get("START_AT", "0")) / 1000
if start_at > time.time():
    time.sleep(start_at - time.time())
started = time.perf_counter()
study.optimize(objective, n_trials=n)
print(json.dumps({"pid": os.getpid(), "nTrials": n, "seconds": time.perf_counter() - started}))
