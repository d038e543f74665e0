"""Parameters declared once: their constraint and their description.

A class, public estimator or private mixin, declares the parameters it
introduces: their constraints in its own ``_parameter_constraints`` and
their descriptions in its docstring's Parameters section. A public
estimator lists all of its parameters in an explicit ``__init__`` signature
(scikit-learn reads it) and stores them with :func:`store_params`. When the
class is created, :class:`DeclaredParamsMixin` gives it:

* ``_parameter_constraints`` for exactly the parameters of its signature,
  each taken from the nearest class of the MRO that declares it;
* a docstring whose Parameters section lists the parameters in signature
  order, each with the description of the nearest class that documents it
  and the default of the signature, and whose Attributes section holds the
  attributes documented along the MRO.

So a parameter shared by every estimator is validated in one place and
described in one place; a class drops an inherited parameter by leaving it
out of its signature.
"""

import inspect

from ._docstrings import assemble_docstring


def init_parameters(cls):
    """Name -> default of the parameters of ``cls.__init__``, in order."""
    return {
        name: p.default
        for name, p in inspect.signature(cls.__init__).parameters.items()
        if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


def store_params(estimator, arguments):
    """Store every ``__init__`` argument on ``estimator``, untouched.

    Call it as ``store_params(self, locals())`` as the only statement of an
    ``__init__``: scikit-learn's convention, without a line per parameter.
    """
    for name in init_parameters(type(estimator)):
        setattr(estimator, name, arguments[name])


class DeclaredParamsMixin:
    """Assemble the constraints and the docstring of each subclass that
    defines ``__init__`` (see the module's description)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" not in vars(cls):
            return  # inherits its parent's signature, constraints and docs
        parameters = init_parameters(cls)
        own = vars(cls).get("_parameter_constraints", {})
        unknown = set(own) - set(parameters)
        if unknown:
            raise TypeError(
                f"{cls.__name__} declares constraints for {sorted(unknown)}, "
                "which are not parameters of its __init__.")
        constraints = {}
        for name in parameters:
            declared = next(
                (vars(klass)["_parameter_constraints"] for klass in cls.__mro__
                 if name in vars(klass).get("_parameter_constraints", {})),
                None)
            if declared is None:
                raise TypeError(
                    f"{cls.__name__}.__init__ has the parameter {name!r}, but "
                    "no class declares its constraint in "
                    "_parameter_constraints.")
            constraints[name] = declared[name]
        cls._parameter_constraints = constraints
        if cls.__doc__ is not None:
            cls.__doc__ = assemble_docstring(cls, parameters)
