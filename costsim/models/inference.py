"""Inference: prices per million tokens over time, and decode throughput per chip from a roofline.

Decode (generating one token per sequence per step) is memory-bandwidth-bound at small batches:
each step reads the weights once plus every sequence's KV cache. At large batches it becomes
compute-bound. The roofline gives tokens per second per chip as the lower of the two bounds, with
the batch limited by the memory left after the weights. This is how a chip like the H20 (15% of
the H100's FLOP/s but more memory and bandwidth) compares with the H100 for inference, and how
an MLA-style KV-cache reduction raises throughput.
"""

from __future__ import annotations

import numpy as np

from costsim.registry import model
from costsim.units import SECONDS_PER_HOUR, TOKENS_PER_MTOK


@model(outputs=("inference_price_usd_per_mtok",),
       domains={"base_price_usd_per_mtok": "[0, inf)", "inference_decline_x_per_year": "(0, inf)"})
def inference_price_trend(*, year, base_year, base_price_usd_per_mtok, inference_decline_x_per_year):
    """Price per million tokens at a fixed capability, falling by a multiple per year.

    price(year) = base / decline ** (year - base_year)

    Parameters
    ----------
    year : array, (1, T)
        Calendar years.
    base_year : float
        Year of ``base_price_usd_per_mtok``.
    base_price_usd_per_mtok : array, (n, 1), > 0
        Price at the base year.
    inference_decline_x_per_year : array, (n, 1), > 0
        Multiple by which the price of a fixed capability falls per year.

    Returns
    -------
    dict with ``inference_price_usd_per_mtok`` : array, (n, T)

    References
    ----------
    Cottier et al. (2025), "LLM inference prices have fallen rapidly but unequally across tasks", Epoch AI.
    Appenzeller (2024), "Welcome to LLMflation", a16z.
    """
    log_price = np.log(base_price_usd_per_mtok) - (year - base_year) * np.log(inference_decline_x_per_year)
    return {"inference_price_usd_per_mtok": np.exp(log_price)}


@model(outputs=("blended_price_usd_per_mtok",),
       domains={"input_price_usd_per_mtok": "[0, inf)", "output_price_usd_per_mtok": "[0, inf)",
                "input_share_frac": "[0, 1]"})
def blended_price(*, input_price_usd_per_mtok, output_price_usd_per_mtok, input_share_frac):
    """Price per million tokens of a traffic mix: input share x input price + output share x output price.

    Parameters
    ----------
    input_price_usd_per_mtok : array or float, > 0
        Price of input (prompt) tokens.
    output_price_usd_per_mtok : array or float, > 0
        Price of output (generated) tokens.
    input_share_frac : array or float, in [0, 1]
        Share of input tokens in the traffic.

    Returns
    -------
    dict with ``blended_price_usd_per_mtok`` : array
    """
    blend = input_share_frac * input_price_usd_per_mtok + (1 - input_share_frac) * output_price_usd_per_mtok
    return {"blended_price_usd_per_mtok": blend}


@model(outputs=("price_gap_x",),
       domains={"high_price_usd_per_mtok": "[0, inf)", "low_price_usd_per_mtok": "(0, inf)"})
def price_gap(*, high_price_usd_per_mtok, low_price_usd_per_mtok):
    """Ratio of two prices per million tokens.

    Parameters
    ----------
    high_price_usd_per_mtok : array or float, > 0
        The dearer price.
    low_price_usd_per_mtok : array or float, > 0
        The cheaper price.

    Returns
    -------
    dict with ``price_gap_x`` : array
    """
    return {"price_gap_x": high_price_usd_per_mtok / low_price_usd_per_mtok}


@model(outputs=("curve_explained_x", "residual_gap_x"),
       domains={"price_gap_x": "(0, inf)", "decline_x_per_year": "(0, inf)",
                "effective_compute_gap_x": "(0, inf)"})
def price_gap_decomposition(*, price_gap_x, lag_years, decline_x_per_year, effective_compute_gap_x):
    """Split a price gap into what the cost curve explains and a residual.

    explained = decline ** lag * compute_gap ;  residual = gap / explained

    The residual is what the curve does not explain: architecture (active parameters, KV cache),
    hardware, utilization, and margins or subsidies.

    Parameters
    ----------
    price_gap_x : array, > 0
        Observed price ratio between two models.
    lag_years : array or float, >= 0
        Time between the two models' releases.
    decline_x_per_year : array, > 0
        Yearly decline of the price (or cost) of a fixed capability.
    effective_compute_gap_x : array or float, > 0
        How many times less effective compute the cheaper model embodies (1 = same capability).

    Returns
    -------
    dict with
    ``curve_explained_x`` : array
    ``residual_gap_x`` : array
    """
    log_explained = lag_years * np.log(decline_x_per_year) + np.log(effective_compute_gap_x)
    return {"curve_explained_x": np.exp(log_explained), "residual_gap_x": price_gap_x * np.exp(-log_explained)}


@model(outputs=("decode_tokens_per_s", "compute_bound_tokens_per_s", "memory_bound_tokens_per_s",
                "decode_batch_count"))
