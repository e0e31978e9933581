"""Chips, clusters and power: chips needed for a run, FLOP a cluster delivers, power, energy, capex.

Chip figures (peak FLOP/s by precision, memory, bandwidth, power, price, TPP) live in
``costsim/data/chips.yaml`` and in ``claims.yaml``'s ``chips`` section, which scenarios cite
(``claim: chip.H100_SXM, field: bf16_tflops, scale: 1.0e+12``). The models here are the cluster
arithmetic: "millions of chips" to dollars and watts, and the 20 W brain as a yardstick.
"""

from __future__ import annotations

from costsim.registry import model
from costsim.units import J_PER_KWH, SECONDS_PER_HOUR


@model(outputs=("required_chips",),
       domains={"training_flop": "[0, inf)", "chip_peak_flop_per_s": "(0, inf)", "mfu_frac": "(0, 1]",
                "run_length_hours": "(0, inf)"})
def chips_for_run(*, training_flop, chip_peak_flop_per_s, mfu_frac, run_length_hours):
    """Chips needed to deliver a run's FLOP within a given time.

    chips = FLOP / (peak FLOP/s * MFU * hours * 3600 s/h)

    Parameters
    ----------
    training_flop : array, > 0
        Model FLOP of the run.
    chip_peak_flop_per_s : array or float, > 0
        Dense peak FLOP/s of one chip at the precision used.
    mfu_frac : array or float, in (0, 1]
        Model FLOP utilization.
    run_length_hours : array or float, > 0
        Wall-clock time allowed for the run.

    Returns
    -------
    dict with ``required_chips`` : array (not rounded up to whole chips)
    """
    flop_per_chip = chip_peak_flop_per_s * mfu_frac * run_length_hours * SECONDS_PER_HOUR
    return {"required_chips": training_flop / flop_per_chip}


@model(outputs=("cluster_flop",),
       domains={"cluster_chips": "[0, inf)", "chip_peak_flop_per_s": "[0, inf)", "mfu_frac": "(0, 1]",
                "run_length_hours": "[0, inf)"})
def cluster_run_flop(*, cluster_chips, chip_peak_flop_per_s, mfu_frac, run_length_hours):
    """Model FLOP a cluster delivers in a run: chips x peak FLOP/s x MFU x seconds.

    Parameters
    ----------
    cluster_chips : array or float, > 0
        Chips in the cluster.
    chip_peak_flop_per_s : array or float, > 0
        Dense peak FLOP/s of one chip at the precision used.
    mfu_frac : array or float, in (0, 1]
        Model FLOP utilization.
    run_length_hours : array or float, > 0
        Duration of the run.

    Returns
    -------
    dict with ``cluster_flop`` : array
    """
    return {"cluster_flop": cluster_chips * chip_peak_flop_per_s * mfu_frac * run_length_hours * SECONDS_PER_HOUR}


@model(outputs=("rental_flop_per_usd",),
       domains={"chip_peak_flop_per_s": "[0, inf)", "price_usd_per_gpu_hour": "(0, inf)"})
def rental_price_performance(*, chip_peak_flop_per_s, price_usd_per_gpu_hour):
    """Peak FLOP bought per dollar when renting a chip: peak FLOP/s x 3600 s/h / price per hour.

    Parameters
    ----------
    chip_peak_flop_per_s : array or float, > 0
        Dense peak FLOP/s of the chip at the precision used.
    price_usd_per_gpu_hour : array or float, > 0
        Rental price of one chip for one hour.

    Returns
    -------
    dict with ``rental_flop_per_usd`` : array
    """
    return {"rental_flop_per_usd": chip_peak_flop_per_s * SECONDS_PER_HOUR / price_usd_per_gpu_hour}


@model(outputs=("compute_shortfall_x",),
       domains={"training_flop": "[0, inf)", "cluster_flop": "(0, inf)"})
