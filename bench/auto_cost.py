"""Optuna 5.0's default sampler (TPESampler()) side of bench/auto_cost.ts.

    python bench/auto_cost.py <problem> <n_history> <n_timed> <seed>

A study of <n_history> random trials of a problem of bench/quality_problems.json, then
<n_timed> trials of TPESampler(seed=seed) (create_study's default), each timed (ask, suggest,
tell); prints {"problem", "n", "ms": [...], "cpu_ms": [...]}.
"""
import json, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optuna  # noqa: E402
from quality_optuna import PROBLEMS, constraint, evaluate, suggest  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.ERROR)


def objective_of(prob):
    def objective(trial):
        x = suggest(trial, prob["space"])
        c = constraint(prob["name"], x)
        for i, v in enumerate(c or []):
            trial.set_constraint(f"c{i}", v)
        return evaluate(prob["name"], x)
    return objective


def main():
    name, n, timed, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    prob = PROBLEMS[name]
    f = objective_of(prob)
    storage = optuna.storages.InMemoryStorage()
    study = optuna.create_study(storage=storage, study_name="s", directions=prob["objectives"],
                                sampler=optuna.samplers.RandomSampler(seed=seed))
    study.optimize(f, n_trials=n)
    study = optuna.load_study(storage=storage, study_name="s",
                              sampler=optuna.samplers.TPESampler(seed=seed))
    ms, cpu = [], []
    for _ in range(timed):
        t0, c0 = time.perf_counter(), time.process_time()
        trial = study.ask()
        study.tell(trial, f(trial))
        ms.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({"problem": name, "n": n, "ms": ms, "cpu_ms": cpu}), flush=True)


if __name__ == "__main__":
    main()
