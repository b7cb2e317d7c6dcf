"""Fig. 6 claims on replica curves: the peak at the threshold, the TF shift, the lambda dependence."""
import numpy as np
import pandas as pd

from tlrepro.gerace2022.double_descent import (_sharper_for_smaller_lambda, double_descent_claims, peak_height,
                                              transition_sharpness)
from tlrepro.theory import separability_threshold, solve_gcm_grid, spectrum


SETTINGS = {"peak_halfwidth_log10": 0.15, "min_peak_prominence": 0.005}


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
    v = {x.id: x for x in double_descent_claims(scan, SETTINGS)}
    # these curves only bend at alpha* (prominence < 1e-4 at lambda = 1e-5): no interpolation PEAK
    assert not v["peak_at_threshold_TF"].passed and not v["peak_at_threshold_RF"].passed
    v = {k: x for k, x in v.items() if not k.startswith("peak_at_threshold")}
    assert all(x.passed for x in v.values()), {k: (x.passed, x.numbers) for k, x in v.items() if not x.passed}
    n = v["smaller_lambda_sharper_transition_RF"].numbers
    assert n["transition_by_lambda"][1e-5] and n["sharpness_by_lambda"][1e-5] > n["sharpness_by_lambda"][1e-3]
    swapped = scan.assign(model=scan["model"].map({"TF": "RF", "RF": "TF"}))
    assert not {x.id: x for x in double_descent_claims(swapped, SETTINGS)}[
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


def test_sharper_transition_for_smaller_lambda_is_judged_while_there_is_one():
    """(sharpness, background) by increasing lambda: the smallest has a transition and the sharpness
    falls through the first lambda without one; larger lambda are not judged (the paper states no
    range), so a bend that reappears there does not decide the verdict."""
    assert _sharper_for_smaller_lambda([(5.0, 1.0), (3.0, 1.0), (0.5, 1.0)])
    assert _sharper_for_smaller_lambda([(5.0, 1.0), (0.5, 1.0), (1.2, 1.0)])  # reappears: not judged
    assert not _sharper_for_smaller_lambda([(3.0, 1.0), (5.0, 1.0)])  # sharper at the larger lambda
    assert not _sharper_for_smaller_lambda([(5.0, 1.0), (0.5, 1.0), (0.6, 1.0)][:1] + [(6.0, 7.0)])  # blunter? no: 6 > 5
    assert not _sharper_for_smaller_lambda([(0.5, 1.0), (0.4, 1.0)])  # no transition at the smallest


def _synthetic_scan(heights):
    """Error curves with a bump of height heights[lam] at each model's threshold."""
    alphas = np.geomspace(0.2, 20, 61)
    rows = []
    for model, a_star in (("TF", 5.0), ("RF", 2.0)):
        for lam, h in heights.items():
            x = np.log10(alphas / a_star)
            err = 0.3 - 0.05 * np.log10(alphas) + h * np.exp(-(x / 0.1) ** 2)
            rows.append(pd.DataFrame({"model": model, "instance": 1, "lam": lam, "alpha": alphas,
                                      "test_error": err, "converged": True, "alpha_star": a_star}))
    return pd.concat(rows, ignore_index=True)


def test_peak_claims_pass_on_a_peak_and_fail_on_a_small_bump():
    v = {x.id: x for x in double_descent_claims(_synthetic_scan({1e-8: 0.05, 1e-4: 0.01}), SETTINGS)}
    assert v["peak_at_threshold_TF"].passed and v["peak_at_threshold_RF"].passed
    assert v["tf_threshold_at_smaller_complexity"].passed
    v = {x.id: x for x in double_descent_claims(_synthetic_scan({1e-8: 0.002, 1e-4: 0.001}), SETTINGS)}
    assert not v["peak_at_threshold_TF"].passed  # prominence 0.002 < 0.005
