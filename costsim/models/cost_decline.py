"""Cost of a fixed capability over time: the trend, its components and the shape of its decline.

The central claim of the debate is that the cost of reaching a *fixed* capability falls by a
factor per year (~4x/year in amodei2025). This module builds that factor from hardware
price-performance and algorithmic efficiency, turns it into a cost trajectory under a choice of
shapes (exponential, logistic, experience curve), and answers the questions the scenarios ask of
it: how much cheaper "should" a model be after a lag, and how many years until a shortfall closes.

All declines are handled as natural-log declines ``L = ln(cost_base / cost)`` so that products of
large factors never overflow.
"""

from __future__ import annotations

import numpy as np

from costsim.registry import model


@model(outputs=("decline_x_per_year",),
       domains={"hardware_flop_per_usd_x_per_year": "(0, inf)", "algorithmic_efficiency_x_per_year": "(0, inf)"})
def decline_from_components(*, hardware_flop_per_usd_x_per_year, algorithmic_efficiency_x_per_year):
    """Yearly decline of the cost of a fixed capability, from its two components.

    decline = hardware price-performance growth * algorithmic efficiency growth

    Parameters
    ----------
    hardware_flop_per_usd_x_per_year : array, (n, 1), > 0
        Growth multiple per year of FLOP bought per dollar.
    algorithmic_efficiency_x_per_year : array, (n, 1), > 0
        Multiple per year by which the compute needed for the same capability shrinks.

    Returns
    -------
    dict with ``decline_x_per_year`` : array, (n, 1)

    References
    ----------
    Hobbhahn & Besiroglu (2022), "Trends in GPU price-performance", Epoch AI.
    Ho et al. (2024), "Algorithmic progress in language models", arXiv:2403.05812.
    """
    return {"decline_x_per_year": hardware_flop_per_usd_x_per_year * algorithmic_efficiency_x_per_year}


@model(outputs=("growth_x_per_year",))
def x_per_year_from_doubling_time(*, doubling_time_years):
    """Growth multiple per year of a quantity that doubles (or halves) every ``doubling_time_years``.

    growth = 2 ** (1 / doubling_time)

    A halving time of the compute needed gives the multiple by which that compute shrinks per year.
    Bind and rename in the scenario (e.g. ``rename: {growth_x_per_year:
    algorithmic_efficiency_x_per_year}``).

    Parameters
    ----------
    doubling_time_years : array, (n, 1), > 0
        Doubling (or halving) time.

    Returns
    -------
    dict with ``growth_x_per_year`` : array, (n, 1)
    """
    return {"growth_x_per_year": np.exp2(1 / doubling_time_years)}


@model(outputs=("hardware_flop_per_usd",),
       domains={"base_hardware_flop_per_usd": "(0, inf)", "hardware_flop_per_usd_x_per_year": "(0, inf)"})
def price_performance_trend(*, year, base_year, base_hardware_flop_per_usd, hardware_flop_per_usd_x_per_year):
    """Peak FLOP bought per dollar, growing by a constant multiple per year.

    flop_per_usd(year) = base * growth ** (year - base_year)

    Parameters
    ----------
    year : array, (1, T)
    base_year : float
        Calendar year at which ``base_hardware_flop_per_usd`` holds.
    base_hardware_flop_per_usd : array, (n, 1), > 0
        Peak FLOP per dollar at the base year (e.g. peak FLOP/s * 3600 / rental price per hour).
    hardware_flop_per_usd_x_per_year : array, (n, 1), > 0
        Growth multiple per year of FLOP per dollar.

    Returns
    -------
    dict with ``hardware_flop_per_usd`` : array, (n, T)

    References
    ----------
    Hobbhahn & Besiroglu (2022), "Trends in GPU price-performance", Epoch AI.
    """
    log_growth = (year - base_year) * np.log(hardware_flop_per_usd_x_per_year)
    return {"hardware_flop_per_usd": base_hardware_flop_per_usd * np.exp(log_growth)}


@model(outputs=("capability_cost_usd", "cost_decline_x"),
       domains={"capability_base_cost_usd": "[0, inf)", "decline_x_per_year": "(0, inf)"})
