"""
Tuning an autoencoder pipeline with Optuna, pruning hopeless trials
===================================================================

An autoencoder's codes feed a classifier; Optuna picks the code size, the
learning rate and the L2 penalty. Each trial fits the autoencoder with
``optuna_integration.SkorchPruningCallback`` among its ``callbacks``: the
callback reports every epoch's training loss to Optuna, and the
``MedianPruner`` stops a trial whose loss is worse than the median of the
earlier trials at the same epoch, so bad learning rates cost a few epochs
instead of a whole fit. skae uses your callback objects as given, so what
they report reaches the study.
"""

# %%
import matplotlib.pyplot as plt
import optuna
from optuna_integration import SkorchPruningCallback
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from skae import StackedAE
from skae.datasets import load_mnist

X, y = load_mnist(return_X_y=True)
X_train, X_valid, y_train, y_valid = train_test_split(
    X, y, train_size=1500, test_size=500, random_state=0, stratify=y)
optuna.logging.set_verbosity(optuna.logging.WARNING)


def objective(trial):
    ae = StackedAE(
        n_components=trial.suggest_categorical("n_components", [8, 16, 32]),
        learning_rate=trial.suggest_float("learning_rate", 1e-4, 1e-1,
                                          log=True),
        alpha=trial.suggest_float("alpha", 1e-6, 1e-2, log=True),
        hidden_layer_sizes=(128,), max_iter=15, random_state=0,
        callbacks=[SkorchPruningCallback(trial, "train_loss")])
    pipe = Pipeline([("ae", ae), ("clf", LogisticRegression(max_iter=500))])
    pipe.fit(X_train, y_train)  # raises optuna.TrialPruned when pruned
    return pipe.score(X_valid, y_valid)


study = optuna.create_study(
    direction="maximize", sampler=optuna.samplers.TPESampler(seed=0),
    pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=3))
study.optimize(objective, n_trials=12)

pruned = [t for t in study.trials if t.state == optuna.trial.TrialState.PRUNED]
print(f"{len(study.trials)} trials, {len(pruned)} pruned")
print(f"best accuracy {study.best_value:.3f} with {study.best_params}")

# %%
# Each line is a trial's training loss per epoch; the pruned ones stop early.
fig, ax = plt.subplots(figsize=(6, 4))
for trial in study.trials:
    steps = sorted(trial.intermediate_values)
    pruned_trial = trial.state == optuna.trial.TrialState.PRUNED
    ax.plot(steps, [trial.intermediate_values[s] for s in steps],
            color="tab:red" if pruned_trial else "tab:blue", alpha=0.7)
ax.set(xlabel="epoch", ylabel="training loss", yscale="log",
       title="Optuna trials (red: pruned)")
fig.tight_layout()
