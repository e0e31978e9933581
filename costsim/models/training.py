"""Training runs: FLOP from parameters and tokens, GPU-hours, cost, energy and wall-clock time.

The chain the DeepSeek-V3 debate turns on: FLOP = k x active parameters x tokens (k ~ 6);
GPU-hours = FLOP / (peak FLOP/s x MFU x 3600); cost = GPU-hours x rental price, or amortized capex
plus energy; wall-clock = GPU-hours / chips. Read backwards, reported GPU-hours give the implied
model FLOP utilization (MFU). Post-training (RL) is its own spend line that may grow faster than
pre-training.
"""

from __future__ import annotations

import numpy as np

from costsim.registry import model
from costsim.units import HOURS_PER_YEAR, J_PER_KWH, SECONDS_PER_HOUR


@model(outputs=("training_flop",),
       domains={"active_params": "[0, inf)", "training_tokens": "[0, inf)",
                "train_flop_per_param_per_token": "(0, inf)"})
def training_flop_from_tokens(*, active_params, training_tokens, train_flop_per_param_per_token):
    """Training FLOP of a transformer: k x active parameters x tokens.

    FLOP = k N D  (k ~ 6: 2 for the forward pass, 4 for the backward pass)

    Parameters
    ----------
    active_params : array, (n, 1), > 0
        Parameters active per token (all of them for a dense model; the routed subset for MoE).
    training_tokens : array, (n, 1), > 0
        Tokens trained on.
    train_flop_per_param_per_token : float or array, > 0
        k, FLOP per active parameter per token.

    Returns
    -------
    dict with ``training_flop`` : array, (n, 1)

    References
    ----------
    Kaplan et al. (2020), "Scaling Laws for Neural Language Models", arXiv:2001.08361, sec. 2.1.
    """
    return {"training_flop": train_flop_per_param_per_token * active_params * training_tokens}


@model(outputs=("training_gpu_hours",),
       domains={"training_flop": "[0, inf)", "chip_peak_flop_per_s": "(0, inf)", "mfu_frac": "(0, 1]"})
def gpu_hours_from_flop(*, training_flop, chip_peak_flop_per_s, mfu_frac):
    """GPU-hours a run of given FLOP takes at a chip's peak FLOP/s and a utilization.

    gpu_hours = FLOP / (peak FLOP/s * MFU * 3600 s/h)

    Parameters
    ----------
    training_flop : array, > 0
        Model FLOP of the run.
    chip_peak_flop_per_s : array or float, > 0
        Dense peak FLOP/s of one chip at the precision used.
    mfu_frac : array, (n, 1), in (0, 1]
        Model FLOP utilization: achieved model FLOP/s over peak.

    Returns
    -------
    dict with ``training_gpu_hours`` : array
    """
    return {"training_gpu_hours": training_flop / (chip_peak_flop_per_s * mfu_frac * SECONDS_PER_HOUR)}


@model(outputs=("implied_mfu_frac",),
       domains={"training_flop": "[0, inf)", "training_gpu_hours": "(0, inf)", "chip_peak_flop_per_s": "(0, inf)"})
def implied_mfu(*, training_flop, training_gpu_hours, chip_peak_flop_per_s):
    """Model FLOP utilization implied by a run's FLOP and its reported GPU-hours.

    MFU = FLOP / (gpu_hours * 3600 s/h * peak FLOP/s)

    Parameters
    ----------
    training_flop : array, > 0
        Model FLOP of the run.
    training_gpu_hours : array or float, > 0
        GPU-hours the run took.
    chip_peak_flop_per_s : array or float, > 0
        Dense peak FLOP/s per chip at the precision the utilization is measured against.

    Returns
    -------
    dict with ``implied_mfu_frac`` : array

    References
    ----------
    Chowdhery et al. (2022), "PaLM", arXiv:2204.02311, appendix B (definition of MFU).
    """
    return {"implied_mfu_frac": training_flop / (training_gpu_hours * SECONDS_PER_HOUR * chip_peak_flop_per_s)}


@model(outputs=("training_cost_usd",),
       domains={"training_gpu_hours": "[0, inf)", "price_usd_per_gpu_hour": "[0, inf)"})
