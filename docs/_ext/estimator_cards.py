"""The ``estimator-cards`` directive of the front page: one card per
estimator of :func:`skae.all_estimators`, with its gallery example's
thumbnail, its name (linked to its API page) and one line.

The build fails when an estimator has no card here (a new estimator must
get one) or a card names a class or an example that does not exist; the
thumbnails are sphinx-gallery's, so they exist once the gallery is built
(``make docs-fast`` gets sphinx-gallery's placeholder).
"""

import os

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

#: estimator -> (gallery example, what it is in a few words)
CARDS = {
    "LinearAE": ("plot_linear_autoencoder_vs_pca",
                 "PCA's subspace, learned"),
    "StackedAE": ("plot_stacked_autoencoder_mnist",
                  "deep MLP; tied weights, greedy pretraining"),
    "DenoisingAE": ("plot_denoising", "clean inputs from corrupted ones"),
    "SparseAE": ("plot_sparse_autoencoder", "mostly inactive code units"),
    "ContractiveAE": ("plot_contractive_autoencoder",
                      "codes that hold still around the data"),
    "KSparseAE": ("plot_ksparse_winner_take_all",
                  "the k largest code units only"),
    "WinnerTakeAllAE": ("plot_ksparse_winner_take_all",
                        "each unit fires for a share of a batch"),
    "VariationalAE": ("plot_variational_autoencoder",
                      "a generative model: sample, ELBO"),
    "IWAE": ("plot_generative_variants", "a tighter bound on log p(x)"),
    "VampPriorVAE": ("plot_generative_variants", "a learned mixture prior"),
    "BetaTCVAE": ("plot_generative_variants",
                  "codes with independent dimensions"),
    "ConditionalVAE": ("plot_conditional_generation",
                       "samples of a requested class"),
    "ConditionalAdversarialAE": ("plot_conditional_generation",
                                 "a requested class, adversarially"),
    "VQVAE": ("plot_adversarial_autoencoder",
              "discrete codes from a learned codebook"),
    "WAEMMD": ("plot_generative_variants",
               "codes matched to the prior by MMD"),
    "AdversarialAE": ("plot_adversarial_autoencoder",
                      "codes shaped like a prior"),
    "ConvAE": ("plot_conv_autoencoder_faces", "convolutions, for images"),
    "CustomAE": ("plot_custom_autoencoder", "your own PyTorch modules"),
    "PretrainedClassifier": ("plot_pretraining_few_labels",
                             "a classifier from few labels"),
    "AutoencoderOutlierDetector": ("plot_outlier_detection",
                                   "outliers by reconstruction error"),
    "AutoencoderImputer": ("plot_missing_values",
                           "missing values filled in"),
}


class EstimatorCards(SphinxDirective):
    has_content = False

    def run(self):
        import skae

        names = [cls.__name__ for cls in skae.all_estimators()]
        missing = sorted(set(names) - set(CARDS))
        unknown = sorted(set(CARDS) - set(names))
        if missing or unknown:
            raise self.error(
                f"estimator-cards: no card for {missing}; cards for classes "
                f"that skae.all_estimators() lacks: {unknown} "
                "(docs/_ext/estimator_cards.py)")
        examples = os.path.join(self.env.srcdir, "..", "examples")
        lines = [".. container:: skae-cards", ""]
        for name in CARDS:  # in the order of the table above
            example, line = CARDS[name]
            if not os.path.exists(os.path.join(examples, f"{example}.py")):
                raise self.error(f"estimator-cards: {name}'s example "
                                 f"examples/{example}.py does not exist")
            long_name = " skae-card-long" if len(name) > 20 else ""
            lines += [
                f"   .. container:: skae-card{long_name}",
                "",
                "      .. image:: /auto_examples/images/thumb/"
                f"sphx_glr_{example}_thumb.png",
                f"         :target: auto_examples/{example}.html",
                f"         :alt: {name}: gallery example",
                "",
                f"      :class:`~skae.{name}` {line}",
                "",
            ]
        container = nodes.container()
        self.state.nested_parse(StringList(lines, self.get_source_info()[0]),
                                self.content_offset, container)
        return container.children


def setup(app):
    app.add_directive("estimator-cards", EstimatorCards)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
