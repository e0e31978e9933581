"""What limits the race: chip supply, power, serving capacity, and a dated policy timeline.

Four models feed or read the two-bloc race of :mod:`costsim.models.compute_race`:

    race_packaging_supply -> market_supply_cap_h100e_per_year      (read by race_chip_supply)
    race_power_supply     -> bloc_power_cap_w, bloc_h100e_power_w, run_power_limit_w
                                                                    (read by race_chip_supply, race_compute_stock)
    race_inference        -> served_demand_frac, fielded_effective_flop
                                                                    (race_gap / race_threshold_crossing may read it)
    race_policy_timeline  -> the six policy levers, year by year, from the dated US rules

Each cap is a closed form over ``(n, T)``; an infinite cap reproduces the uncapped race exactly.
Per-sample parameters arrive as ``(n, 1)``, ``year`` as ``(1, T)``; growth is counted from the
first simulated year.
"""

from __future__ import annotations

import numpy as np

from costsim.registry import model

LEADER = 0
FOLLOWER = 1


def _elapsed(year) -> np.ndarray:
    """Years since the first simulated year, ``(1, T)``."""
    years = np.asarray(year, dtype=float).reshape(-1)
    return (years - years[0])[None, :]


def _by_bloc(leader, follower) -> np.ndarray:
    """Stack two ``(.., T)`` arrays on a trailing bloc axis: ``(rows, T, 2)`` (compute_race uses it too)."""
    leader, follower = np.broadcast_arrays(np.asarray(leader, dtype=float), np.asarray(follower, dtype=float))
    out = np.empty(leader.shape + (2,))  # each into its slot: cheaper than np.stack's copies
    out[..., LEADER], out[..., FOLLOWER] = leader, follower
    return out


def _into(ufunc, a, b, own=None):
    """``ufunc(a, b)``, written into ``own`` (default: ``b``), an array the caller owns, where the
    result has its shape (the same values, one new array fewer)."""
    own = b if own is None else own
    if isinstance(own, np.ndarray) and own.dtype == np.float64 and own.flags.writeable and \
            own.shape == np.broadcast_shapes(np.shape(a), np.shape(b)):
        return ufunc(a, b, out=own)
    return ufunc(a, b)


def _bloc_pair(*operands) -> np.ndarray:
    """An empty ``(.., 2)`` float array whose leading shape is the operands' broadcast shape
    (each bloc's values are then computed into its slot, without a stacking copy)."""
    return np.empty(np.broadcast_shapes(*(np.shape(value) for value in operands)) + (2,))