def rental_training_cost(*, training_gpu_hours, price_usd_per_gpu_hour):
    """Cost of a run at a rental price: GPU-hours x price per GPU-hour.

    Parameters
    ----------
    training_gpu_hours : array, > 0
        GPU-hours of the run.
    price_usd_per_gpu_hour : array or float, > 0
        Rental price of one GPU for one hour.

    Returns
    -------
    dict with ``training_cost_usd`` : array
    """
    return {"training_cost_usd": training_gpu_hours * price_usd_per_gpu_hour}


@model(outputs=("training_energy_kwh",),
       domains={"training_gpu_hours": "[0, inf)", "chip_power_w": "[0, inf)", "server_overhead_ratio": "(0, inf)",
                "pue_ratio": "(0, inf)"})
def training_energy(*, training_gpu_hours, chip_power_w, server_overhead_ratio, pue_ratio):
    """Facility energy of a run: GPU-hours x chip power x server overhead x PUE.

    energy [J] = gpu_hours * 3600 * chip_power * overhead * PUE

    Parameters
    ----------
    training_gpu_hours : array, > 0
        GPU-hours of the run.
    chip_power_w : array or float, > 0
        Chip power (TDP).
    server_overhead_ratio : array or float, >= 1
        Server power per chip (CPUs, memory, network) over chip power.
    pue_ratio : array or float, >= 1
        Power usage effectiveness: facility power over IT power.

    Returns
    -------
    dict with ``training_energy_kwh`` : array

    References
    ----------
    Uptime Institute (2024), Global Data Center Survey (PUE).
    """
    joules = training_gpu_hours * SECONDS_PER_HOUR * chip_power_w * server_overhead_ratio * pue_ratio
    return {"training_energy_kwh": joules / J_PER_KWH}


@model(outputs=("owned_training_cost_usd",),
       domains={"training_gpu_hours": "[0, inf)", "capex_usd_per_chip": "[0, inf)",
                "amortization_years": "(0, inf)", "training_energy_kwh": "[0, inf)",
                "electricity_usd_per_kwh": "[0, inf)"})
def owned_training_cost(
    *, training_gpu_hours, capex_usd_per_chip, amortization_years, training_energy_kwh, electricity_usd_per_kwh
):
    """Cost of a run on owned hardware: amortized capex for the GPU-hours used, plus energy.

    cost = gpu_hours * capex / (amortization_years * hours per year) + energy * electricity price

    Parameters
    ----------
    training_gpu_hours : array, > 0
        GPU-hours of the run.
    capex_usd_per_chip : array or float, > 0
        All-in cluster capex per chip (chip, server, network share).
    amortization_years : array or float, > 0
        Straight-line depreciation period of the hardware.
    training_energy_kwh : array, >= 0
        Facility energy of the run.
    electricity_usd_per_kwh : array or float, >= 0
        Electricity price.

    Returns
    -------
    dict with ``owned_training_cost_usd`` : array

    References
    ----------
    Cottier et al. (2024), "The rising costs of training frontier AI models", arXiv:2405.21015.
    """
    capex_share = training_gpu_hours * capex_usd_per_chip / (amortization_years * HOURS_PER_YEAR)
    return {"owned_training_cost_usd": capex_share + training_energy_kwh * electricity_usd_per_kwh}


@model(outputs=("wall_clock_hours",),
       domains={"training_gpu_hours": "[0, inf)", "cluster_chips": "(0, inf)"})
def wall_clock_time(*, training_gpu_hours, cluster_chips):
    """Wall-clock duration of a run: GPU-hours / chips working in parallel.

    Parameters
    ----------
    training_gpu_hours : array, > 0
        GPU-hours of the run.
    cluster_chips : array or float, > 0
        Chips used at once.

    Returns
    -------
    dict with ``wall_clock_hours`` : array
    """
    return {"wall_clock_hours": training_gpu_hours / cluster_chips}


@model(outputs=("rl_cost_usd", "total_training_cost_usd", "rl_share_frac"),
       domains={"pretraining_cost_usd": "[0, inf)", "rl_base_cost_usd": "[0, inf)",
                "rl_cost_x_per_year": "(0, inf)", "rl_max_to_pretraining_ratio": "[0, inf)"})
