"""Paired comparison of two scenarios on the same draws, and what accounts for the difference.

Both scenarios are run with the same seed and sample count. costsim draws every uncertain
parameter from its own stream keyed by its *name* (``mc`` and ``lhs`` designs), so a parameter
the two scenarios share gets the same uniform draws in both: sample i of A and sample i of B
are the same "world" except for what was changed. The difference of an output is therefore
computed per sample, and its distribution (not the difference of two distributions) is what
is reported.

Differences
-----------
For outputs that span orders of magnitude (``costsim.units.spans_decades``) the difference is
``log10(B / A)`` (decades; ``log10=False`` for ``B - A``), otherwise ``B - A``. Per output,
year and bloc: the mean, sd, 5/50/95% of the per-sample difference, ``p_b_above_a`` = P(B > A)
and ``p_sign_flip`` = the share of samples whose difference has the opposite sign to the
median difference (how often the change goes the other way; 0 when the median is 0).

Attribution (one parameter reverted at a time)
----------------------------------------------
A parameter is *changed* when its definition (distribution, fields, clipping) differs. For each
changed parameter present in both, B is re-evaluated with that one parameter reverted to A's
values (A's draws, or A's constant), on B's models, everything else as in B:
``contribution_p = f(B) - f(B with p reverted)``, per sample. ``share`` = mean contribution /
mean difference. The remainder (mean difference minus the contributions) is reported as
``(interactions and structure)``: interactions between the changed parameters, parameters
added or removed, and changed models or formulas. For an additive model in the analysed scale
(e.g. log10 of a product of parameters) the contributions add up exactly and the remainder is 0.
Parameters that feed a changed copula (``correlations:``) are reverted with their own draws
only, so their correlation with others is not reverted.

The ``sobol`` design is keyed by the whole list of uncertain names; if the two scenarios'
lists differ, its draws are not shared and a CostsimWarning says the comparison is not paired.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field

import numpy as np

from costsim.callers import warn
from costsim.errors import CostsimWarning, Issue, ScenarioError
from costsim.sampling import draw
from costsim.scenario import Scenario, load_scenario
from costsim.units import spans_decades

DIFF_STATS = ("mean", "sd", "p05", "p50", "p95", "p_b_above_a", "p_sign_flip")
RESIDUAL = "(interactions and structure)"


@dataclass(frozen=True)
class DiffResult:
    """Paired differences B - A (``rows``) and their attribution to changed parameters."""

    rows: tuple[dict, ...]
    attribution: tuple[dict, ...]
    changed: dict[str, str]  # parameter -> "A -> B" description
    structure: tuple[str, ...]  # changed models/formulas/added/removed parameters, described
    meta: dict = field(default_factory=dict)

    def row(self, output: str, year: int | str = "", bloc: str = "") -> dict:
        for r in self.rows:
            if r["output"] == output and r["year"] == year and r["bloc"] == bloc:
                return r
        raise KeyError(f"no difference row for {output!r} year {year!r} bloc {bloc!r}")

    def contributions(self, output: str, year: int | str = "", bloc: str = "") -> dict[str, float]:
        """``{parameter or residual: mean contribution}`` at one output/year/bloc."""
        return {r["param"]: r["mean_contribution"] for r in self.attribution
                if r["output"] == output and r["year"] == year and r["bloc"] == bloc}

    def to_csv(self) -> str:
        """Difference rows, then attribution rows, as one CSV (``kind`` column tells them apart)."""
        cols = ["kind", "output", "scale", "bloc", "year", *DIFF_STATS, "param", "mean_contribution", "share"]
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n", restval="")
        writer.writeheader()
        for kind, rows in (("difference", self.rows), ("attribution", self.attribution)):
            for r in rows:
                writer.writerow({"kind": kind, **{k: (f"{v:.6g}" if isinstance(v, float) else v)
                                                 for k, v in r.items()}})
        return buf.getvalue()


def _describe(scenario: Scenario, name: str) -> str:
    p = scenario.params[name]
    text = p.dist.describe() if not p.is_constant else f"{p.value:g}"
    if p.clip_min is not None or p.clip_max is not None:
        text += f" clipped to [{p.clip_min}, {p.clip_max}]"
    return text


def _same_param(a, b) -> bool:
    return a.dist == b.dist and a.clip_min == b.clip_min and a.clip_max == b.clip_max


def _span(years: np.ndarray) -> str:
    return f"{int(years[0])}-{int(years[-1])}" if len(years) > 1 else f"{int(years[0])}"


def _structure(a: Scenario, b: Scenario) -> list[str]:
    notes = []

    def sig(s: Scenario):
        return [(n.label, n.spec.name, n.spec.origin, tuple(sorted((k, repr(v)) for k, v in n.bind.items())),
                 tuple(sorted(n.rename.items()))) for n in s.nodes]

    if sorted(sig(a)) != sorted(sig(b)) or a.formulas != b.formulas:
        notes.append("models or formulas differ")
    if a.correlations != b.correlations:
        notes.append("correlations differ")
    if tuple(a.blocs) != tuple(b.blocs):  # rows are labelled with A's names
        notes.append(f"blocs differ (A {', '.join(a.blocs)}; B {', '.join(b.blocs)}): compared by position, "
                     "leader first, under A's names")
    if not np.array_equal(a.years, b.years):
        notes.append(f"years differ (A {_span(a.years)}, B {_span(b.years)}): compared at the years both have")
    for name in a.params:
        if name not in b.params:
            notes.append(f"parameter {name} only in A")
    for name in b.params:
        if name not in a.params:
            notes.append(f"parameter {name} only in B")
    return notes


def _scale(name: str, ya: np.ndarray, yb: np.ndarray, log10: bool | None) -> str:
    want = spans_decades(name) if log10 is None else bool(log10)
    if want and np.all(ya > 0) and np.all(yb > 0):
        return "log10 ratio"
    if want and log10 is not False:
        warn(f"{name}: values <= 0, so its difference is B - A rather than log10(B / A)", CostsimWarning)
    return "difference"


def _f(y: np.ndarray, scale: str) -> np.ndarray:
    return np.log10(y) if scale == "log10 ratio" else y


def _at_years(arr: np.ndarray, axes: tuple, index: list[int]) -> np.ndarray:
    """``arr`` at the given year positions (unchanged when it has no year axis)."""
    return arr[:, index] if "year" in axes else arr


def _columns(arr: np.ndarray, axes: tuple, years: np.ndarray, want_years, blocs: tuple):
    """Yield (year, bloc, column) for the chosen years (all when None) and every bloc."""
    yrs = [(i, int(y)) for i, y in enumerate(years) if want_years is None or int(y) in want_years] \
        if "year" in axes else [(None, "")]
    bls = list(enumerate(blocs)) if "bloc" in axes else [(None, "")]
    for yi, year in yrs:
        for bi, bloc in bls:
            col = arr
            if yi is not None:
                col = col[:, yi]
            if bi is not None:
                col = col[..., bi]
            yield year, bloc, np.asarray(col, dtype=float)


def diff(a: Scenario | str, b: Scenario | str | None = None, n: int | None = None, seed: int | None = None, *,
         overrides_a: tuple[str, ...] = (), overrides_b: tuple[str, ...] = (), design: str | None = None,
         outputs: tuple[str, ...] | None = None, years: tuple[int, ...] | None = None, log10: bool | None = None,
         attribute: bool = True, chunk_size: int | None = None, workers: int | None = None,
         scheduler: object | None = None) -> DiffResult:
    """Run A and B on the same name-keyed draws and report the per-sample differences B - A.

    Parameters
    ----------
    a, b : Scenario or path
        The two scenarios; ``b`` defaults to ``a`` with ``overrides_b`` applied on top of A's.
    overrides_a, overrides_b : ``--set`` assignments
        Applied when A (B) is given as a path, or to derive B from A.
    n, seed : int, optional
        Samples and seed for both (default: A's).
    design : "mc" or "lhs", optional
        Default: A's sampling. ``sobol`` pairs draws only if both have the same uncertain names.
    outputs, years :
        What to compare (default: the outputs both keep, at A's summary_years; ``years=()``: all).
    attribute : bool
        Re-evaluate B once per changed parameter to attribute the difference (see module notes).
    chunk_size, workers, scheduler :
        How the evaluations are split (see :mod:`costsim.parallel`); results do not depend on them.

    Examples
    --------
    >>> res = diff("scenarios/export_controls_base.yaml", overrides_b=("policy.preset=strict",))  # doctest: +SKIP
    """
    a = a if isinstance(a, Scenario) else load_scenario(a, tuple(overrides_a))
    if b is None:
        b = a
        if overrides_b:
            from costsim.recipe import build, recipe_of

            b = build(recipe_of(a).with_overrides(overrides_b))
    elif not isinstance(b, Scenario):
        b = load_scenario(b, tuple(overrides_b))
    # both run on one set of draws (a paired comparison): B's own seed and sample count are not
    # used, so a B that differs only there would show no difference: say so (found by red-team)
    if seed is None and b.seed != a.seed:
        warn(f"B's seed ({b.seed}) is not used: A and B run on the same draws, from A's seed ({a.seed}), so "
             "a change of seed alone shows no difference; pass seed (--seed) to choose the draws of both",
             CostsimWarning)
    if n is None and b.samples != a.samples:
        warn(f"B's samples ({b.samples}) are not used: A and B run on the same {a.samples} draws (A's); pass n (-n) "
             "to choose the count of both", CostsimWarning)
    n = int(a.samples if n is None else n)
    seed = int(a.seed if seed is None else seed)
    if n < 1:  # an empty draw kept no output: a KeyError deep in the comparison
        raise ScenarioError(f"{a.source} vs {b.source}", [Issue("samples", "must be at least 1", ">= 1", n)])
    if not 0 <= seed <= 2**63 - 1:
        raise ScenarioError(f"{a.source} vs {b.source}", [Issue("seed", "out of range", f"0 <= seed <= {2**63 - 1}",
                                                                seed)])
    design = design or a.sampling
    if b.sampling != a.sampling and design == a.sampling:
        warn(f"A samples with {a.sampling} and B with {b.sampling}; both use {design} here", CostsimWarning)
    if design == "sobol" and a.uncertain != b.uncertain:
        warn("the sobol design draws one sequence over all uncertain names, and A and B have different "
                      "ones, so their draws are not paired; use design='mc' or 'lhs'", CostsimWarning)
    shared = [o for o in a.outputs if o in b.outputs] if outputs is None else list(outputs)
    issues = [Issue("outputs", "not an output of both scenarios", "an output of A and of B", o)
              for o in shared if o not in a.output_axes() or o not in b.output_axes()]
    if not shared and not issues:
        issues.append(Issue("outputs", "the scenarios share no output", "at least one output in both", None))
    if issues:
        raise ScenarioError(f"{a.source} vs {b.source}", issues)
    keep = tuple(shared)
    # per-year outputs are compared year by year: A's year Y against B's year Y, never by position
    common = [int(y) for y in a.years if int(y) in {int(x) for x in b.years}]
    if years is None:
        want_years = tuple(y for y in a.summary_years if int(y) in common)
        if not want_years and common:
            want_years = (common[-1],)
    else:
        want_years = tuple(int(y) for y in years) or None
    from costsim.kernel import output_axes

    axes_of = output_axes(a)
    if any("year" in axes_of.get(o, ("year",)) for o in keep):
        if not common:
            raise ScenarioError(f"{a.source} vs {b.source}", [Issue(
                "years", "the scenarios share no year", "overlapping years",
                f"A {int(a.years[0])}-{int(a.years[-1])}, B {int(b.years[0])}-{int(b.years[-1])}")])
        outside = [y for y in want_years or () if y not in common]
        if outside:
            raise ScenarioError("--years", [Issue(
                "--years", "not a year of both scenarios", f"years in {common[0]}-{common[-1]}"
                + ("" if len(common) == common[-1] - common[0] + 1 else f" ({', '.join(map(str, common))})"),
                outside[0])])
    from costsim import budget
    from costsim.parallel import evaluate

    # A's and B's draws and outputs are alive together, and one reverted set during attribution
    est_a = budget.estimate(a, n, keep, design=design, chunk_size=chunk_size)
    est_b = budget.estimate(b, n, keep, design=design, chunk_size=chunk_size, copies=2 if attribute else 1)
    budget.check(a, budget.Estimate(n, est_a.per_row + est_b.per_row, max(est_a.fixed, est_b.fixed),
                                    {k: est_a.parts.get(k, 0) + est_b.parts.get(k, 0) for k in est_a.parts}),
                 what="the comparison")

    split = {"chunk_size": chunk_size, "workers": workers, "scheduler": scheduler}
    t0 = time.perf_counter()
    values_a, _ = draw(a, n, seed, design)
    values_b, _ = draw(b, n, seed, design)
    out_a, axes_a = evaluate(a, values_a, n, keep=keep, **split)
    out_b, axes_b = evaluate(b, values_b, n, keep=keep, **split)
    paired = [name for name in a.uncertain if name in b.params and _same_param(a.params[name], b.params[name])
              and name in values_b and np.array_equal(values_a[name], values_b[name])]
    changed = {name: f"{_describe(a, name)} -> {_describe(b, name)}" for name in a.params
               if name in b.params and not _same_param(a.params[name], b.params[name])}
    structure = tuple(_structure(a, b))

    scales = {}
    rows = []
    ia = [i for i, y in enumerate(a.years) if int(y) in common]
    ib = [i for i, y in enumerate(b.years) if int(y) in common]
    years_c = np.asarray(common)
    if len(ia) != len(a.years) or len(ib) != len(b.years):
        out_a = {k: _at_years(v, axes_a[k], ia) for k, v in out_a.items()}
        out_b = {k: _at_years(v, axes_b[k], ib) for k, v in out_b.items()}
    for name in keep:
        if out_a[name].shape != out_b[name].shape:
            raise ScenarioError(f"{a.source} vs {b.source}", [Issue(
                "outputs", f"output {name!r} has different shapes in A and B", "the same years and blocs",
                f"{out_a[name].shape} vs {out_b[name].shape}")])
        scales[name] = scale = _scale(name, out_a[name], out_b[name], log10)
        d = _f(out_b[name], scale) - _f(out_a[name], scale)
        for year, bloc, col in _columns(d, axes_a[name], years_c, want_years, a.blocs):
            q = np.quantile(col, (0.05, 0.5, 0.95))
            med = q[1]
            flip = float(np.mean(np.sign(col) == -np.sign(med))) if med != 0 else 0.0
            rows.append({"output": name, "scale": scale, "bloc": bloc, "year": year, "mean": float(col.mean()),
                         "sd": float(col.std(ddof=1)) if n > 1 else 0.0, "p05": float(q[0]), "p50": float(med),
                         "p95": float(q[2]), "p_b_above_a": float(np.mean(col > 0)), "p_sign_flip": flip})

    attribution = []
    if attribute and changed:
        contrib: dict[str, dict[str, np.ndarray]] = {}
        for p in changed:
            reverted = dict(values_b)
            reverted[p] = values_a[p] if p in values_a else np.full(n, a.params[p].value)
            out_r, _ = evaluate(b, reverted, n, keep=keep, **split)
            if len(ib) != len(b.years):
                out_r = {k: _at_years(v, axes_b[k], ib) for k, v in out_r.items()}
            contrib[p] = {name: _f(out_b[name], scales[name]) - _f(out_r[name], scales[name]) for name in keep}
        for name in keep:
            d = _f(out_b[name], scales[name]) - _f(out_a[name], scales[name])
            per = {p: dict(((y, bl), float(c.mean())) for y, bl, c in
                           _columns(contrib[p][name], axes_a[name], years_c, want_years, a.blocs)) for p in changed}
            for year, bloc, col in _columns(d, axes_a[name], years_c, want_years, a.blocs):
                total = float(col.mean())
                parts = {p: per[p][(year, bloc)] for p in changed}
                residual = total - sum(parts.values())
                noise = 1e-12 * (abs(total) + sum(abs(v) for v in parts.values()))
                parts[RESIDUAL] = 0.0 if abs(residual) <= noise else residual  # rounding, not interactions
                order = sorted(changed, key=lambda p: -abs(parts[p])) + [RESIDUAL]
                for p in order:
                    attribution.append({"output": name, "scale": scales[name], "bloc": bloc, "year": year, "param": p,
                                        "mean_contribution": parts[p],
                                        "share": parts[p] / total if total != 0 else float("nan")})
    meta = {"a": a.source, "b": b.source, "overrides_a": list(a.overrides), "overrides_b": list(b.overrides),
            "n": n, "seed": seed, "design": design, "paired_params": paired,
            "unpaired_params": [x for x in b.uncertain if x not in paired],
            "wall_time_s": round(time.perf_counter() - t0, 4)}
    return DiffResult(tuple(rows), tuple(attribution), changed, structure, meta)