def exponential_capability_cost(*, year, base_year, capability_base_cost_usd, decline_x_per_year):
    """Cost of a fixed capability falling by a constant multiple per year.

    cost(year) = base_cost / decline ** (year - base_year)

    Parameters
    ----------
    year : array, (1, T)
    base_year : float
        Calendar year at which the cost equals ``capability_base_cost_usd``.
    capability_base_cost_usd : array, (n, 1), > 0
        Cost of reaching the capability at the base year.
    decline_x_per_year : array, (n, 1), > 0
        Multiple by which the cost falls per year (4.0 = a quarter of the cost a year later).

    Returns
    -------
    dict with
    ``capability_cost_usd`` : array, (n, T)
    ``cost_decline_x`` : array, (n, T), base_cost / cost

    References
    ----------
    Amodei (2025), "On DeepSeek and Export Controls" (the ~4x/year claim).
    """
    log_decline = (year - base_year) * np.log(decline_x_per_year)
    return {
        "capability_cost_usd": capability_base_cost_usd * np.exp(-log_decline),
        "cost_decline_x": np.exp(log_decline),
    }


def _log_decline_exponential(elapsed_years, rate_per_year):
    return rate_per_year * elapsed_years


def _log_decline_logistic(elapsed_years, rate_per_year, ceiling_log):
    # Logistic (tanh) in log cost: slope `rate` at the base year, total decline -> ceiling_log.
    return ceiling_log * np.tanh(rate_per_year * elapsed_years / ceiling_log)


def _log_exprel(x):
    """ln((e^x - 1) / x), stable for any x (0 at x = 0, ~x - ln x for large x)."""
    ax = np.abs(x)
    ax_ok = np.where(ax == 0, 1.0, ax)  # placeholder where the value is not used
    value = np.maximum(x, 0) + np.log(-np.expm1(-ax_ok)) - np.log(ax_ok)
    return np.where(ax == 0, 0.0, value)


def _log_decline_experience(elapsed_years, rate_per_year, learning_log2, spend_growth_log, elasticity, cap_log):
    """Wright's law with spending that grows and responds to the falling cost (closed form).

    Cost c = c0 * x**(-lam) with x = Q / Q0 the cumulative output relative to the base year and
    lam = log2(decline per doubling). Output per year is spend / c, spend = S0 e^(g t) (c/c0)^(-eps).
    Then dx/dt = u0 e^(g t) x^k with k = lam (1 + eps), whose solution is
        ln x = ln(1 + (1 - k) M) / (1 - k),   M = u0 (e^(g t) - 1) / g   (ln x = M when k = 1).
    For k > 1 it reaches infinity when M = 1 / (k - 1): a finite-time blow-up. u0 (output per
    year over cumulative output at the base year) is set so that the initial decline rate equals
    ``rate_per_year`` (lam * u0 = rate), which makes all shapes agree at the base year.
    Years before the base year are held at the base value (the curve has no history here).
    Everything is computed from ln M so that no intermediate overflows; the result is capped at
    ``cap_log`` (diverged samples return exactly ``cap_log``).
    """
    t = np.maximum(elapsed_years, 0)
    u0 = rate_per_year / learning_log2
    # ln(0) = -inf is the intended value for u0 = 0 (no decline) and t = 0 (base year): M = 0
    with np.errstate(divide="ignore"):
        log_m = np.log(u0) + np.log(t) + _log_exprel(spend_growth_log * t)
    k = learning_log2 * (1 + elasticity)
    log_lam = np.log(learning_log2)
    # k < 1: ln x = ln(1 + (1 - k) M) / (1 - k)
    one_minus_k = np.where(k < 1, 1 - k, 1.0)
    sub = learning_log2 * np.logaddexp(0, np.log(one_minus_k) + log_m) / one_minus_k
    # k > 1: ln x = -ln(1 - (k - 1) M) / (k - 1), infinite once (k - 1) M >= 1
    k_minus_one = np.where(k > 1, k - 1, 1.0)
    z = np.log(k_minus_one) + log_m
    diverged = (k > 1) & (z >= 0)
    z_ok = np.where(diverged | (k <= 1), -1.0, z)  # -1.0: placeholder where the value is not used
    sup = -learning_log2 * np.log1p(-np.exp(z_ok)) / k_minus_one
    # k = 1: ln x = M
    one = np.exp(np.minimum(log_lam + log_m, np.log(cap_log)))
    log_decline = np.select([k < 1, k > 1], [sub, sup], default=one)
    return np.where(diverged, cap_log, np.minimum(log_decline, cap_log))