def rl_spend_line(*, year, base_year, pretraining_cost_usd, rl_base_cost_usd, rl_cost_x_per_year,
                  rl_max_to_pretraining_ratio):
    """RL / post-training spend per frontier model as its own line, growing faster than pre-training.

    rl(year) = min(base_rl * g_rl ** (year - base_year), max_ratio * pretraining(year))

    The RL stage may grow much faster than pre-training but not (in this model) beyond
    ``rl_max_to_pretraining_ratio`` times the pre-training spend of the same year.

    Parameters
    ----------
    year : array, (1, T)
        Calendar years.
    base_year : float
        Year of ``rl_base_cost_usd``.
    pretraining_cost_usd : array, (n, T) or (n, 1), > 0
        Pre-training compute spend per frontier model (e.g. bound to ``frontier_budget_usd``).
    rl_base_cost_usd : array, (n, 1), > 0
        RL / post-training compute spend at the base year.
    rl_cost_x_per_year : array, (n, 1), > 0
        Growth multiple per year of RL spend while below its ceiling.
    rl_max_to_pretraining_ratio : array or float, > 0
        Ceiling of RL spend relative to pre-training spend.

    Returns
    -------
    dict with
    ``rl_cost_usd`` : array, (n, T)
    ``total_training_cost_usd`` : array, (n, T), pre-training + RL
    ``rl_share_frac`` : array, (n, T), RL over total

    References
    ----------
    Amodei (2025), "On DeepSeek and Export Controls" (RL stage ~$1M now, hundreds of millions soon).
    """
    log_rl = np.minimum(np.log(rl_base_cost_usd) + (year - base_year) * np.log(rl_cost_x_per_year),
                        np.log(pretraining_cost_usd) + np.log(rl_max_to_pretraining_ratio))
    rl = np.exp(log_rl)
    total = pretraining_cost_usd + rl
    return {"rl_cost_usd": rl, "total_training_cost_usd": total, "rl_share_frac": rl / total}


@model(outputs=("overtrained_params", "overtrained_tokens", "serving_flop_per_token"))
def overtrained_split(*, training_flop, train_flop_per_param_per_token, target_tokens_per_param,
                      inference_flop_per_param_per_token):
    """Parameters and tokens of a run trained past compute-optimal, and what it costs to serve.

    With C = k N D and D = r N (r tokens per parameter, set by the expected inference demand)::

        N = sqrt(C / (k r)),   D = r N,   serving FLOP per token = k_inf N

    A compute-optimal (Chinchilla) run has r ~ 20; a model that will serve many tokens is trained
    smaller on more data (r larger), which cuts its serving cost per token by sqrt(r / 20) at the
    same training compute. Reported ratios: Llama 3 405B ~38 (1.56e13 tokens / 4.05e11 params,
    ``practice.llama3_405b``); DeepSeek-V3 ~400 per active parameter (1.48e13 / 3.7e10,
    ``deepseek_v3.pretraining_tokens``, ``deepseek_v3.active_params``).

    Parameters
    ----------
    training_flop : array, > 0
    train_flop_per_param_per_token : float or array, > 0
        k, ~6 (``scaling.flop_per_token``).
    target_tokens_per_param : array, > 0
        r, the over-training ratio (a scenario choice; 20 is compute-optimal).
    inference_flop_per_param_per_token : float or array, > 0
        k_inf, ~2 (``scaling.flop_per_token``).

    Returns
    -------
    dict with ``overtrained_params``, ``overtrained_tokens``, ``serving_flop_per_token`` : array

    References
    ----------
    Sardana et al. (2023), "Beyond Chinchilla-Optimal: Accounting for Inference in Language Model
    Scaling Laws", arXiv:2401.00448; Hoffmann et al. (2022), arXiv:2203.15556.
    """
    params = np.sqrt(training_flop / (train_flop_per_param_per_token * target_tokens_per_param))
    return {
        "overtrained_params": params,
        "overtrained_tokens": target_tokens_per_param * params,
        "serving_flop_per_token": inference_flop_per_param_per_token * params,
    }


_BISECTION_STEPS = 100  # numerical, not empirical: halves a bracket of < 1e3 in ln D to below 1e-27


@model(outputs=("inference_optimal_params", "inference_optimal_tokens", "inference_optimal_tokens_per_param",
                "inference_optimal_training_flop", "inference_optimal_serving_flop_per_token"),
       domains={"lifetime_inference_tokens": "[0, inf)", "train_flop_per_param_per_token": "(0, inf)",
                "inference_flop_per_param_per_token": "[0, inf)", "chinchilla_a_loss": "(0, inf)",
                "chinchilla_b_loss": "(0, inf)", "chinchilla_alpha_exponent": "(0, inf)",
                "chinchilla_beta_exponent": "(0, inf)"})
