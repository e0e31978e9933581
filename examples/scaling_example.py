"""Scaling: Chinchilla's compute-optimal split at DeepSeek-V3's compute, what "2x worse on the
scaling curve" means in loss, and the essay's score that rises linearly in log10(compute).

Run: python examples/scaling_example.py
"""

import numpy as np

from costsim.models.scaling_laws import (
    capability_score_log_linear,
    chinchilla_optimal,
    compute_gap_to_loss_gap,
    score_gap_to_compute_x,
)

# Parameters of the two published fits (claims.yaml: scaling.chinchilla_hoffmann / _besiroglu)
FITS = {
    "Hoffmann 2022": dict(chinchilla_e_loss=1.69, chinchilla_a_loss=406.4, chinchilla_b_loss=410.7,
                          chinchilla_alpha_exponent=0.34, chinchilla_beta_exponent=0.28),
    "Besiroglu 2024": dict(chinchilla_e_loss=1.8172, chinchilla_a_loss=482.01, chinchilla_b_loss=2085.43,
                           chinchilla_alpha_exponent=0.3478, chinchilla_beta_exponent=0.3658),
}
DEEPSEEK_V3_FLOP = 6.0 * 3.7e10 * 1.48e13  # claims: scaling.flop_per_token x deepseek_v3 params x tokens

if __name__ == "__main__":
    budgets = np.array([[DEEPSEEK_V3_FLOP, 3.8e25, 1.0e27]])
    for name, fit in FITS.items():
        opt = chinchilla_optimal(training_flop=budgets, train_flop_per_param_per_token=6.0, **fit)
        gap = compute_gap_to_loss_gap(optimal_loss=opt["optimal_loss"], effective_compute_gap_x=2.0,
                                      chinchilla_e_loss=fit["chinchilla_e_loss"],
                                      chinchilla_alpha_exponent=fit["chinchilla_alpha_exponent"],
                                      chinchilla_beta_exponent=fit["chinchilla_beta_exponent"])
        print(f"{name} fit")
        for i, c in enumerate(budgets[0]):
            print(f"  C = {c:.2e} FLOP: N* = {opt['optimal_params'][0, i]:.3g} params, "
                  f"D* = {opt['optimal_tokens'][0, i]:.3g} tokens ({opt['optimal_tokens_per_param'][0, i]:.0f}/param), "
                  f"loss {opt['optimal_loss'][0, i]:.4f}; 2x less compute adds {gap['loss_gap_loss'][0, i]:.4f} nats")

    spend = np.array([[1e6, 1e7, 1e8, 1e9]])
    score = capability_score_log_linear(effective_flop_log10=np.log10(spend), score_reference_flop_log10=6.0,
                                        reference_capability_score=0.2, capability_per_decade_score=0.2)
    print("\nessay's example, score linear in log10(spend):",
          ", ".join(f"${s:,.0f} -> {v:.0%}" for s, v in zip(spend[0], score["capability_score"][0], strict=True)))
    factor = score_gap_to_compute_x(capability_gap_score=0.06, capability_per_decade_score=0.2)
    print(f"a 6-point score gap on that scale = {float(factor['effective_compute_gap_x']):.2f}x effective compute")