def compute_shortfall(*, training_flop, cluster_flop):
    """How many times more FLOP a run needs than a cluster delivers.

    Parameters
    ----------
    training_flop : array, > 0
        FLOP the run needs.
    cluster_flop : array, > 0
        FLOP the cluster delivers in the allotted time.

    Returns
    -------
    dict with ``compute_shortfall_x`` : array (< 1 when the cluster has room to spare)
    """
    return {"compute_shortfall_x": training_flop / cluster_flop}


@model(outputs=("facility_power_w",),
       domains={"cluster_chips": "[0, inf)", "chip_power_w": "[0, inf)", "server_overhead_ratio": "(0, inf)",
                "pue_ratio": "(0, inf)"})
def facility_power(*, cluster_chips, chip_power_w, server_overhead_ratio, pue_ratio):
    """Facility power of a cluster: chips x chip power x server overhead x PUE.

    Parameters
    ----------
    cluster_chips : array or float, > 0
        Chips in the cluster.
    chip_power_w : array or float, > 0
        Chip power (TDP).
    server_overhead_ratio : array or float, >= 1
        Server power per chip (CPUs, memory, network) over chip power.
    pue_ratio : array or float, >= 1
        Power usage effectiveness: facility power over IT power.

    Returns
    -------
    dict with ``facility_power_w`` : array

    References
    ----------
    Uptime Institute (2024), Global Data Center Survey (PUE).
    """
    return {"facility_power_w": cluster_chips * chip_power_w * server_overhead_ratio * pue_ratio}


@model(outputs=("run_energy_kwh",),
       domains={"facility_power_w": "[0, inf)", "run_length_hours": "[0, inf)"})
def run_energy(*, facility_power_w, run_length_hours):
    """Energy a facility draws over a run: power x time.

    Parameters
    ----------
    facility_power_w : array, > 0
        Facility power.
    run_length_hours : array or float, > 0
        Duration of the run.

    Returns
    -------
    dict with ``run_energy_kwh`` : array
    """
    return {"run_energy_kwh": facility_power_w * run_length_hours * SECONDS_PER_HOUR / J_PER_KWH}


@model(outputs=("cluster_capex_usd",),
       domains={"cluster_chips": "[0, inf)", "capex_usd_per_chip": "[0, inf)"})
def cluster_capex(*, cluster_chips, capex_usd_per_chip):
    """Capital cost of a cluster: chips x all-in capex per chip.

    Parameters
    ----------
    cluster_chips : array or float, > 0
        Chips in the cluster.
    capex_usd_per_chip : array or float, > 0
        All-in capex per chip (chip, server, network share; building excluded unless included here).

    Returns
    -------
    dict with ``cluster_capex_usd`` : array
    """
    return {"cluster_capex_usd": cluster_chips * capex_usd_per_chip}


@model(outputs=("cluster_h100e",),
       domains={"cluster_chips": "[0, inf)", "chip_peak_flop_per_s": "[0, inf)",
                "reference_peak_flop_per_s": "(0, inf)"})
def h100_equivalents(*, cluster_chips, chip_peak_flop_per_s, reference_peak_flop_per_s):
    """Size of a cluster in H100-equivalents: chips x peak FLOP/s over the H100's peak FLOP/s.

    Parameters
    ----------
    cluster_chips : array or float, > 0
        Chips in the cluster.
    chip_peak_flop_per_s : array or float, > 0
        Peak FLOP/s of one of these chips.
    reference_peak_flop_per_s : array or float, > 0
        Peak FLOP/s of the reference chip (H100) at the same precision.

    Returns
    -------
    dict with ``cluster_h100e`` : array
    """
    return {"cluster_h100e": cluster_chips * chip_peak_flop_per_s / reference_peak_flop_per_s}


@model(outputs=("brain_equivalents_x",),
       domains={"facility_power_w": "[0, inf)", "brain_power_w": "(0, inf)"})
def brain_power_comparison(*, facility_power_w, brain_power_w):
    """How many human brains' worth of power a facility draws.

    Parameters
    ----------
    facility_power_w : array, > 0
        Facility power.
    brain_power_w : array or float, > 0
        Power of a human brain (~20 W).

    Returns
    -------
    dict with ``brain_equivalents_x`` : array
    """
    return {"brain_equivalents_x": facility_power_w / brain_power_w}
