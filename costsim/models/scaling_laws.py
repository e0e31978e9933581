"""Scaling: effective compute, a capability score linear in log10(compute), and Chinchilla's law.

Effective compute is physical FLOP times the algorithmic efficiency gained since a base year:
the FLOP a base-year algorithm would have needed for the same result. The essay's scaling
example (each 10x of spend buys about the same step) is a score linear in log10(effective
compute). Chinchilla's loss law L(N, D) = E + A / N^alpha + B / D^beta gives the compute-optimal
split of a budget C = k N D (k ~ 6 FLOP per parameter per token). A gap "on the scaling curve"
is expressed as a factor of effective compute, through either relation.
"""

from __future__ import annotations

import numpy as np

from costsim.registry import model


@model(outputs=("effective_flop", "effective_flop_log10"),
       domains={"physical_flop": "[0, inf)", "algorithmic_efficiency_x_per_year": "(0, inf)"})
def effective_compute(*, year, base_year, physical_flop, algorithmic_efficiency_x_per_year):
    """Effective compute: physical FLOP times algorithmic efficiency relative to a base year.

    log10(effective) = log10(physical) + (year - base_year) * log10(algorithmic efficiency growth)

    Parameters
    ----------
    year : array, (1, T)
    base_year : float
        Year whose algorithms define one effective FLOP.
    physical_flop : array, (n, 1) or (n, T), > 0
        FLOP actually computed.
    algorithmic_efficiency_x_per_year : array, (n, 1), > 0
        Multiple per year by which the compute needed for the same capability shrinks.

    Returns
    -------
    dict with
    ``effective_flop`` : array, (n, T), in base-year FLOP
    ``effective_flop_log10`` : array, (n, T)

    References
    ----------
    Ho et al. (2024), "Algorithmic progress in language models", arXiv:2403.05812.
    """
    log10_effective = np.log10(physical_flop) + (year - base_year) * np.log10(algorithmic_efficiency_x_per_year)
    return {"effective_flop": np.power(10.0, log10_effective), "effective_flop_log10": log10_effective}


@model(outputs=("capability_score",))
def capability_score_log_linear(
    *, effective_flop_log10, score_reference_flop_log10, reference_capability_score, capability_per_decade_score
):
    """Capability score rising linearly in log10(effective compute).

    score = reference_score + per_decade * (log10(effective) - log10(reference))

    Each 10x of effective compute adds the same ``capability_per_decade_score``. The score is not
    clipped: read it as a position on the scaling curve, not a bounded fraction of tasks.

    Parameters
    ----------
    effective_flop_log10 : array, (n, T)
        log10 of effective compute.
    score_reference_flop_log10 : array, (n, 1)
        log10 of the effective compute at which the score equals ``reference_capability_score``.
    reference_capability_score : array, (n, 1)
        Score at the reference compute.
    capability_per_decade_score : array, (n, 1), >= 0
        Score added by each 10x of effective compute.

    Returns
    -------
    dict with ``capability_score`` : array, (n, T)

    References
    ----------
    Amodei (2025), "On DeepSeek and Export Controls" ($1M -> 20%, $10M -> 40%, $100M -> 60%).
    """
    decades = effective_flop_log10 - score_reference_flop_log10
    return {"capability_score": reference_capability_score + capability_per_decade_score * decades}


@model(outputs=("effective_compute_gap_x",),
       domains={"capability_per_decade_score": "(0, inf)"})
def score_gap_to_compute_x(*, capability_gap_score, capability_per_decade_score):
    """Factor of effective compute equivalent to a gap in capability score.

    gap_x = 10 ** (score_gap / per_decade)

    Parameters
    ----------
    capability_gap_score : array, (n, 1), >= 0
        How far below the other model a model scores.
    capability_per_decade_score : array, (n, 1), > 0
        Score added by each 10x of effective compute.

    Returns
    -------
    dict with ``effective_compute_gap_x`` : array, (n, 1)
    """
    return {"effective_compute_gap_x": np.power(10.0, capability_gap_score / capability_per_decade_score)}


@model(outputs=("chinchilla_loss",),
       domains={"model_params": "(0, inf)", "data_tokens": "(0, inf)", "chinchilla_e_loss": "[0, inf)",
                "chinchilla_a_loss": "[0, inf)", "chinchilla_b_loss": "[0, inf)",
                "chinchilla_alpha_exponent": "(0, inf)", "chinchilla_beta_exponent": "(0, inf)"})
def chinchilla_loss(
    *, model_params, data_tokens, chinchilla_e_loss, chinchilla_a_loss, chinchilla_b_loss,
    chinchilla_alpha_exponent, chinchilla_beta_exponent,
):
    """Pre-training loss of a model of N parameters trained on D tokens (Chinchilla's law).

    L(N, D) = E + A / N^alpha + B / D^beta

    Parameters
    ----------
    model_params : array, > 0
        Parameters N.
    data_tokens : array, > 0
        Training tokens D.
    chinchilla_e_loss : float or array
        Irreducible loss E.
    chinchilla_a_loss : float or array, > 0
        Coefficient A of the parameter term.
    chinchilla_b_loss : float or array, > 0
        Coefficient B of the data term.
    chinchilla_alpha_exponent : float or array, > 0
        Exponent alpha of the parameter term.
    chinchilla_beta_exponent : float or array, > 0
        Exponent beta of the data term.

    Returns
    -------
    dict with ``chinchilla_loss`` : array

    References
    ----------
    Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", arXiv:2203.15556.
    Besiroglu et al. (2024), "Chinchilla Scaling: A replication attempt", arXiv:2404.10102.
    """
    loss = (chinchilla_e_loss
            + chinchilla_a_loss * np.power(model_params, -chinchilla_alpha_exponent)
            + chinchilla_b_loss * np.power(data_tokens, -chinchilla_beta_exponent))
    return {"chinchilla_loss": loss}