@model(outputs=("market_supply_cap_h100e_per_year", "market_packages_count_per_year"))
def race_packaging_supply(
    *,
    year,
    cowos_wafers_count_per_year,
    cowos_wafers_x_per_year,
    packages_per_wafer_count,
    package_yield_frac,
    hbm_packages_count_per_year,
    hbm_packages_x_per_year,
    frontier_package_h100e_ratio,
    frontier_package_perf_x_per_year,
):
    """World output of AI accelerators, limited by advanced packaging and by HBM.

    With ``e = year - year[0]``::

        packaging  = wafers * wafers_x ** e * packages_per_wafer * yield
        hbm        = hbm_packages * hbm_x ** e
        packages   = min(packaging, hbm)
        cap        = packages * frontier_package_h100e_ratio * perf_x ** e        (H100e slots)

    A slot is one market H100e of packaging: a frontier package holds
    ``frontier_package_h100e_ratio`` of them (a B200 ~2.3). The cap is what the world's lines can
    deliver to every buyer of market chips together; ``race_chip_supply`` rations buyers pro rata
    when demand exceeds it.

    Parameters
    ----------
    year : array, (1, T)
    cowos_wafers_count_per_year : array, (n, 1), >= 0 (inf: no packaging limit)
        Advanced-packaging (CoWoS-class) wafers started in the first year.
    cowos_wafers_x_per_year : array, (n, 1), > 0
    packages_per_wafer_count : array, (n, 1), > 0
        Accelerator packages per wafer (fewer for larger packages).
    package_yield_frac : array, (n, 1), in [0, 1]
    hbm_packages_count_per_year : array, (n, 1), >= 0 (inf: no HBM limit)
        Packages the world's HBM output can equip in the first year.
    hbm_packages_x_per_year : array, (n, 1), > 0
    frontier_package_h100e_ratio : array, (n, 1), > 0
        H100e of FLOP/s per package of the first year's market mix.
    frontier_package_perf_x_per_year : array, (n, 1), > 0

    Returns
    -------
    dict
        ``market_supply_cap_h100e_per_year`` and ``market_packages_count_per_year`` (n, T).

    References
    ----------
    ``supply.cowos_wafers_per_month_2024/2025/2026`` (anchors_2025.yaml, TSMC CoWoS reporting);
    ``chip.B200``, ``chip.H100_SXM`` (claims.yaml) for the H100e per package.
    """
    elapsed = _elapsed(year)
    packaging = _into(np.multiply, cowos_wafers_count_per_year, cowos_wafers_x_per_year**elapsed)
    packaging = _into(np.multiply, packaging, packages_per_wafer_count, own=packaging)
    packaging = _into(np.multiply, packaging, package_yield_frac, own=packaging)
    hbm = _into(np.multiply, hbm_packages_count_per_year, hbm_packages_x_per_year**elapsed)
    packages = _into(np.minimum, packaging, hbm, own=packaging)
    cap = packages * frontier_package_h100e_ratio
    cap = _into(np.multiply, cap, frontier_package_perf_x_per_year**elapsed, own=cap)
    return {"market_supply_cap_h100e_per_year": cap, "market_packages_count_per_year": packages}


@model(
    outputs=("bloc_power_cap_w", "bloc_h100e_power_w", "run_power_limit_w"),
    axes={"bloc_power_cap_w": ("year", "bloc"), "bloc_h100e_power_w": ("year", "bloc")},
    # a bloc without power runs no chips (its stock is retired): its compute is 0 and the run refused;
    # a cap that falls to 0 (growth 0) or a campus without power, likewise, and chips that need
    # infinite power per FLOP (efficiency gain 0) draw it all: each is refused at validation
    domains={"leader_power_cap_w": "(0, inf]", "follower_power_cap_w": "(0, inf]",
             "leader_power_x_per_year": "(0, inf)", "follower_power_x_per_year": "(0, inf)",
             "power_efficiency_x_per_year": "(0, inf)", "campus_power_cap_w": "(0, inf]",
             "campus_power_x_per_year": "(0, inf)"},
)
def race_power_supply(
    *,
    year,
    leader_power_cap_w,
    follower_power_cap_w,
    leader_power_x_per_year,
    follower_power_x_per_year,
    leader_h100e_power_w,
    follower_h100e_power_w,
    power_efficiency_x_per_year,
    campus_power_cap_w,
    campus_power_x_per_year,
):
    """Power each bloc's AI datacenters can draw, power per H100e of new chips, and one campus's limit.

    With ``e = year - year[0]``::

        bloc_power_cap_w[b]   = power_cap_b * power_x_b ** e
        bloc_h100e_power_w[b] = h100e_power_b / power_efficiency_x ** e
        run_power_limit_w     = campus_power_cap * campus_power_x ** e

    ``bloc_h100e_power_w`` is facility power (chip, server overhead and PUE) per H100e of FLOP/s of
    the chips a bloc installs that year; chips get more efficient, so it falls.

    Parameters
    ----------
    year : array, (1, T)
    leader_power_cap_w, follower_power_cap_w : array, (n, 1), > 0 (inf: no power limit)
        Power available to each bloc's AI datacenters in the first year (a bloc's fleet never
        draws more: ``race_compute_stock`` retires the chips beyond it).
    leader_power_x_per_year, follower_power_x_per_year : array, (n, 1), > 0
    leader_h100e_power_w, follower_h100e_power_w : array, (n, 1), >= 0
        Facility power per H100e of each bloc's new chips in the first year (Ascends draw more
        per FLOP/s than NVIDIA parts).
    power_efficiency_x_per_year : array, (n, 1), > 0
        Yearly gain in FLOP/s per watt.
    campus_power_cap_w : array, (n, 1), > 0 (inf: no limit)
        Power one site can give a single training run in the first year.
    campus_power_x_per_year : array, (n, 1), > 0

    Returns
    -------
    dict
        ``bloc_power_cap_w``, ``bloc_h100e_power_w`` (n, T, 2); ``run_power_limit_w`` (n, T).

    References
    ----------
    ``power.frontier_training_growth``, ``power.frontier_training_2030``, ``power.single_campus_2030``
    (anchors_2025.yaml); ``chip.H100_SXM``, ``chip.B200``, ``chip.Ascend_910C``, ``practice.pue``,
    ``practice.server_overhead`` (claims.yaml).
    """
    elapsed = _elapsed(year)
    # each bloc computed into its slot of the (.., T, 2) outputs
    cap = _bloc_pair(leader_power_cap_w, leader_power_x_per_year, follower_power_cap_w, follower_power_x_per_year,
                     elapsed)
    np.multiply(leader_power_cap_w, leader_power_x_per_year**elapsed, out=cap[..., LEADER])
    np.multiply(follower_power_cap_w, follower_power_x_per_year**elapsed, out=cap[..., FOLLOWER])
    efficiency = power_efficiency_x_per_year**elapsed
    unit = _bloc_pair(leader_h100e_power_w, follower_h100e_power_w, efficiency)
    np.divide(leader_h100e_power_w, efficiency, out=unit[..., LEADER])
    np.divide(follower_h100e_power_w, efficiency, out=unit[..., FOLLOWER])
    return {
        "bloc_power_cap_w": cap,
        "bloc_h100e_power_w": unit,
        "run_power_limit_w": _into(np.multiply, campus_power_cap_w, campus_power_x_per_year**elapsed),
    }


