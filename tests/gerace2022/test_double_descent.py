"""Fig. 6 claims on replica curves: the peak at the threshold, the TF shift, the lambda dependence."""
import numpy as np
import pandas as pd

from tlrepro.gerace2022.double_descent import double_descent_claims, peak_height, transition_sharpness
from tlrepro.theory import separability_threshold, solve_gcm_grid, spectrum


def _scan(spec, model, lams, alphas):
    df = solve_gcm_grid(spec, alphas=alphas, lams=lams).to_frame()
    df["model"], df["instance"], df["alpha_star"] = model, 1, separability_threshold(spec)
    return df


def test_claims_on_real_replica_curves():
    """Two random Gaussian-feature models whose thresholds differ (a teacher better represented by the
    features of 'TF'): every claim of Sec. 4.3 holds, and swapping the labels breaks the shift claim."""
    rng = np.random.default_rng(0)
    H = 80
    A = rng.standard_normal((H, H)) / np.sqrt(H)
    omega = A @ A.T + 0.1 * np.eye(H)
    b_weak = 0.3 * rng.standard_normal(H) / np.sqrt(H)
    w, U = np.linalg.eigh(omega)
    b_strong = U[:, -5:] @ rng.standard_normal(5) * 0.6  # the teacher lies along a few large directions
    sp_tf, sp_rf = spectrum(omega, b_strong, 1.0), spectrum(omega, b_weak, 1.0)
    alphas = np.geomspace(0.2, 20, 60)
    lams = [1e-5, 1e-3, 1e-1]
    scan = pd.concat([_scan(sp_tf, "TF", lams, alphas), _scan(sp_rf, "RF", lams, alphas)])
    assert separability_threshold(sp_tf) > separability_threshold(sp_rf)
    v = {x.id: x for x in double_descent_claims(scan, {"peak_halfwidth_log10": 0.15})}
    assert all(x.passed for x in v.values()), {k: (x.passed, x.numbers) for k, x in v.items() if not x.passed}
    n = v["smaller_lambda_sharper_transition_RF"].numbers
    assert n["transition_by_lambda"][1e-5] and n["sharpness_by_lambda"][1e-5] > n["sharpness_by_lambda"][1e-3]
    swapped = scan.assign(model=scan["model"].map({"TF": "RF", "RF": "TF"}))
    assert not {x.id: x for x in double_descent_claims(swapped, {"peak_halfwidth_log10": 0.15})}[
        "tf_threshold_at_smaller_complexity"].passed


def test_peak_height():
    a = np.geomspace(0.1, 10, 101)
    bump = pd.Series(0.2 + 0.1 * np.exp(-np.log10(a / 1.0) ** 2 / 0.001), index=a)
    assert peak_height(bump, 1.0) > 0.09
    flat = pd.Series(0.2 - 0.01 * np.log10(a), index=a)
    assert abs(peak_height(flat, 1.0)) < 1e-12
    convex = pd.Series(0.2 + 0.05 * np.log10(a) ** 2, index=a)
    assert peak_height(convex, 1.0) < 0


def test_transition_sharpness_ranks_a_kink_above_a_smooth_bend():
    a = np.geomspace(0.1, 10, 201)
    x = np.log10(a)
    kink = pd.Series(0.3 - 0.2 * np.clip(x, 0, None), index=a)
    smooth = pd.Series(0.3 - 0.2 * np.logaddexp(0, 5 * x) / 5, index=a)
    (s_kink, bg_kink), (s_smooth, bg_smooth) = transition_sharpness(kink, 1.0), transition_sharpness(smooth, 1.0)
    assert s_kink > 5 * s_smooth > 0 and s_kink > bg_kink
    far = pd.Series(0.3 - 0.2 * np.clip(x - 0.8, 0, None), index=a)  # a kink, but not at alpha* = 1
    s_far, bg_far = transition_sharpness(far, 1.0)
    assert s_far < bg_far
