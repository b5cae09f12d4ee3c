"""Python Optuna 5.0 on the problems of bench/quality_problems.json, for bench/sampler_quality.ts.

Prints one JSON object per line and run: {"problem", "sampler", "seed", "best", "seconds"}.
`best` is the best feasible value (single objective) or the hypervolume of the feasible trials'
objective values against the problem's reference point (multi-objective; larger is better).

Usage: python quality_optuna.py --samplers tpe,mtpe,gp --problems branin,zdt1 --seeds 0-19 --trials 100
GP needs torch: run with the venv of ../../shared/bench/gp_venv.sh.
The objective functions must equal bench/_quality_problems.ts.
"""
import argparse, json, math, os, sys, time
import optuna
from optuna._hypervolume import compute_hypervolume
import numpy as np

optuna.logging.set_verbosity(optuna.logging.ERROR)
HERE = os.path.dirname(os.path.abspath(__file__))
PROBLEMS = {p["name"]: p for p in json.load(open(os.path.join(HERE, "quality_problems.json")))["problems"]}

A6 = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P6 = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
      [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
AL6 = [1.0, 1.2, 3.0, 3.2]


def hartmann6(xs):
    return -sum(AL6[i] * math.exp(-sum(A6[i][j] * (xs[j] - P6[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


def evaluate(name, x):
    """Objective value(s) of `name` at the parameters `x` (a dict)."""
    if name == "branin":
        b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
        return (x["x1"] - b * x["x0"]**2 + c * x["x0"] - 6)**2 + 10 * (1 - t) * math.cos(x["x0"]) + 10
    if name in ("hartmann6", "hartmann6_constrained"):
        return hartmann6([x[f"x{i}"] for i in range(6)])
    if name == "mixed":
        base = {"relu": 0.0, "tanh": 0.15, "sigmoid": 0.4}[x["act"]]
        return (math.log10(x["lr"]) + 2.5)**2 + 0.1 * (x["layers"] - 3)**2 + base + (x["dropout"] - 0.2)**2 * 2
    if name == "styblinski20":
        return sum(v**4 - 16 * v**2 + 5 * v for v in (x[f"x{i}"] for i in range(20))) / 2
    if name == "conditional":
        m = x["model"]
        if m == "linear":
            return 0.1 * (math.log10(x["alpha"]) + 3)**2 + 0.3
        if m == "tree":
            return ((x["depth"] - 7) / 4)**2 + 0.5 * ((math.log(x["min_leaf"]) - math.log(5)) / 2)**2 + 0.1
        return 0.5 * (math.log10(x["lr"]) + 3)**2 + ((math.log2(x["width"]) - 7) / 3)**2 + 2 * (x["dropout"] - 0.25)**2
    if name == "zdt1":
        xs = [x[f"x{i}"] for i in range(10)]
        g = 1 + 9 * sum(xs[1:]) / 9
        return [xs[0], g * (1 - math.sqrt(xs[0] / g))]
    if name == "dtlz2":
        xs = [x[f"x{i}"] for i in range(8)]
        g = sum((v - 0.5)**2 for v in xs[2:])
        a, b = xs[0] * math.pi / 2, xs[1] * math.pi / 2
        return [(1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b), (1 + g) * math.sin(a)]
    if name == "dtlz7":
        xs = [x[f"x{i}"] for i in range(8)]
        g = 1 + 9 * sum(xs[2:]) / len(xs[2:])
        h = 3 - sum(v / (1 + g) * (1 + math.sin(3 * math.pi * v)) for v in xs[:2])
        return [xs[0], xs[1], (1 + g) * h]
    raise KeyError(name)


def constraint(name, x):
    """The constraint values (feasible when all <= 0), or None when the problem has none."""
    if name == "hartmann6_constrained":
        return [sum(x[f"x{i}"] for i in range(6)) - 2.0]
    return None


def suggest(trial, space):
    out = {}
    for p in space:
        when = p.get("when")
        if when and any(out.get(k) != v for k, v in when.items()):
            continue
        if p["type"] == "float":
            out[p["name"]] = trial.suggest_float(p["name"], p["low"], p["high"], log=p.get("log", False))
        elif p["type"] == "int":
            out[p["name"]] = trial.suggest_int(p["name"], p["low"], p["high"], log=p.get("log", False))
        else:
            out[p["name"]] = trial.suggest_categorical(p["name"], p["choices"])
    return out


def make_sampler(kind, seed):
    cf = {}
    if kind == "tpe":  # Optuna 5.0's default TPE is multivariate
        return optuna.samplers.TPESampler(seed=seed, **cf)
    if kind == "utpe":
        return optuna.samplers.TPESampler(seed=seed, multivariate=False, **cf)
    if kind == "mtpe":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True, **cf)
    if kind == "gp":
        return optuna.samplers.GPSampler(seed=seed, **cf)
    if kind == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    if kind == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, **cf)
    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise KeyError(kind)


def best_of(study, prob):
    feasible = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE
                and all(c <= 0 for c in (t.user_attrs.get("constraint") or []))]
    if len(prob["objectives"]) == 1:
        return min(t.value for t in feasible) if feasible else None
    ref = np.array(prob["reference_point"], dtype=float)
    pts = np.array([t.values for t in feasible], dtype=float)
    pts = pts[np.all(pts < ref, axis=1)]
    return float(compute_hypervolume(pts, ref)) if len(pts) else 0.0


def run(prob, kind, seed, n_trials):
    name = prob["name"]
    study = optuna.create_study(directions=prob["objectives"],
                                sampler=make_sampler(kind, seed))

    def objective(trial):
        x = suggest(trial, prob["space"])
        c = constraint(name, x)
        if c is not None:  # Optuna 5.0's Trial.set_constraint: system attr "constraints:c0"
            trial.set_user_attr("constraint", c)
            for i, v in enumerate(c):
                trial.set_constraint(f"c{i}", v)
        return evaluate(name, x)

    t0 = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    return best_of(study, prob), time.perf_counter() - t0


def seeds_of(text):
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samplers", default="tpe,mtpe,gp")
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--seeds", default="0-19")
    ap.add_argument("--trials", type=int, default=100)
    a = ap.parse_args()
    for name in a.problems.split(","):
        for kind in a.samplers.split(","):
            if kind == "cmaes" and (len(PROBLEMS[name]["objectives"]) > 1 or PROBLEMS[name].get("conditional")):
                continue
            for seed in seeds_of(a.seeds):
                best, secs = run(PROBLEMS[name], kind, seed, a.trials)
                print(json.dumps({"problem": name, "sampler": kind, "seed": seed, "best": best,
                                  "seconds": round(secs, 3)}), flush=True)


if __name__ == "__main__":
    main()