@model(
    outputs=("serving_capacity_membw_h100e", "served_demand_frac", "fielded_effective_flop"),
    axes={
        "serving_capacity_membw_h100e": ("year", "bloc"),
        "served_demand_frac": ("year", "bloc"),
        "fielded_effective_flop": ("year", "bloc"),
    },
    # a bloc that serves nothing fields nothing: the gap ratio is then infinite and the run refused
    domains={"leader_serving_share_frac": "(0, 1]", "follower_serving_share_frac": "(0, 1]"},
)
def race_inference(
    *,
    year,
    stock_membw_h100e,
    largest_run_effective_flop,
    leader_serving_share_frac,
    follower_serving_share_frac,
    leader_serving_demand_membw_h100e,
    follower_serving_demand_membw_h100e,
    serving_demand_x_per_year,
    serving_weight_exponent,
):
    """Compute for serving, the share of demand a bloc can serve, and the capability it fields.

    Decoding is memory-bound, so serving capacity is counted in memory bandwidth (H100s of it):
    an H20 is 0.15 H100e for training but 1.19 H100s of bandwidth. With ``e = year - year[0]``::

        capacity_b  = serving_share_b * stock_membw_b
        demand_b    = serving_demand_b * serving_demand_x ** e
        served_b    = min(1, capacity_b / demand_b)
        fielded_b   = largest_run_effective_flop_b * served_b ** serving_weight_exponent

    The capability a bloc fields depends on both its largest run and the compute to serve it; a
    bloc that can serve only part of its demand fields less. Exponent 0 switches serving off
    (fielded = largest run). Banning inference chips (H20s) lowers the follower's bandwidth stock
    and, where serving binds, what it fields.

    Parameters
    ----------
    year : array, (1, T)
    stock_membw_h100e : array, (n, T, 2), >= 0
    largest_run_effective_flop : array, (n, T, 2), > 0
    leader_serving_share_frac, follower_serving_share_frac : array, (n, 1), in (0, 1]
        Share of each bloc's bandwidth stock used for serving (the rest trains).
    leader_serving_demand_membw_h100e, follower_serving_demand_membw_h100e : array, (n, 1), > 0
        Bandwidth needed to serve each bloc's users in the first year.
    serving_demand_x_per_year : array, (n, 1), > 0
    serving_weight_exponent : array, (n, 1), >= 0

    Returns
    -------
    dict
        ``serving_capacity_membw_h100e``, ``served_demand_frac``, ``fielded_effective_flop`` (n, T, 2).

    References
    ----------
    ``essay.bipolar_vs_unipolar`` and ``hn.h20_memory`` (H20s matter for inference);
    ``export.hardware_lead_years`` (anchors_2025.yaml: little US lead for inference).
    """
    elapsed = _elapsed(year)
    membw = np.asarray(stock_membw_h100e, dtype=float)
    share = _by_bloc(np.asarray(leader_serving_share_frac, dtype=float).reshape(-1, 1),
                     np.asarray(follower_serving_share_frac, dtype=float).reshape(-1, 1))
    if membw.shape[-1:] == (2,):  # bloc by bloc: a (n, 1) factor iterates faster than a (n, 1, 2) one
        capacity = np.empty(np.broadcast_shapes(share.shape, membw.shape))
        for bloc in (LEADER, FOLLOWER):
            np.multiply(share[..., bloc], membw[..., bloc], out=capacity[..., bloc])
    else:
        capacity = share * membw
    demand_growth = serving_demand_x_per_year**elapsed  # both blocs' demand grows alike
    demand = _bloc_pair(leader_serving_demand_membw_h100e, follower_serving_demand_membw_h100e, demand_growth)
    np.multiply(leader_serving_demand_membw_h100e, demand_growth, out=demand[..., LEADER])
    np.multiply(follower_serving_demand_membw_h100e, demand_growth, out=demand[..., FOLLOWER])
    served = np.divide(capacity, demand)
    np.minimum(served, 1.0, out=served)
    weight = np.asarray(serving_weight_exponent, dtype=float).reshape(-1, 1, 1)
    fielded = _into(np.multiply, np.asarray(largest_run_effective_flop, dtype=float), served**weight)
    return {"serving_capacity_membw_h100e": capacity, "served_demand_frac": served, "fielded_effective_flop": fielded}