@model(outputs=("capability_cost_usd", "cost_decline_x", "capped_flag"),
       domains={"capability_base_cost_usd": "[0, inf)", "decline_x_per_year": "(0, inf)",
                "decline_ceiling_x": "(0, inf)", "experience_decline_x_per_doubling": "(0, inf)",
                "budget_x_per_year": "(0, inf)", "decline_cap_x": "(0, inf)"})
def fixed_capability_cost(
    *,
    year,
    base_year,
    capability_base_cost_usd,
    decline_x_per_year,
    shape_choice_index,
    decline_ceiling_x,
    experience_decline_x_per_doubling,
    budget_x_per_year,
    spend_price_elasticity,
    decline_cap_x,
):
    """Cost of a fixed capability under a chosen (or sampled) shape of decline, capped.

    All shapes start at ``capability_base_cost_usd`` in ``base_year`` and fall at the same rate
    ``decline_x_per_year`` there; they differ in how the rate evolves. With L the natural-log
    decline since the base year and r = ln(decline_x_per_year), t = year - base_year:

    * shape 0, exponential: L = r t (constant rate).
    * shape 1, logistic (slowing, saturating): L = Lc tanh(r t / Lc), Lc = ln(decline_ceiling_x);
      the total decline approaches ``decline_ceiling_x``.
    * shape 2, experience curve (Wright's law): the cost falls by ``experience_decline_x_per_doubling``
      per doubling of cumulative output; spend grows by ``budget_x_per_year`` and responds to the
      cost with ``spend_price_elasticity``, so output = spend / cost feeds back into learning.
      L = lam ln(1 + (1 - k) M) / (1 - k), lam = log2(decline per doubling), k = lam (1 + eps),
      M = (r / lam) (e^(g t) - 1) / g, g = ln(budget_x_per_year). Diverges in finite time when k > 1.

    Every shape is capped at ``decline_cap_x`` (L <= ln(decline_cap_x)); ``capped_flag`` is 1 from
    the first year in which a sample's decline reaches the cap (or diverges), so its mean over
    samples in the last year is the share of capped samples. ``shape_choice_index`` is typically a
    ``choice`` parameter over 0, 1, 2 with weights: a mixture of shapes.

    Parameters
    ----------
    year : array, (1, T)
    base_year : float
        Calendar year of the base cost and of the initial rate.
    capability_base_cost_usd : array, (n, 1), > 0
        Cost of reaching the capability at the base year.
    decline_x_per_year : array, (n, 1), >= 1
        Multiple by which the cost falls per year at the base year.
    shape_choice_index : array, (n, 1), in {0, 1, 2}
        0 exponential, 1 logistic, 2 experience curve.
    decline_ceiling_x : array, (n, 1), > 1
        Logistic shape: total decline the curve saturates at.
    experience_decline_x_per_doubling : array, (n, 1), > 1
        Experience curve: multiple by which cost falls per doubling of cumulative output.
    budget_x_per_year : array, (n, 1), > 0
        Experience curve: growth multiple per year of spend, before the price response.
    spend_price_elasticity : array, (n, 1), >= 0
        Experience curve: spend grows as cost ** (-elasticity) when the cost falls.
    decline_cap_x : float or array, > 1
        Largest decline any shape may reach (the guard against blow-ups).

    Returns
    -------
    dict with
    ``capability_cost_usd`` : array, (n, T)
    ``cost_decline_x`` : array, (n, T), base_cost / cost
    ``capped_flag`` : array, (n, T), 1.0 from the year the cap is reached on

    References
    ----------
    Wright, T. P. (1936), "Factors affecting the cost of airplanes", J. Aeronautical Sciences 3(4).
    Nagy, B. et al. (2013), "Statistical basis for predicting technological progress",
    PLoS ONE 8(2): e52669, doi:10.1371/journal.pone.0052669.
    Amodei (2025), "On DeepSeek and Export Controls" (the ~4x/year claim).
    """
    elapsed_years = year - base_year
    rate = np.log(decline_x_per_year)
    cap_log = np.log(decline_cap_x)
    exponential = _log_decline_exponential(elapsed_years, rate)
    logistic = _log_decline_logistic(elapsed_years, rate, np.log(decline_ceiling_x))
    experience = _log_decline_experience(
        elapsed_years, rate, np.log2(experience_decline_x_per_doubling), np.log(budget_x_per_year),
        spend_price_elasticity, cap_log,
    )
    shape = np.asarray(shape_choice_index)
    log_decline = np.select([shape == 0, shape == 1], [exponential, logistic], default=experience)
    capped = log_decline >= cap_log
    log_decline = np.minimum(log_decline, cap_log)
    capped_flag = np.logical_or.accumulate(capped, axis=-1)
    return {
        "capability_cost_usd": capability_base_cost_usd * np.exp(-log_decline),
        "cost_decline_x": np.exp(log_decline),
        "capped_flag": capped_flag.astype(float),
    }


