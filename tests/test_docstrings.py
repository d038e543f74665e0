"""Every public estimator's docstring is complete and comes from one source
per parameter (``skae/_docstrings.py`` assembles it)."""

import ast
import inspect
import re

import pytest

import skae
from skae._docstrings import numpydoc_entries
from skae._parameters import init_parameters


def _public_docstrings(cls):
    yield cls.__name__, cls.__doc__
    for name, member in inspect.getmembers(cls):
        if not name.startswith("_") and callable(member) and member.__doc__ \
                and getattr(member, "__module__", "").startswith("skae"):
            yield f"{cls.__name__}.{name}", member.__doc__


def check_docstring(cls):
    """The rules a public estimator's docstring follows."""
    doc = cls.__doc__
    params = init_parameters(cls)
    assert set(params) == set(cls().get_params(deep=False))
    documented = numpydoc_entries(doc, "Parameters")
    # every parameter, once, in the order of the signature, then the
    # documented **kwargs (CustomAE's module arguments)
    var_keyword = [p.name for p in inspect.signature(cls).parameters.values()
                   if p.kind is inspect.Parameter.VAR_KEYWORD]
    assert list(documented) == list(params) + [f"**{name}" for name
                                               in var_keyword], cls.__name__
    for name, value in params.items():
        first_line = documented[name].splitlines()[0]
        assert "default=" in first_line, (cls.__name__, name)
        default = first_line.split("default=")[-1]
        if isinstance(value, type):
            assert default == value.__name__
        elif default == "np.nan":
            assert value != value, (cls.__name__, name)  # NaN
        else:
            assert ast.literal_eval(default) == value, (cls.__name__, name)
        assert len(documented[name].splitlines()) > 1, (cls.__name__, name)
    attributes = numpydoc_entries(doc, "Attributes")
    assert "n_features_in_" in attributes
    for section in ("See Also", "Examples"):
        assert f"\n{section}\n" in doc, (cls.__name__, section)
    assert "{parent" not in doc


@pytest.mark.parametrize("cls", skae.all_estimators(),
                         ids=lambda cls: cls.__name__)
def test_every_parameter_documented_once_with_its_default(cls):
    check_docstring(cls)


@pytest.mark.parametrize("cls", skae.all_estimators(),
                         ids=lambda cls: cls.__name__)
def test_no_undefined_jargon(cls):
    # "the seeds" are this project's source tutorials; name the tutorial,
    # the chapter or the paper instead
    for where, doc in _public_docstrings(cls):
        assert not re.search(r"\bthe seeds?\b(?! (of|from|for))|seeds'",
                             doc, re.IGNORECASE), where


def test_shared_parameters_read_the_same_everywhere():
    """A training parameter has one description unless a class says more."""
    texts = {}
    for cls in skae.all_estimators():
        for name, entry in numpydoc_entries(cls.__doc__,
                                            "Parameters").items():
            texts.setdefault(name, set()).add(
                entry.split("\n", 1)[1] if "\n" in entry else "")
    # e.g. alpha had 5 different texts across 6 classes before they were
    # assembled from one source; overrides with more to say are allowed
    assert len(texts["tol"]) == 1
    assert len(texts["verbose"]) == 1
    assert len(texts["n_iter_no_change"]) == 1