def decode_roofline(
    *,
    chip_peak_flop_per_s,
    chip_memory_bandwidth_bytes_per_s,
    chip_memory_bytes,
    replica_chips,
    active_params,
    weights_read_params,
    weight_bytes_per_param,
    decode_flop_per_param_per_token,
    kv_cache_bytes_per_token,
    kv_reduction_frac,
    context_tokens,
    requested_batch_count,
    compute_utilization_frac,
    bandwidth_utilization_frac,
):
    """Decode throughput per chip from a roofline: the lower of the compute and bandwidth bounds.

    One replica of the model spans ``replica_chips`` chips. Each decode step generates one token
    for each of B sequences; it computes B * k * active_params FLOP and reads the weights once
    plus B KV caches of context * kv_bytes * (1 - kv_reduction) bytes. Per chip:

    compute bound = peak * util_c / (k * active_params)
    memory bound  = B * bandwidth * util_b / (weights_bytes + B * kv_seq_bytes)
    throughput    = min(compute bound, memory bound)

    B is the requested batch, reduced to what fits in the memory left after the weights
    (0 if the weights do not fit, giving zero throughput).

    Parameters
    ----------
    chip_peak_flop_per_s : array or float, > 0
        Dense peak FLOP/s per chip at the serving precision.
    chip_memory_bandwidth_bytes_per_s : array or float, > 0
        Memory (HBM) bandwidth per chip.
    chip_memory_bytes : array or float, > 0
        Memory (HBM) capacity per chip.
    replica_chips : array or float, > 0
        Chips holding one copy of the model.
    active_params : array or float, > 0
        Parameters used per token (FLOP).
    weights_read_params : array or float, > 0
        Parameters whose weights are read per decode step (all experts of an MoE at large batch).
    weight_bytes_per_param : array or float, > 0
        Bytes per stored weight (1 for FP8, 2 for BF16).
    decode_flop_per_param_per_token : array or float, > 0
        FLOP per active parameter per generated token (about 2).
    kv_cache_bytes_per_token : array or float, > 0
        KV-cache bytes per token of context, before ``kv_reduction_frac``.
    kv_reduction_frac : array or float, in [0, 1)
        Fraction of the KV cache removed (e.g. by multi-head latent attention).
    context_tokens : array or float, > 0
        Context length per sequence.
    requested_batch_count : array or float, > 0
        Sequences decoded together per replica, if memory allows.
    compute_utilization_frac : array or float, in (0, 1]
        Achieved over peak FLOP/s in the compute-bound regime.
    bandwidth_utilization_frac : array or float, in (0, 1]
        Achieved over peak bandwidth in the memory-bound regime.

    Returns
    -------
    dict with (per chip)
    ``decode_tokens_per_s`` : min of the two bounds
    ``compute_bound_tokens_per_s`` : the compute roof
    ``memory_bound_tokens_per_s`` : the bandwidth roof at the batch used
    ``decode_batch_count`` : batch used per replica

    References
    ----------
    Williams, Waterman & Patterson (2009), "Roofline", CACM 52(4), doi:10.1145/1498765.1498785.
    Pope et al. (2022), "Efficiently Scaling Transformer Inference", arXiv:2211.05102.
    DeepSeek-AI (2024), "DeepSeek-V2", arXiv:2405.04434 (multi-head latent attention).
    """
    weights_bytes = weights_read_params * weight_bytes_per_param
    kv_seq_bytes = context_tokens * kv_cache_bytes_per_token * (1 - kv_reduction_frac)
    free_bytes = np.maximum(replica_chips * chip_memory_bytes - weights_bytes, 0)
    batch = np.minimum(requested_batch_count, free_bytes / kv_seq_bytes)
    compute_bound = chip_peak_flop_per_s * compute_utilization_frac / (
        decode_flop_per_param_per_token * active_params)
    # a step reads weights + batch KV caches spread over the replica's chips; per chip the
    # replica count cancels: (B * R * bw) / (bytes per step) / R
    memory_bound = batch * chip_memory_bandwidth_bytes_per_s * bandwidth_utilization_frac / (
        weights_bytes + batch * kv_seq_bytes)
    return {
        "decode_tokens_per_s": np.minimum(compute_bound, memory_bound),
        "compute_bound_tokens_per_s": compute_bound * np.ones_like(memory_bound),
        "memory_bound_tokens_per_s": memory_bound,
        "decode_batch_count": batch,
    }


@model(outputs=("serving_cost_usd_per_mtok",),
       domains={"decode_tokens_per_s": "(0, inf)", "price_usd_per_gpu_hour": "[0, inf)"})
def serving_cost(*, decode_tokens_per_s, price_usd_per_gpu_hour):
    """Hardware cost of generating a million tokens on a chip rented by the hour.

    cost = price per GPU-hour / (tokens per s * 3600) * 1e6

    Parameters
    ----------
    decode_tokens_per_s : array, > 0
        Tokens generated per second per chip.
    price_usd_per_gpu_hour : array or float, > 0
        Rental price of the chip.

    Returns
    -------
    dict with ``serving_cost_usd_per_mtok`` : array
    """
    return {"serving_cost_usd_per_mtok": price_usd_per_gpu_hour * TOKENS_PER_MTOK / (
        decode_tokens_per_s * SECONDS_PER_HOUR)}