@model(outputs=("on_trend_cheaper_x", "on_trend_cost_usd"),
       domains={"reference_cost_usd": "[0, inf)", "decline_x_per_year": "(0, inf)",
                "effective_compute_gap_x": "(0, inf)"})
def on_trend_cost(*, reference_cost_usd, lag_years, decline_x_per_year, effective_compute_gap_x):
    """How much cheaper a later, somewhat weaker model "should" be if it is on the cost curve.

    cheaper = decline ** lag * gap ;  on_trend_cost = reference_cost / cheaper

    A model trained ``lag_years`` after a reference model, and ``effective_compute_gap_x`` times
    less effective compute on the scaling curve, costs the reference cost divided by both factors.

    Parameters
    ----------
    reference_cost_usd : array, (n, 1), > 0
        Training cost of the earlier reference model.
    lag_years : array, (n, 1), >= 0
        Time between the two training runs.
    decline_x_per_year : array, (n, 1), > 0
        Yearly decline of the cost of a fixed capability.
    effective_compute_gap_x : array, (n, 1), > 0
        How many times less effective compute the later model embodies (1 = same capability).

    Returns
    -------
    dict with
    ``on_trend_cheaper_x`` : array, (n, 1)
    ``on_trend_cost_usd`` : array, (n, 1)

    References
    ----------
    Amodei (2025), "On DeepSeek and Export Controls" (~4x/year and ~2x on the scaling curve -> ~8x).
    """
    log_cheaper = lag_years * np.log(decline_x_per_year) + np.log(effective_compute_gap_x)
    return {
        "on_trend_cheaper_x": np.exp(log_cheaper),
        "on_trend_cost_usd": reference_cost_usd * np.exp(-log_cheaper),
    }


@model(outputs=("catch_up_years",), domains={"compute_shortfall_x": "(0, inf)", "decline_x_per_year": "(1, inf)"})
def years_to_close_gap(*, compute_shortfall_x, decline_x_per_year):
    """Years of decline needed before a requirement shrinks to what is available.

    years = ln(shortfall) / ln(decline)   when shortfall > 1 and decline > 1
          = 0                            when shortfall <= 1 (nothing is missing, whatever the decline)
          = inf                          when shortfall > 1 and decline <= 1 (the gap never closes)

    Never negative: a requirement that does not shrink is never met, and "never" is reported as
    inf, which the engine flags as non-finite rather than printing a negative number of years.
    The domain of ``decline_x_per_year`` is > 1 (declare it where validation can check it).

    Parameters
    ----------
    compute_shortfall_x : array, (n, 1) or (n, T), > 0
        Required over available (e.g. FLOP of a run over FLOP a small cluster delivers).
    decline_x_per_year : array, (n, 1), > 1
        Yearly multiple by which the requirement shrinks.

    Returns
    -------
    dict with ``catch_up_years`` : array, (n, 1) or (n, T); 0 when nothing is missing, inf never
    """
    missing = np.maximum(np.log(compute_shortfall_x), 0.0)
    rate = np.log(decline_x_per_year)
    shrinking = rate > 0
    years = np.where(shrinking, missing / np.where(shrinking, rate, 1.0), np.inf)
    return {"catch_up_years": np.where(missing > 0, years, 0.0)}
