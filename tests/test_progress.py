"""verbose: a line per epoch with every loss term and the time; a bar of batches."""

import math
import re
import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning

from skae import LinearAE, StackedAE

#: The fits here are deliberately short: the stopping rule's warning is
#: expected (tests that check it catch it with pytest.warns).
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SMALL = dict(n_components=4, hidden_layer_sizes=(16,), max_iter=3,
             early_stopping=False, random_state=0)


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _table(out):
    """The header and the epoch rows of skorch's PrintLog table."""
    lines = [ANSI.sub("", line).split() for line in out.splitlines()]
    header = next(line for line in lines if line and line[0] == "epoch")
    rows = [line for line in lines if line and line[0].isdigit()]
    return header, rows


def test_verbose_0_is_silent(digits, capsys):
    StackedAE(**SMALL).fit(digits[0])
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_verbose_1_prints_each_epochs_loss_terms_and_time(digits, capsys):
    est = StackedAE(verbose=1, **{**SMALL, "early_stopping": True}).fit(digits[0])
    out, err = capsys.readouterr()
    header, rows = _table(out)
    assert header == ["epoch", "train_loss", "train_reconstruction",
                      "valid_loss", "valid_reconstruction", "dur"]
    assert [int(row[0]) for row in rows] == [1, 2, 3]
    history = est.net_.history
    for epoch, row in enumerate(rows):
        values = dict(zip(header, map(float, row)))
        for key in header[1:-1]:
            assert values[key] == pytest.approx(history[epoch, key], abs=6e-5)
        assert values["dur"] > 0
    assert "it/s" not in err  # no progress bar at verbose=1


def test_verbose_2_adds_a_progress_bar_over_the_batches(digits, capsys):
    X = digits[0]
    est = StackedAE(verbose=2, batch_size=100, **SMALL).fit(X)
    out, err = capsys.readouterr()
    n_batches = math.ceil(len(X) / 100)
    assert f"0/{n_batches}" in err  # tqdm's bar, sized to the batches
    bar = dict(est.net_.callbacks_)["progress_bar"].pbar_
    assert bar.total == n_batches and bar.n == n_batches  # walked every batch
    _, rows = _table(out)
    assert len(rows) == 3  # and the per-epoch lines are still there


def test_verbose_works_with_lbfgs(digits, capsys):
    LinearAE(n_components=4, max_iter=2, verbose=1, random_state=0).fit(
        digits[0])
    _, rows = _table(capsys.readouterr().out)
    assert len(rows) == 2