@model(outputs=("optimal_params", "optimal_tokens", "optimal_tokens_per_param", "optimal_loss"),
       domains={"training_flop": "(0, inf)", "train_flop_per_param_per_token": "(0, inf)",
                "chinchilla_e_loss": "[0, inf)", "chinchilla_a_loss": "(0, inf)", "chinchilla_b_loss": "(0, inf)",
                "chinchilla_alpha_exponent": "(0, inf)", "chinchilla_beta_exponent": "(0, inf)"})
def chinchilla_optimal(
    *, training_flop, train_flop_per_param_per_token, chinchilla_e_loss, chinchilla_a_loss,
    chinchilla_b_loss, chinchilla_alpha_exponent, chinchilla_beta_exponent,
):
    """Compute-optimal parameters and tokens for a FLOP budget, and the loss they reach.

    Minimizing L(N, D) subject to C = k N D gives, with a = alpha, b = beta,
    G = (a A / (b B)) ** (1 / (a + b)):
    N_opt = G (C / k) ** (b / (a + b)),  D_opt = (C / k) ** (a / (a + b)) / G.

    Parameters
    ----------
    training_flop : array, (n, 1) or (n, T), > 0
        Compute budget C.
    train_flop_per_param_per_token : float or array, > 0
        k in C = k N D (about 6: 2 forward, 4 backward).
    chinchilla_e_loss : float or array
        Irreducible loss E.
    chinchilla_a_loss : float or array, > 0
        Coefficient A of the parameter term.
    chinchilla_b_loss : float or array, > 0
        Coefficient B of the data term.
    chinchilla_alpha_exponent : float or array, > 0
        Exponent alpha of the parameter term.
    chinchilla_beta_exponent : float or array, > 0
        Exponent beta of the data term.

    Returns
    -------
    dict with
    ``optimal_params`` : N_opt
    ``optimal_tokens`` : D_opt
    ``optimal_tokens_per_param`` : D_opt / N_opt
    ``optimal_loss`` : L(N_opt, D_opt)

    References
    ----------
    Hoffmann et al. (2022), arXiv:2203.15556, eq. (4) and appendix D.2.
    Kaplan et al. (2020), "Scaling Laws for Neural Language Models", arXiv:2001.08361 (C = 6ND).
    """
    a, b = chinchilla_alpha_exponent, chinchilla_beta_exponent
    log_nd = np.log(training_flop) - np.log(train_flop_per_param_per_token)  # ln(N D)
    log_g = (np.log(a * chinchilla_a_loss) - np.log(b * chinchilla_b_loss)) / (a + b)
    log_n = log_g + log_nd * b / (a + b)
    log_d = log_nd - log_n
    loss = chinchilla_e_loss + chinchilla_a_loss * np.exp(-a * log_n) + chinchilla_b_loss * np.exp(-b * log_d)
    return {
        "optimal_params": np.exp(log_n),
        "optimal_tokens": np.exp(log_d),
        "optimal_tokens_per_param": np.exp(log_d - log_n),
        "optimal_loss": loss,
    }


@model(outputs=("loss_gap_loss",),
       domains={"effective_compute_gap_x": "(0, inf)", "chinchilla_alpha_exponent": "(0, inf)",
                "chinchilla_beta_exponent": "(0, inf)"})
def compute_gap_to_loss_gap(
    *, optimal_loss, effective_compute_gap_x, chinchilla_e_loss, chinchilla_alpha_exponent, chinchilla_beta_exponent
):
    """Loss added by training with ``effective_compute_gap_x`` times less compute, on the optimal frontier.

    On the compute-optimal frontier L*(C) = E + K C^(-g) with g = alpha beta / (alpha + beta), so
    L*(C / gap) - L*(C) = (L*(C) - E) (gap ** g - 1).

    Parameters
    ----------
    optimal_loss : array, > E
        Compute-optimal loss at the larger budget C.
    effective_compute_gap_x : array, >= 1
        Factor by which the weaker model's compute is smaller.
    chinchilla_e_loss : float or array
        Irreducible loss E.
    chinchilla_alpha_exponent : float or array, > 0
        Exponent alpha of the parameter term.
    chinchilla_beta_exponent : float or array, > 0
        Exponent beta of the data term.

    Returns
    -------
    dict with ``loss_gap_loss`` : array

    References
    ----------
    Hoffmann et al. (2022), arXiv:2203.15556.
    """
    a, b = chinchilla_alpha_exponent, chinchilla_beta_exponent
    g = a * b / (a + b)
    return {"loss_gap_loss": (optimal_loss - chinchilla_e_loss) * np.expm1(g * np.log(effective_compute_gap_x))}
