"""The race's money limit (issue 16.3): each bloc's budgets saturate at a share of its GDP.

budget = trend / (1 + trend / (ceiling_frac x GDP(t))), the trend anchored so the first year is the
stated spend. Properties: no budget or spend is ever above its bloc's GDP, to 2100; a tighter ceiling
never raises spend or compute; an infinite ceiling reproduces the hard-capped race exactly.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from race_fixtures import ALL, INF, NEUTRAL, SETTINGS, column, log_uniform, race

from costsim.models.compute_race import race_chip_supply
from costsim.registry import MODELS

LEADER, FOLLOWER = 0, 1
CEILINGS = ("leader_budget_ceiling_gdp_frac", "follower_budget_ceiling_gdp_frac")
# finite ceilings over their whole domain (0, 1] of GDP, no hard caps
MONEY = {
    **ALL,
    "leader_budget_cap_usd_per_year": st.just(INF),
    "follower_budget_cap_usd_per_year": st.just(INF),
    "leader_budget_ceiling_gdp_frac": column(log_uniform(1e-4, 1.0)),
    "follower_budget_ceiling_gdp_frac": column(log_uniform(1e-4, 1.0)),
    "follower_smuggling_budget_usd_per_year": column(log_uniform(1e8, 1e11)),
    "follower_remote_budget_usd_per_year": column(log_uniform(1e8, 1e11)),
    "electricity_usd_per_kwh": column(st.floats(0.0, 0.2)),
}
money_st = st.fixed_dictionaries(MONEY)
to_2100_st = st.integers(2, 76).map(lambda t: np.arange(2025.0, 2025.0 + t)[None, :])
SLACK = 1e-9


def _supply(year, p):
    return race(year, p)


@SETTINGS
@given(year=to_2100_st, p=money_st)
def test_no_budget_or_spend_exceeds_the_blocs_gdp_to_2100(year, p):
    out = _supply(year, p)
    gdp = out["bloc_gdp_usd"]
    ceiling = gdp * np.stack([p["leader_budget_ceiling_gdp_frac"], p["follower_budget_ceiling_gdp_frac"]], axis=-1)
    budget = out["bloc_budget_usd_per_year"]
    assert np.all(np.isfinite(budget))
    assert np.all(budget <= ceiling * (1 + SLACK))
    assert np.all(out["leader_chip_spend_usd_per_year"] <= ceiling[..., LEADER] * (1 + SLACK))
    assert np.all(out["leader_chip_spend_usd_per_year"] <= gdp[..., LEADER] * (1 + SLACK))  # a share of 1: rounding
    # imports, smuggling and remote access draw on one wallet saturating at the follower's ceiling
    wallet = out["follower_foreign_spend_usd_per_year"] + _remote_budget(year, p, out)
    assert np.all(wallet <= ceiling[..., FOLLOWER] * (1 + SLACK))
    assert np.all(wallet <= gdp[..., FOLLOWER] * (1 + SLACK))


def _remote_budget(year, p, out):
    """The follower's remote-access budget: the H100e it can pay to rent times the year's rent."""
    rent = p["remote_rent_per_h100e_usd_per_year"] * 2.0 ** (-(year - year[0, 0]) / p["price_performance_doubling_years"])
    return out["follower_remote_demand_h100e"] * rent


FIRSTS = ("follower_budget_usd_per_year", "follower_smuggling_budget_usd_per_year",
          "follower_remote_budget_usd_per_year")


@SETTINGS
@given(year=to_2100_st, p=money_st)
def test_the_followers_three_budgets_share_one_wallet(year, p):
    """Their sum starts at min(stated sum, first ceiling), each at its stated share, and stays <= the ceiling."""
    out = _supply(year, p)
    ceiling = out["bloc_gdp_usd"][..., FOLLOWER] * p["follower_budget_ceiling_gdp_frac"]
    budgets = {"imports": out["bloc_budget_usd_per_year"][..., FOLLOWER], "remote": _remote_budget(year, p, out)}
    stated = sum(p[name][:, 0] for name in FIRSTS)
    held = np.minimum(1.0, ceiling[:, 0] / stated)  # the first year is the stated spend, or held at the ceiling
    np.testing.assert_allclose(budgets["imports"][:, 0], p["follower_budget_usd_per_year"][:, 0] * held, rtol=1e-9)
    np.testing.assert_allclose(budgets["remote"][:, 0], p["follower_remote_budget_usd_per_year"][:, 0] * held,
                               rtol=1e-9)
    # the import and remote budgets keep their stated ratio in every year (each keeps its share)
    np.testing.assert_allclose(budgets["imports"] * p["follower_remote_budget_usd_per_year"],
                               budgets["remote"] * p["follower_budget_usd_per_year"], rtol=1e-9)
    assert np.all(budgets["imports"] + budgets["remote"] <= ceiling * (1 + SLACK))


def _wallet_inputs(**changes):
    one = lambda v: np.array([[v]])  # noqa: E731
    base = {**NEUTRAL, "year": np.arange(2025.0, 2031.0)[None, :], "market_price_usd_per_h100e": 4.0e4,
            "price_performance_doubling_years": 2.5, "leader_budget_usd_per_year": 4.0e11,
            "leader_budget_x_per_year": 1.0, "leader_budget_cap_usd_per_year": INF,
            # constants, as a scenario's fixed values reach the model, against per-sample GDPs
            "follower_budget_usd_per_year": 2.0e10, "follower_smuggling_budget_usd_per_year": 1.0e10,
            "follower_remote_budget_usd_per_year": 3.0e9, "follower_budget_x_per_year": 1.5,
            "follower_budget_cap_usd_per_year": INF, "follower_gdp_usd": np.array([[1.8e13], [1.0e12], [5.0e11]]),
            "follower_gdp_x_per_year": one(1.0), "follower_budget_ceiling_gdp_frac": one(0.02),
            "allowed_import_frac": 1.0, "allowed_chip_perf_ratio": 0.15, "allowed_chip_price_ratio": 0.5,
            "allowed_chip_membw_ratio": 1.2, "leak_frac": 0.3, "enforcement_frac": 0.0,
            "domestic_capacity_chips_per_year": 0.0, "domestic_ramp_x_per_year": 1.0,
            "domestic_capacity_cap_chips_per_year": 0.0, "domestic_yield_frac": 0.5, "domestic_perf_ratio": 0.5,
            "domestic_perf_x_per_year": 1.0, "domestic_membw_ratio": 0.5, "domestic_price_usd_per_chip": 1e4,
            "market_supply_cap_h100e_per_year": INF, "bloc_h100e_power_w": np.full((1, 1, 2), 1000.0)}
    base.update(changes)
    base = {k: v for k, v in base.items() if k in MODELS["race_chip_supply"].inputs}
    assert set(base) == set(MODELS["race_chip_supply"].inputs)
    return base


def test_a_smaller_budget_leaves_room_to_the_others_under_a_binding_ceiling():
    """The channels substitute, as money does: a follower wallet held near its ceiling, with and
    without a smuggling budget. The import budget grows into the room; the wallet never grows."""
    one = lambda v: np.array([[v]])  # noqa: E731
    base = _wallet_inputs(year=np.arange(2025.0, 2036.0)[None, :], follower_budget_usd_per_year=one(2.0e10),
                          follower_smuggling_budget_usd_per_year=one(2.0e10),
                          follower_remote_budget_usd_per_year=one(1.0e9), follower_budget_x_per_year=one(2.0),
                          follower_gdp_usd=one(1.8e13), follower_budget_ceiling_gdp_frac=one(0.01))
    with_smuggling = race_chip_supply(**base)
    without = race_chip_supply(**{**base, "follower_smuggling_budget_usd_per_year": one(0.0)})
    imports = lambda out: out["bloc_budget_usd_per_year"][0, :, FOLLOWER]  # noqa: E731
    np.testing.assert_allclose(imports(with_smuggling)[0], 2.0e10)  # the first year is the stated spend
    assert imports(without)[-1] > 1.5 * imports(with_smuggling)[-1]  # room left by smuggling
    ceiling = 0.01 * 1.8e13
    assert imports(without)[-1] <= ceiling
    spend = lambda out: out["follower_foreign_spend_usd_per_year"][0]  # noqa: E731
    assert np.all(spend(without) <= ceiling) and np.all(spend(with_smuggling) <= ceiling)


@SETTINGS
@given(year=to_2100_st, p=money_st, which=st.sampled_from(CEILINGS), k=st.floats(1e-3, 1.0))
def test_a_tighter_ceiling_never_raises_spend_or_compute(year, p, which, k):
    p = {**p, "leader_power_cap_w": INF, "follower_power_cap_w": INF}
    loose = _supply(year, p)
    tight = _supply(year, {**p, which: p[which] * k})
    bloc = LEADER if which.startswith("leader") else FOLLOWER
    assert np.all(tight["bloc_budget_usd_per_year"] <= loose["bloc_budget_usd_per_year"] * (1 + SLACK))
    spend = "leader_chip_spend_usd_per_year" if bloc == LEADER else "follower_foreign_spend_usd_per_year"
    assert np.all(tight[spend] <= loose[spend] * (1 + SLACK))
    for name in ("stock_h100e", "largest_run_flop"):
        assert np.all(tight[name][..., bloc] <= loose[name][..., bloc] * (1 + SLACK)), name


@SETTINGS
@given(year=to_2100_st, p=st.fixed_dictionaries({**MONEY, "leader_budget_cap_usd_per_year":
                                                 column(log_uniform(1e10, 1e13)),
                                                 "follower_budget_cap_usd_per_year":
                                                 column(log_uniform(1e9, 1e13))}))
def test_an_infinite_ceiling_reproduces_the_hard_capped_race(year, p):
    """Removing the ceiling gives exactly the hard-capped budgets: the leader's min(budget x growth ** e,
    cap); the follower's import budget its share of its three budgets' sum held at the cap (session 8:
    the cap bounds the sum; this test held each budget at the cap before, the behaviour fixed)."""
    free = _supply(year, {**p, **{name: INF for name in CEILINGS}})
    elapsed = year - year[0, 0]
    old = np.minimum(p["leader_budget_usd_per_year"] * p["leader_budget_x_per_year"] ** elapsed,
                     p["leader_budget_cap_usd_per_year"])
    np.testing.assert_array_equal(free["bloc_budget_usd_per_year"][..., LEADER], old)
    raws = [p[name] * p["follower_budget_x_per_year"] ** elapsed for name in FIRSTS]
    raw_sum = raws[0] + raws[1] + raws[2]
    held_sum = np.minimum(raw_sum, p["follower_budget_cap_usd_per_year"])
    np.testing.assert_allclose(free["bloc_budget_usd_per_year"][..., FOLLOWER], raws[0] * held_sum / raw_sum,
                               rtol=1e-12)
    capped = _supply(year, p)
    # a finite ceiling keeps the first year (unless it is above the ceiling) and lowers none
    first_ceiling = capped["bloc_gdp_usd"][:, 0] * np.stack([p[c][:, 0] for c in CEILINGS], axis=-1)
    # the follower's import budget is held with the two others, in one wallet (its stated share of it)
    wallet = held_sum[:, 0]
    held = np.stack([np.minimum(free["bloc_budget_usd_per_year"][:, 0, LEADER], first_ceiling[:, LEADER]),
                     free["bloc_budget_usd_per_year"][:, 0, FOLLOWER] * np.minimum(1.0, first_ceiling[:, FOLLOWER]
                                                                                   / wallet)], axis=-1)
    np.testing.assert_allclose(capped["bloc_budget_usd_per_year"][:, 0], held, rtol=1e-12)
    assert np.all(capped["bloc_budget_usd_per_year"] <= free["bloc_budget_usd_per_year"] * (1 + SLACK))


def _leader_budget(years: int, budget_x: float, gdp_x: float, first: float = 1.0e11) -> np.ndarray:
    """The leader's budget over ``years``: ``first`` at the start growing ``budget_x`` a year, ceiling 1% of a
    3e13 GDP growing ``gdp_x`` a year; everything else neutral or switched off."""
    base = {name: 1.0 for name in MODELS["race_chip_supply"].inputs}
    base.update(NEUTRAL)
    base.update(year=np.arange(2025.0, 2025.0 + years)[None, :], market_price_usd_per_h100e=4.0e4,
                price_performance_doubling_years=2.5, leader_budget_usd_per_year=first,
                leader_budget_x_per_year=budget_x, leader_budget_cap_usd_per_year=INF, leader_gdp_usd=3.0e13,
                leader_gdp_x_per_year=gdp_x, leader_budget_ceiling_gdp_frac=0.01,
                follower_budget_usd_per_year=1.0e10, follower_budget_cap_usd_per_year=INF, leak_frac=0.0,
                domestic_capacity_chips_per_year=0.0, market_supply_cap_h100e_per_year=INF,
                bloc_h100e_power_w=np.full((1, years, 2), 1000.0))
    out = race_chip_supply(**{k: v for k, v in base.items() if k in MODELS["race_chip_supply"].inputs})
    return out["bloc_budget_usd_per_year"][0, :, 0]


def test_a_budget_growing_slower_than_gdp_is_left_alone():
    """Its share of GDP falls, so the ceiling never comes near: exactly the old budget."""
    np.testing.assert_array_equal(_leader_budget(10, budget_x=1.02, gdp_x=1.04), 1.0e11 * 1.02 ** np.arange(10.0))


def test_the_saturating_budget_by_hand():
    """1e11 in the first year doubling yearly, ceiling 1% of a 3e13 GDP (3e11), GDP flat."""
    budget = _leader_budget(6, budget_x=2.0, gdp_x=1.0)
    trend = 1.0e11 / (1.0 - 1.0e11 / 3.0e11) * 2.0 ** np.arange(6.0)  # 1.5e11 x 2^e
    expected = trend / (1.0 + trend / 3.0e11)
    np.testing.assert_allclose(budget, expected, rtol=1e-12)
    np.testing.assert_allclose(budget[0], 1.0e11, rtol=1e-12)  # the stated spend
    np.testing.assert_allclose(expected[5], 4.8e12 / 17.0)  # 2.8e11: below the 3e11 ceiling
    # a stated first-year budget above the ceiling is held at the ceiling
    np.testing.assert_allclose(_leader_budget(6, budget_x=2.0, gdp_x=1.0, first=5.0e11), 3.0e11)


def test_constant_budgets_share_a_per_sample_ceiling():
    """Constant budgets and growth (shape (1, 1)) against GDPs per sample: the wallet takes the
    ceiling's shape (the review found a broadcast error here), and each sample's sum stays under it."""
    out = race_chip_supply(**_wallet_inputs())
    imports = out["bloc_budget_usd_per_year"][..., FOLLOWER]
    assert imports.shape == (3, 6)
    ceiling = 0.02 * np.array([[1.8e13], [1.0e12], [5.0e11]])
    assert np.all(imports <= ceiling * (1 + SLACK))
    assert imports[2, -1] < imports[0, -1]  # the poorest sample's wallet binds hardest


def test_a_nan_budget_spoils_every_channel_of_its_wallet_not_only_its_own():
    out = race_chip_supply(**_wallet_inputs(follower_smuggling_budget_usd_per_year=np.array([[np.nan], [1e10], [1e10]])))
    imports = out["bloc_budget_usd_per_year"][..., FOLLOWER]
    assert np.isnan(imports[0]).all() and np.isfinite(imports[1:]).all()  # flagged by the engine, never 0
