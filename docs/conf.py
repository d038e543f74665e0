"""Sphinx configuration for skae.

The build is offline: no intersphinx, no downloads; the gallery examples
read only data that ships in installed wheels. ``make docs`` runs Sphinx
with ``-W``, so any warning fails the build.
"""

import os
import re
import sys

sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("_ext"))

# the gallery resolves the names its examples use by importing them, and
# sklearn.impute.IterativeImputer exists only once this is imported
from sklearn.experimental import enable_iterative_imputer  # noqa: E402,F401

import skae  # noqa: E402

project = "skae"
author = "the skae developers"
copyright = "2026, the skae developers"
release = skae.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "estimator_cards",
]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

templates_path = ["_templates"]
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]

# -- HTML: pydata-sphinx-theme, as scikit-learn and skorch ------------------
# No icon links, version switcher or analytics: each needs a URL the
# offline build cannot know or check.
html_theme = "pydata_sphinx_theme"
html_title = f"skae {release}"
html_static_path = ["_static"]
html_css_files = ["skae.css"]
html_theme_options = {
    "logo": {"text": "skae"},
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
# the front page is one screen: no sidebars
html_sidebars = {"index": []}

# -- examples gallery -------------------------------------------------------
# The gallery is every ``examples/plot_*.py`` file: a module docstring whose
# first line is an RST title, then code, optionally split into cells by
# ``# %%`` comments. Adding an example is dropping such a file there. Other
# files in examples/ (the ``make demo`` script, helpers) stay out of the
# gallery: ``ignore_pattern`` is matched against the file name.
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"^(?!plot_)",
    "within_subsection_order": "sphinx_gallery.sorting.FileNameSortKey",
    "doc_module": ("skae",),
    "backreferences_dir": "api/generated/backreferences",
    "reference_url": {"skae": None},
    "remove_config_comments": True,
    # show what examples print, not the repr of each cell's last value
    "capture_repr": (),
    "min_reported_time": 0,
    # a failing example fails the build
    "only_warn_on_example_error": False,
}
# SKAE_DOCS_FAST=1 (``make docs-fast``) builds every page without running
# the examples, for work on the theme and the text; CI builds them all.
if os.environ.get("SKAE_DOCS_FAST"):
    sphinx_gallery_conf["plot_gallery"] = "False"


# -- docstrings ---------------------------------------------------------------
# In reStructuredText a bare word that ends with "_" is a hyperlink
# reference, so ``(n_samples, n_features_in_)`` in a docstring is an error
# ("Unknown target name"). Fitted attributes end with "_" by convention, so
# skae's docstrings escape every bare such word (outside ``literals``,
# doctests and literal blocks); parameter names are left to numpydoc.
_TRAILING_UNDERSCORE = re.compile(r"(?<![\w`\\|*])([A-Za-z]\w*)_(?![\w`])")
_INLINE_LITERAL = re.compile(r"(``.+?``|`[^`]+`_?|:\w+:`[^`]+`)")
_PARAMETER_LINE = re.compile(r"^(\S[^:]*?) : (.*)$")


def _escape_outside_literals(text):
    parts = _INLINE_LITERAL.split(text)
    for i in range(0, len(parts), 2):  # even parts are outside literals
        parts[i] = _TRAILING_UNDERSCORE.sub(r"\1\\_", parts[i])
    return "".join(parts)


def _escape_attribute_names(app, what, name, obj, options, lines):
    if not name.startswith("skae"):
        return
    literal_indent, in_doctest = None, False
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if literal_indent is not None:
            if not stripped or indent > literal_indent:
                continue
            literal_indent = None
        # a doctest block runs from a ">>>" line to the next blank line
        in_doctest = bool(stripped) and (in_doctest
                                         or stripped.startswith(">>>"))
        if in_doctest:
            continue
        match = _PARAMETER_LINE.match(line)
        if match:
            lines[i] = f"{match[1]} : {_escape_outside_literals(match[2])}"
        else:
            lines[i] = _escape_outside_literals(line)
        if stripped.endswith("::"):
            literal_indent = indent


# Methods inherited from scikit-learn (set_output, get_metadata_routing...)
# cross-reference scikit-learn's own user guide and glossary, which this
# offline build cannot resolve; keep their text, drop the links.
_SKLEARN_ROLE = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _unlink_sklearn_references(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", "") or ""
    if not module.startswith("sklearn"):
        return
    for i, line in enumerate(lines):
        lines[i] = _SKLEARN_ROLE.sub(lambda m: m[1], line)


# -- the estimator list of api.rst -------------------------------------------
# api.rst lists the estimators by hand (autosummary generates stubs only for
# lists it finds in source files, not in included ones); the build fails
# when that list and skae.all_estimators() disagree, so a new estimator
# cannot be left out of the API reference.
def _check_estimator_list():
    path = os.path.join(os.path.dirname(__file__), "api.rst")
    with open(path) as f:
        text = f.read()
    section = text.split("Estimators\n----------", 1)[1].split("\n---", 1)[0]
    listed = {line.strip() for line in section.splitlines()
              if line.startswith("   ") and line.strip()
              and not line.strip().startswith(":")}
    expected = {cls.__name__ for cls in skae.all_estimators()}
    if listed != expected:
        raise RuntimeError(
            "docs/api.rst's estimator list differs from skae.all_estimators(): "
            f"missing {sorted(expected - listed)}, extra "
            f"{sorted(listed - expected)}.")


_check_estimator_list()


def setup(app):
    # before numpydoc (priority 500) rewrites the docstrings
    app.connect("autodoc-process-docstring", _escape_attribute_names,
                priority=400)
    app.connect("autodoc-process-docstring", _unlink_sklearn_references,
                priority=400)