POLICY_LEVERS = ("allowed_import_frac", "allowed_chip_perf_ratio", "allowed_chip_price_ratio",
                 "allowed_chip_membw_ratio", "leak_frac", "enforcement_frac")
REGIMES = ("open", "r2022", "r2023", "h20ban", "h20share", "h200")
REGIME_STARTS = ("rule_2022_10_year", "rule_2023_10_year", "rule_2025_04_year", "rule_2025_08_year",
                 "rule_2025_12_year")


def policy_timeline(year, starts, values):
    """Time-weighted lever values: ``values[lever][k]`` holds from ``starts[k - 1]`` to ``starts[k]``.

    Each rule supersedes the one before it, so a start dated before its predecessor's (uncertain
    dates whose ranges overlap) takes effect with it: the starts are made non-decreasing, and the
    regimes' weights in any year add up to 1 (unsorted, they added up to as much as 1.87 and
    pushed allowed_import_frac to 1.78 and smuggling below zero).
    """
    starts = list(starts)
    for k in range(1, len(starts)):
        starts[k] = np.maximum(starts[k], starts[k - 1])
    years = np.asarray(year, dtype=float).reshape(-1)
    if years.size > 1:
        step = np.diff(years, append=years[-1] + (years[-1] - years[-2]))
    else:
        step = np.zeros(1)
    lo, hi = years[None, :], (years + step)[None, :]
    bounds = [-np.inf, *starts, np.inf]
    out = {}
    for lever, per_regime in values.items():
        total = 0.0
        for k, value in enumerate(per_regime):
            begin, end = bounds[k], bounds[k + 1]
            if years.size > 1:
                weight = np.clip(np.minimum(hi, end) - np.maximum(lo, begin), 0.0, None) / step[None, :]
            else:
                weight = ((lo >= begin) & (lo < end)).astype(float)
            total = total + weight * value
        out[lever] = total
    return out


