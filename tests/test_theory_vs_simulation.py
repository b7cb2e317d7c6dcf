"""The replica theory agrees with direct simulation on a small CHMM, for TF and RF features.

The same library path as the workflow: CHMM -> source network (TF) or random first layer (RF) ->
Monte Carlo population -> solve_gcm; simulation = scikit-learn logistic regression on centred features.
The tolerance is n_sigma standard errors of the simulated mean (std over training sets / sqrt(n)), at
alphas away from the separability threshold (outside the interpolation peak)."""
import numpy as np
import pytest

from tlrepro.baselines import simulate_fixed_features
from tlrepro.chmm import make_chmm
from tlrepro.claims import in_peak, summarise
from tlrepro.features import estimate_population
from tlrepro.nets import train_source
from tlrepro.theory import separability_threshold, solve_gcm, spectrum

D, L, H, LAM = 400, 60, 200, 1e-4
ALPHAS = [0.3, 0.6, 6.0]
N_SEEDS = 16
N_SIGMA = 3.0


@pytest.fixture(scope="module")
def chmm():
    return make_chmm(D=D, L_s=L, L_t=L, eta=1.0, rho=0.3, q=1.0, seed=11)


@pytest.fixture(scope="module")
def feature_maps(chmm):
    rng = np.random.default_rng(5)
    X, y = chmm.sample_source(8000, rng)
    Xv, yv = chmm.sample_source(2000, rng)
    res = train_source(X, y, Xv, yv, H=H, lr=1e-3, batch_size=50, l2=LAM, max_epochs=30, patience=0,
                       seed=3, device="cpu")
    W_rf = np.random.default_rng(7).standard_normal((H, D)).astype(np.float32)
    return {"TF": res.W1, "RF": W_rf}


@pytest.mark.parametrize("model", ["TF", "RF"])
def test_theory_within_standard_errors_of_simulation(chmm, feature_maps, model):
    W1 = feature_maps[model]
    # n = 1000 H: the Monte Carlo bias of b^T Omega^-1 b (~ rho H / n) is negligible at this size
    pop = estimate_population(chmm, W1, n_samples=1000 * H, seed=21)
    spec = spectrum(pop.omega, pop.b, pop.rho)
    a_star = separability_threshold(spec)
    sol = solve_gcm(spec, alphas=ALPHAS, lam=LAM, strict=True)
    sims = simulate_fixed_features(chmm, W1, pop.mean, alphas=ALPHAS, H=H, lam=LAM,
                                   seeds=range(N_SEEDS), n_test=4000, model=model)
    summary = summarise(sims).set_index("alpha")
    checked = 0
    for alpha, theory in zip(sol.alpha, sol.test_error):
        if in_peak(alpha, a_star, 0.2):
            continue
        mean, sem = summary.loc[alpha, "mean"], summary.loc[alpha, "sem"]
        assert abs(theory - mean) <= N_SIGMA * sem, (model, alpha, theory, mean, sem, a_star)
        checked += 1
    assert checked >= 2


def test_transfer_helps_and_shifts_the_threshold(chmm, feature_maps):
    """TF features see the teacher better than random ones: larger rho_p, later threshold."""
    specs = {m: spectrum(*(lambda p: (p.omega, p.b, p.rho))(
        estimate_population(chmm, W, n_samples=200 * H, seed=2))) for m, W in feature_maps.items()}
    assert specs["TF"].rho_p > specs["RF"].rho_p
    assert separability_threshold(specs["TF"]) > separability_threshold(specs["RF"])
