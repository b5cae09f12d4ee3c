"""Python Optuna 5.0's side of bench/journal_bench.ts, on `JournalStorage(JournalFileBackend)`.

Usage:
  python journal_optuna.py worker <journal> <study> <n>   loads <study>, waits for START_AT
      (epoch ms), runs <n> trials of the random sampler on the work of the Hyperion worker
      (x in [-5, 5], n in [1, 9] on a log scale, c in {"a", 2, None}; five reports per trial),
      prints {"seconds": time in optimize}
  python journal_optuna.py load <journal>   prints {"seconds", "trials"}: the time to open the
      journal and read every trial of every study
"""
import json
import os
import sys
import time

import optuna
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend

optuna.logging.set_verbosity(optuna.logging.ERROR)


def objective(trial):
    x = trial.suggest_float("x", -5, 5)
    k = trial.suggest_int("n", 1, 9, log=True)
    c = trial.suggest_categorical("c", ["a", 2, None])
    for step in range(5):
        trial.report(x * step, step)
    return x * x + k + (1 if c == "a" else 0)


def worker(path, name, n):
    storage = JournalStorage(JournalFileBackend(path))
    study = optuna.load_study(study_name=name, storage=storage, sampler=optuna.samplers.RandomSampler())
    start_at = int(os.environ.get("START_AT", "0")) / 1000
    if start_at > time.time():
        time.sleep(start_at - time.time())
    started = time.perf_counter()
    study.optimize(objective, n_trials=n)
    print(json.dumps({"nTrials": n, "seconds": time.perf_counter() - started}))


def load(path):
    started = time.perf_counter()
    storage = JournalStorage(JournalFileBackend(path))
    n = sum(len(storage.get_all_trials(s._study_id, deepcopy=False)) for s in storage.get_all_studies())
    print(json.dumps({"seconds": time.perf_counter() - started, "trials": n}))


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        load(sys.argv[2])