def inference_optimal_split(*, target_loss, lifetime_inference_tokens, train_flop_per_param_per_token,
                            inference_flop_per_param_per_token, chinchilla_e_loss, chinchilla_a_loss,
                            chinchilla_b_loss, chinchilla_alpha_exponent, chinchilla_beta_exponent):
    """Tokens per parameter set by the expected inference demand: the cheapest model over its life.

    A model of a given quality (``target_loss`` on Chinchilla's law L = E + A/N^a + B/D^b) that
    will serve I tokens costs k N D to train and k_inf N I to serve. Minimizing k N D + k_inf N I
    at that loss (Sardana et al. 2023) gives, with G = target_loss - E and q = k_inf I / k::

        B D^-b [1 + (b / a) (1 + q / D)] = G        (solved for D by bisection in ln D)
        N = (A / (G - B D^-b)) ** (1 / a)

    With I = 0 this is the compute-optimal (Chinchilla) split at that loss; the more tokens a
    model will serve, the smaller and longer-trained it is (tokens per parameter rise with I).
    The law is for dense models: for a mixture of experts N is read as the active parameters.

    Parameters
    ----------
    target_loss : array, > chinchilla_e_loss
        Pre-training loss the model must reach.
    lifetime_inference_tokens : array, >= 0
        Tokens it is expected to serve over its life (the inference demand).
    train_flop_per_param_per_token, inference_flop_per_param_per_token : float or array
        k (~6) and k_inf (~2), ``scaling.flop_per_token``.
    chinchilla_e_loss, chinchilla_a_loss, chinchilla_b_loss, chinchilla_alpha_exponent, chinchilla_beta_exponent
        The law's fit (``scaling.chinchilla_besiroglu``).

    Returns
    -------
    dict with ``inference_optimal_params``, ``inference_optimal_tokens``,
    ``inference_optimal_tokens_per_param``, ``inference_optimal_training_flop`` (k N D) and
    ``inference_optimal_serving_flop_per_token`` (k_inf N) : array

    References
    ----------
    Sardana et al. (2023), "Beyond Chinchilla-Optimal: Accounting for Inference in Language Model
    Scaling Laws", arXiv:2401.00448; Besiroglu et al. (2024), arXiv:2404.10102.
    """
    a, b = chinchilla_alpha_exponent, chinchilla_beta_exponent
    log_b = np.log(chinchilla_b_loss)
    log_gap = np.log(np.asarray(target_loss, dtype=float) - chinchilla_e_loss)
    q = inference_flop_per_param_per_token * np.asarray(lifetime_inference_tokens, dtype=float) \
        / train_flop_per_param_per_token
    shape = np.broadcast_shapes(np.shape(log_gap), np.shape(q), np.shape(a), np.shape(b), np.shape(log_b))
    # ln D of the compute-optimal split at this loss (the root when q = 0) bounds the root below; above,
    # ln D >= ln q makes q / D <= 1, and the extra ln((1 + 2b/a) / (1 + b/a)) / b makes the residual < 0
    lo = np.broadcast_to((log_b + np.log1p(b / a) - log_gap) / b, shape).copy()
    serving = q > 0
    log_q = np.where(serving, np.log(np.where(serving, q, 1.0)), -np.inf)
    hi = np.broadcast_to(np.maximum(lo + (np.log1p(2.0 * b / a) - np.log1p(b / a)) / b, log_q), shape).copy()
    for _ in range(_BISECTION_STEPS):  # vectorized bisection over every sample and year at once
        mid = 0.5 * (lo + hi)
        residual = log_b - b * mid + np.log1p((b / a) * (1.0 + q * np.exp(-mid))) - log_gap
        above = residual > 0
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    log_d = 0.5 * (lo + hi)
    tokens = np.exp(log_d)
    params = (chinchilla_a_loss / (np.exp(log_gap) - chinchilla_b_loss * np.exp(-b * log_d))) ** (1.0 / a)
    return {
        "inference_optimal_params": params,
        "inference_optimal_tokens": tokens,
        "inference_optimal_tokens_per_param": tokens / params,
        "inference_optimal_training_flop": train_flop_per_param_per_token * params * tokens,
        "inference_optimal_serving_flop_per_token": inference_flop_per_param_per_token * params,
    }
