"""
Mixed tables: categories reconstructed as categories, and synthetic rows
========================================================================

The Palmer penguins are a real table as users have them: three
categorical columns (species, island, sex), numbers in millimetres, grams
and years, and missing values. With ``categorical_features="from_dtype"``
an autoencoder takes the DataFrame as it is: it standardises the numeric
columns inside, one-hot encodes the categories and reconstructs each with
a softmax and a cross-entropy, and gives back a DataFrame with the
table's columns and dtypes. Here a :class:`skae.StackedAE` codes each
penguin in two numbers and reconstructs it, against the same autoencoder
on one-hot columns (the way before ``categorical_features``), and a
:class:`skae.VariationalAE` draws new penguins, compared with the real
ones.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from palmerpenguins import load_penguins
from sklearn.compose import make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skae import StackedAE, VariationalAE

warnings.filterwarnings("ignore", category=ConvergenceWarning)

penguins = load_penguins()
categorical = ["species", "island", "sex"]
numeric = [c for c in penguins if c not in categorical]
penguins = penguins.astype({c: "category" for c in categorical})
train, test = train_test_split(penguins, test_size=0.3, random_state=0)
print(penguins.dtypes)

# %%
# Codes of a mixed table
# ----------------------
# One line: the DataFrame goes in as it is, missing values included.
ae = StackedAE(n_components=2, categorical_features="from_dtype",
               random_state=0).fit(train)
codes = ae.transform(penguins)

fig, ax = plt.subplots(figsize=(5, 4))
for species, group in penguins.groupby("species", observed=True):
    ax.scatter(*codes[penguins["species"] == species].T, s=10,
               label=species)
ax.set(title="StackedAE codes of the penguins", xlabel="code 1",
       ylabel="code 2")
ax.legend()

# %%
# Reconstructions in the table's kinds
# ------------------------------------
# ``inverse_transform`` returns the most likely category of each
# categorical column and each number in its own unit. Against the same
# autoencoder on one-hot and standardised columns (scored by MSE, read
# back by the largest one-hot value), on the held-out penguins:
one_hot = make_pipeline(
    make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="most_frequent"),
                       OneHotEncoder(sparse_output=False)), categorical),
        (make_pipeline(SimpleImputer(), StandardScaler()), numeric)),
    StackedAE(n_components=2, random_state=0)).fit(train)
encoder = one_hot[0].named_transformers_["pipeline-1"][-1]
flat = one_hot[-1].inverse_transform(one_hot.transform(test))
start, today = 0, {}
for column, options in zip(categorical, encoder.categories_):
    today[column] = options[flat[:, start:start + len(options)].argmax(1)]
    start += len(options)
rebuilt = ae.inverse_transform(ae.transform(test))
print(rebuilt.head())


def accuracy(predicted, column):
    seen = test[column].notna().to_numpy()
    return np.mean(np.asarray(predicted, dtype=object)[seen]
                   == test[column].to_numpy(dtype=object)[seen])


scores = pd.DataFrame({
    "categorical_features": [accuracy(rebuilt[c], c) for c in categorical],
    "one-hot + MSE": [accuracy(today[c], c) for c in categorical]},
    index=categorical)
print(scores.round(3))

# %%
# Synthetic penguins
# ------------------
# ``VariationalAE.sample`` draws each category from the decoder's softmax
# and each number from its Gaussian likelihood: new rows with the table's
# dtypes, every category one of the training ones.
vae = VariationalAE(n_components=4, categorical_features="from_dtype",
                    random_state=0).fit(train)
synthetic = vae.sample(len(train), random_state=0)
print(synthetic.head())

fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for frame, name in ((train, "real"), (synthetic, "synthetic")):
    axes[0].scatter(frame["flipper_length_mm"], frame["body_mass_g"], s=8,
                    alpha=0.6, label=name)
axes[0].set(xlabel="flipper length (mm)", ylabel="body mass (g)",
            title="numbers, jointly")
axes[0].legend()
shares = pd.DataFrame({
    "real": train["species"].value_counts(normalize=True),
    "synthetic": synthetic["species"].value_counts(normalize=True)})
shares.plot.bar(ax=axes[1], rot=0, title="species")
counts = pd.crosstab(synthetic["species"], synthetic["island"],
                     normalize="index")
axes[2].imshow(counts, cmap="Blues", vmin=0, vmax=1)
axes[2].set(xticks=range(counts.shape[1]), xticklabels=counts.columns,
            yticks=range(counts.shape[0]), yticklabels=counts.index,
            title="synthetic: island of each species")
fig.tight_layout()
# the real penguins: Adelie on all three islands, Chinstrap on Dream only,
# Gentoo on Biscoe only
print(pd.crosstab(train["species"], train["island"], normalize="index")
      .round(2))
print(counts.round(2))
plt.show()
