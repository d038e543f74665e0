"""StackedAE: architecture options and out-of-the-box quality on MNIST."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from skae import LinearAE, StackedAE

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(max_iter=30, learning_rate=1e-2, random_state=0)


def _n_params(est):
    return sum(p.numel() for p in est.module_.parameters())


def _mse(est, X):
    return np.mean((est.inverse_transform(est.transform(X)) - X) ** 2)


def test_tied_weights_halve_the_parameters_and_still_train(digits):
    X_train, X_test, _, _ = digits
    kw = dict(n_components=16, hidden_layer_sizes=(48,), **FAST)
    free = StackedAE(**kw).fit(X_train)
    tied = StackedAE(tied_weights=True, **kw).fit(X_train)
    # weights 64*48 + 48*16 once instead of twice; biases stay separate
    assert _n_params(tied) == 2 * (64 * 48 + 48 * 16) / 2 + (48 + 16) + (48 + 64)
    assert _n_params(tied) / _n_params(free) < 0.55
    decoder_last = tied.module_.decoder[-1]
    assert decoder_last.weight.data_ptr() == tied.module_.encoder[0].weight.data_ptr()
    baseline = np.mean((X_test - X_train.mean(0)) ** 2)
    assert _mse(tied, X_test) < 0.5 * baseline
    assert _mse(tied, X_test) < 1.3 * _mse(free, X_test)


@pytest.mark.parametrize("activation",
                         ["elu", "relu", "selu", "gelu", "tanh", "sigmoid",
                          "identity"])
def test_every_activation_trains(digits, activation):
    X_train, X_test, _, _ = digits
    est = StackedAE(n_components=16, hidden_layer_sizes=(32,),
                    activation=activation, **FAST).fit(X_train)
    baseline = np.mean((X_test - X_train.mean(0)) ** 2)
    assert _mse(est, X_test) < 0.6 * baseline


def test_sigmoid_bce_reconstructions_stay_in_unit_interval(digits):
    X_train, X_test, _, _ = digits
    est = StackedAE(n_components=16, hidden_layer_sizes=(32,),
                    out_activation="sigmoid", loss="bce", **FAST).fit(X_train)
    rec = est.inverse_transform(est.transform(X_test))
    assert rec.min() >= 0 and rec.max() <= 1
    assert est.net_.history[-1, "train_reconstruction"] < est.loss_curve_[0]


def test_deeper_stack_and_single_layer(digits):
    X_train, X_test, _, _ = digits
    deep = StackedAE(n_components=8, hidden_layer_sizes=(48, 24), **FAST)
    deep.fit(X_train)
    assert len(deep.module_.encoder) == 3 and len(deep.module_.decoder) == 3
    shallow = StackedAE(n_components=8, hidden_layer_sizes=(), **FAST)
    shallow.fit(X_train)
    assert len(shallow.module_.encoder) == 1
    assert deep.transform(X_test).shape == shallow.transform(X_test).shape


def test_bad_hidden_layer_sizes(digits):
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        StackedAE(hidden_layer_sizes=(10, 0)).fit(digits[0])


def test_defaults_beat_pca_reconstruction_and_match_its_accuracy(mnist):
    """The out-of-the-box pipeline of the README, on 2,000 / 1,000 MNIST
    (half the training split: the fit stops by itself after 100-180
    epochs of 40 mini-batches whatever the rows, and 2,000 rows make each
    epoch about 30% cheaper than 4,000)."""
    X_train, X_test, y_train, y_test = mnist
    X_train, y_train = X_train[:2000], y_train[:2000]
    ae_pipe = Pipeline([("ae", StackedAE(random_state=0)),
                        ("clf", LogisticRegression())]).fit(X_train, y_train)
    pca_pipe = Pipeline([("ae", PCA(n_components=32)),
                         ("clf", LogisticRegression())]).fit(X_train, y_train)
    # "match": the codes' accuracy ties with PCA's (0.885 vs 0.890 on
    # one machine, the other way round on another, with 4,000 rows;
    # measured with 2,000: 0.882 vs 0.874, and 0.887 / 0.881 at seeds 1 / 2
    # against PCA's 0.874 / 0.875), not a win; issue 15 tracks making it
    # one.
    assert ae_pipe.score(X_test, y_test) >= pca_pipe.score(X_test, y_test) - 0.02
    ae, pca = ae_pipe["ae"], pca_pipe["ae"]
    # measured 0.725 (0.708 / 0.724 at seeds 1 / 2; 0.62 with 4,000 rows,
    # 0.86-0.88 with 1,000)
    assert _mse(ae, X_test) < 0.85 * _mse(pca, X_test)
    assert ae.n_iter_ <= ae.max_iter


def _held_out_mse(est, X):
    return float(np.mean((est.inverse_transform(est.transform(X)) - X) ** 2))


def test_adaptive_schedule_lowers_the_rate_on_plateaus_and_ends_lower(digits):
    X_train, X_test, _, _ = digits
    # patience 5 instead of the default 10: the plateaus and the stops come
    # twice as early (56 and 76 epochs instead of 99 and 158)
    fits = {schedule: StackedAE(n_components=16,
                                learning_rate_schedule=schedule,
                                n_iter_no_change=5,
                                random_state=0).fit(X_train)
            for schedule in ("constant", "adaptive")}
    constant = fits["constant"].net_.history[:, "learning_rate"]
    adaptive = fits["adaptive"].net_.history[:, "learning_rate"]
    assert set(constant) == {3e-3}
    # lowered (by 3, at most twice) and never raised; both fits stopped by
    # themselves
    assert adaptive[0] == 3e-3 and 3e-3 / 9 * 0.99 < min(adaptive) < 3e-3
    assert all(b <= a for a, b in zip(adaptive, adaptive[1:]))
    assert fits["adaptive"].n_iter_ < 200 and fits["constant"].n_iter_ < 200
    # the smaller steps end lower on held-out digits (0.0074 against 0.0089
    # with this seed, 0.0074 / 0.0093 and 0.0077 / 0.0092 at seeds 1 / 2)
    assert _held_out_mse(fits["adaptive"], X_test) < \
        _held_out_mse(fits["constant"], X_test)


def test_adaptive_schedule_leaves_lbfgs_steps_alone(digits):
    fits = [LinearAE(n_components=8, learning_rate_schedule=schedule,
                     random_state=0).fit(digits[0])
            for schedule in ("adaptive", "constant")]
    assert set(fits[0].net_.history[:, "learning_rate"]) == {1.0}
    # nothing to lower: it stops where a constant rate stops
    assert fits[0].n_iter_ == fits[1].n_iter_ < 30
