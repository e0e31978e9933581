"""Calibrate against data with the Python API: fit trends, place DeepSeek-V3, backtest.

Data: the bundled snapshot of Epoch AI's "Notable AI Models" (2025-02-24, CC BY 4.0,
https://epoch.ai/data/notable-ai-models). Run: python examples/calibration_example.py
"""

from costsim import calibration as cal

FRONTIER = ["Frontier model=True"]

dataset = cal.load_dataset()  # or cal.load_dataset("path/to/newer_export.csv")

# 1. Three trends, each with its 90% interval, and the published estimates they test.
fits = {
    "compute, all notable models since 2010": (cal.select(dataset, cal.COMPUTE_COLUMN, since=2010), None),
    "compute, frontier models since 2010": (
        cal.select(dataset, cal.COMPUTE_COLUMN, FRONTIER, since=2010),
        "claims.yaml trend.frontier_compute_growth: 4-5x/yr (sevilla2024)"),
    "cost, frontier models since 2016": (
        cal.select(dataset, cal.COST_COLUMN, FRONTIER, since=2016),
        "claims.yaml trend.frontier_training_cost_growth: 2.4x/yr, 95% CI 2.0-2.9 (cottier2024)"),
}
trends = {}
for label, (selection, published) in fits.items():
    trend = cal.fit_trend(selection, method="ols", level=0.9)
    trends[label] = trend
    lo, hi = trend.growth_interval()
    lo95, hi95 = trend.growth_interval(0.95)
    print(f"{label}: {trend.growth_x_per_year:.2f}x/yr, 90% CI [{lo:.2f}, {hi:.2f}], 95% CI [{lo95:.2f}, {hi95:.2f}], "
          f"n = {trend.n}, residual sd {trend.residual_sd_log10:.2f} dex")
    if published:
        print(f"    published: {published}")

# 2. DeepSeek-V3 against the frontier trends at its publication date.
for label, column in (("compute, frontier models since 2010", cal.COMPUTE_COLUMN),
                      ("cost, frontier models since 2016", cal.COST_COLUMN)):
    placed = cal.residual_in_sd(trends[label], dataset, "DeepSeek-V3", column)
    print(f"DeepSeek-V3 {column}: {placed['value']:.3g} vs frontier trend {placed['trend_value']:.3g} at "
          f"{placed['year']:.2f}: {placed['residual_log10']:+.2f} dex = {placed['residual_sd']:+.2f} residual sd")

# 3. Backtest: fit frontier compute before 2020, score the projection on 2020-2025.
result = cal.backtest(cal.select(dataset, cal.COMPUTE_COLUMN, FRONTIER, since=2010), cutoff=2020)
print(result.summary())

# 4. The frontier compute trend as a scenario parameter.
spec = cal.to_param_spec(trends["compute, frontier models since 2010"], credibility=0.9)
print(cal.param_yaml("frontier_flop_x_per_year", spec), end="")