def _timeline_model(**kwargs):
    starts = [kwargs[name] for name in REGIME_STARTS]
    values = {lever: [kwargs[f"{regime}_{lever}"] for regime in REGIMES] for lever in POLICY_LEVERS}
    return policy_timeline(kwargs["year"], starts, values)


@model(outputs=POLICY_LEVERS)
def race_policy_timeline(
    *,
    year,
    rule_2022_10_year, rule_2023_10_year, rule_2025_04_year, rule_2025_08_year, rule_2025_12_year,
    open_allowed_import_frac, open_allowed_chip_perf_ratio, open_allowed_chip_price_ratio,
    open_allowed_chip_membw_ratio, open_leak_frac, open_enforcement_frac,
    r2022_allowed_import_frac, r2022_allowed_chip_perf_ratio, r2022_allowed_chip_price_ratio,
    r2022_allowed_chip_membw_ratio, r2022_leak_frac, r2022_enforcement_frac,
    r2023_allowed_import_frac, r2023_allowed_chip_perf_ratio, r2023_allowed_chip_price_ratio,
    r2023_allowed_chip_membw_ratio, r2023_leak_frac, r2023_enforcement_frac,
    h20ban_allowed_import_frac, h20ban_allowed_chip_perf_ratio, h20ban_allowed_chip_price_ratio,
    h20ban_allowed_chip_membw_ratio, h20ban_leak_frac, h20ban_enforcement_frac,
    h20share_allowed_import_frac, h20share_allowed_chip_perf_ratio, h20share_allowed_chip_price_ratio,
    h20share_allowed_chip_membw_ratio, h20share_leak_frac, h20share_enforcement_frac,
    h200_allowed_import_frac, h200_allowed_chip_perf_ratio, h200_allowed_chip_price_ratio,
    h200_allowed_chip_membw_ratio, h200_leak_frac, h200_enforcement_frac,
):
    """The six policy levers year by year, from the dated sequence of US export rules.

    Six regimes follow each other (``anchors_2025.yaml`` ``export.timeline``): ``open`` (before
    the 2022-10-07 rule), ``r2022`` (A100/H100 controlled, H800 legal), ``r2023`` (from 2023-10-17:
    H800 out, H20 legal), ``h20ban`` (from 2025-04-09: licence required for H20), ``h20share``
    (from 2025-08: H20 licences against a 15% revenue share), ``h200`` (from 2025-12-08: H200 for
    approved buyers). Regime ``k`` holds from its start year (a fractional calendar year, e.g.
    2022.77 for 2022-10-07) to the next one. A lever's value in simulated year ``Y`` is the
    time-weighted mean over ``[Y, Y + step)`` of the regimes in force (flows are yearly, so a rule
    of October counts for a quarter of its first year); with a single year, the regime in force at
    ``Y``. Every lever is linear in the chip flows it sets except through products of levers, for
    which the mean of a product is approximated by the product of means within the switch year.

    Parameters
    ----------
    year : array, (1, T)
    rule_2022_10_year, rule_2023_10_year, rule_2025_04_year, rule_2025_08_year, rule_2025_12_year
        : float or array, (n, 1)
        Start of each regime after ``open``, as a fractional calendar year. A rule dated before the
        one it follows (in a sample of overlapping uncertain dates) takes effect with it.
    <regime>_<lever> : float or array, (n, 1)
        Each lever of ``race_chip_supply``'s legal-import and smuggling channels under each regime
        (the presets of ``costsim/data/policies.yaml`` give the values).

    Returns
    -------
    dict
        ``allowed_import_frac``, ``allowed_chip_perf_ratio``, ``allowed_chip_price_ratio``,
        ``allowed_chip_membw_ratio``, ``leak_frac``, ``enforcement_frac``: each (n, T).

    References
    ----------
    ``export.timeline`` (anchors_2025.yaml); ``rule.2022_10``, ``rule.2023_10``, ``rule.2025_04_h20``,
    ``rule.2026_01_h200`` (claims.yaml).
    """
    return _timeline_model(**locals())
