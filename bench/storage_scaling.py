"""Python Optuna 5.0's side of bench/storage_scaling.ts; prints one JSON line.

Usage:
  python storage_scaling.py per-trial <sqlite-file> <study-name> <n-trials>
      loads the (pre-filled) study and runs n trials of the random sampler on the bench's
      space; prints {"msPerTrial": ...} (CPU time)
  python storage_scaling.py memory <n-trials>
      runs n trials of the random sampler on an in-memory study; prints {"bytesPerTrial": ...}
      (traced Python allocations held after the run, divided by n)
  python storage_scaling.py load <sqlite-file> <study-name>
      loads the study and reads every trial; prints {"loadBytes": ..., "rssBytes": ...}
"""
import json
import resource
import sys
import time
import tracemalloc

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)


def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    lr = trial.suggest_float("lr", 1e-5, 1, log=True)
    n = trial.suggest_int("n", 0, 100)
    c = trial.suggest_categorical("c", ["a", "bb", "ccc"])
    return x * x + lr + n + len(c)


def per_trial(path, name, n):
    storage = optuna.storages.RDBStorage(f"sqlite:///{path}")
    study = optuna.load_study(study_name=name, storage=storage,
                              sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(objective, n_trials=5)  # warm-up
    started = time.process_time()
    study.optimize(objective, n_trials=n)
    return {"msPerTrial": (time.process_time() - started) * 1000 / n}


def memory(n):
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(objective, n_trials=n)
    after = tracemalloc.get_traced_memory()[0]
    assert len(study.trials) == n
    return {"bytesPerTrial": (after - before) / n}


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def load(path, name):
    rss_before = rss()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    storage = optuna.storages.RDBStorage(f"sqlite:///{path}")
    study = optuna.load_study(study_name=name, storage=storage)
    trials = study.get_trials(deepcopy=False)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    out = {"loadBytes": after - before, "rssBytes": rss() - rss_before, "n": len(trials)}
    return out


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "per-trial":
        result = per_trial(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif what == "memory":
        result = memory(int(sys.argv[2]))
    else:
        result = load(sys.argv[2], sys.argv[3])
    print(json.dumps(result))
