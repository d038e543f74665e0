"""CustomAE: an autoencoder of the user's own torch encoder and decoder."""

import copy
import inspect

import torch
from torch import nn

from ._architecture import ReconstructionMixin
from ._base import BaseAutoencoder
from ._parameters import store_params
from ._sampling import MixtureSamplingMixin
from .nn import ModuleAutoencoder
from .nn._random import randint

#: Prefixes of the keyword arguments passed to the user's modules.
_PREFIXES = ("encoder__", "decoder__")


def _is_module_class(value):
    return isinstance(value, type) and issubclass(value, nn.Module)


def _check_module(value, name):
    if value is not None and not (_is_module_class(value)
                                  or isinstance(value, nn.Module)):
        raise TypeError(
            f"{name} must be a torch.nn.Module subclass, an instance of one, "
            f"or None; got {value!r}.")


class CustomAE(MixtureSamplingMixin, ReconstructionMixin, BaseAutoencoder):
    """An autoencoder made of your own PyTorch encoder and decoder.

    Everything else is skae's: validation, batching, the skorch training
    loop and its stopping rule, ``transform``, ``inverse_transform``,
    ``score``, ``sample``, ``partial_fit``, :func:`skae.save`. As in skorch,
    a module may be given as a class, built at ``fit`` with the keyword
    arguments ``encoder__<name>`` / ``decoder__<name>`` (which
    ``set_params`` and ``GridSearchCV`` can change), or as an instance,
    which is copied (the parameter itself is never trained).

    When a module class's ``__init__`` has a parameter ``n_features`` or
    ``n_components`` that no ``encoder__`` / ``decoder__`` argument sets,
    ``fit`` passes the data's width and ``n_components``, so one class fits
    any data set. The encoder must map a batch of shape (n, n_features) to
    codes of shape (n, n_components); the decoder maps codes back to
    (n, n_features), before ``out_activation``. Modules built from classes
    are initialised from ``random_state`` (torch's global random state is
    forked, then restored); random draws inside your modules' ``forward``
    (dropout) use torch's global generator.

    The default modules (None) are a single linear layer each, so
    ``CustomAE()`` is a linear autoencoder; replace one half or both.

    Parameters
    ----------
    encoder : torch.nn.Module class or instance, or None, default=None
        Maps a batch (n, n_features) to codes (n, n_components). None: one
        ``nn.Linear(n_features, n_components)``.
    decoder : torch.nn.Module class or instance, or None, default=None
        Maps codes (n, n_components) to reconstructions (n, n_features),
        before the output activation. None: one
        ``nn.Linear(n_components, n_features)``.
    n_components : int, default=32
        Width of the codes the encoder returns (checked at ``fit``).
    **module_params : dict
        ``encoder__<name>=value`` and ``decoder__<name>=value``: arguments
        of the module classes.

    Attributes
    ----------
    module_ : skae.nn.ModuleAutoencoder
        The trained network: ``module_.encoder`` and ``module_.decoder``
        are the trained copies of your modules.

    See Also
    --------
    StackedAE : skae's own fully connected autoencoder.

    Examples
    --------
    >>> from torch import nn
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skae import CustomAE
    >>> class Encoder(nn.Module):
    ...     def __init__(self, n_features, n_components, hidden=32):
    ...         super().__init__()
    ...         self.net = nn.Sequential(nn.Linear(n_features, hidden),
    ...                                  nn.ReLU(),
    ...                                  nn.Linear(hidden, n_components))
    ...     def forward(self, x):
    ...         return self.net(x)
    >>> X = load_digits().data / 16
    >>> ae = CustomAE(encoder=Encoder, n_components=8, encoder__hidden=16,
    ...               max_iter=5, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 8)
    >>> search = GridSearchCV(ae, {"encoder__hidden": [16, 64]}, cv=2)
    >>> search.fit(X).best_params_ in ({"encoder__hidden": 16},
    ...                                {"encoder__hidden": 64})
    True
    """

    _parameter_constraints = {
        "encoder": [type, nn.Module, None],
        "decoder": [type, nn.Module, None],
    }

    def __init__(self, encoder=None, decoder=None, n_components=32, *,
                 out_activation="identity", loss="mse", alpha=0.0,
                 batch_size="auto", max_iter=200, learning_rate=1e-3,
                 learning_rate_schedule="adaptive",
                 optimizer="adam", early_stopping="auto",
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-3,
                 random_state=None, verbose=0, warm_start=False,
                 device="cpu",
                 precision="float32", callbacks=None, sampler_components=10,
                 sampler="gaussian_mixture",
                 **module_params):
        store_params(self, locals())
        # the modules' arguments, as given: parameters (get_params lists
        # each), kept in one private dict because scikit-learn's checks
        # allow no public attribute that is not in the signature
        self._module_arguments = dict(module_params)

    # -- the module arguments as parameters (skorch's convention) ---------
    def _module_params(self, prefix=""):
        return {key: value for key, value
                in vars(self).get("_module_arguments", {}).items()
                if key.startswith(prefix)}

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update(self._module_params())
        return params

    def set_params(self, **params):
        """Set the estimator's parameters, as scikit-learn's ``set_params``;
        ``encoder__<name>`` / ``decoder__<name>`` set (or add) an argument of
        the module class.

        Parameters
        ----------
        **params : dict
            Parameter names and their new values, ``encoder__<name>`` and
            ``decoder__<name>`` among them.

        Returns
        -------
        self : object
            The estimator.
        """
        own = {key: params.pop(key) for key in list(params)
               if key.startswith(_PREFIXES) and key not in _PREFIXES}
        super().set_params(**params)
        if own:
            self._module_arguments = {**self._module_params(), **own}
        return self

    # -- the network ------------------------------------------------------
    def _validate_params(self):
        super()._validate_params()
        unknown = [key for key in self._module_params()
                   if not key.startswith(_PREFIXES) or key in _PREFIXES]
        if unknown:
            raise TypeError(
                f"CustomAE got the unexpected keyword arguments {unknown}; "
                "arguments of the modules are named encoder__<name> or "
                "decoder__<name>.")
        _check_module(self.encoder, "encoder")
        _check_module(self.decoder, "decoder")

    def _make_module(self, which, n_in, n_out, n_features):
        spec = getattr(self, which)
        kwargs = {key[len(which) + 2:]: value for key, value
                  in self._module_params(f"{which}__").items()}
        if spec is None:
            if kwargs:
                raise ValueError(
                    f"{sorted(kwargs)} are arguments for a {which} class, "
                    f"but {which}=None (skae's linear {which}).")
            return nn.Linear(n_in, n_out)
        if isinstance(spec, nn.Module):
            if kwargs:
                raise ValueError(
                    f"{which} is an instance, so {which}__ arguments "
                    f"({sorted(kwargs)}) cannot apply; pass the class "
                    f"({type(spec).__name__}) to build it with them.")
            return copy.deepcopy(spec)
        accepted = inspect.signature(spec).parameters
        for name, value in (("n_features", n_features),
                            ("n_components", self.n_components)):
            if name in accepted and name not in kwargs:
                kwargs[name] = value
        try:
            return spec(**kwargs)
        except TypeError as exc:
            raise TypeError(
                f"Could not build {which}={spec.__name__} with "
                f"{kwargs}: {exc}") from None

    def _build_module(self, n_features):
        # modules built by their own __init__ draw from torch's global
        # generator: seed it from this fit's generator, then restore it
        seed = int(randint(2 ** 31 - 1, (1,)))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            encoder = self._make_module("encoder", n_features,
                                        self.n_components, n_features)
            decoder = self._make_module("decoder", self.n_components,
                                        n_features, n_features)
        module = ModuleAutoencoder(encoder, decoder,
                                   **self._reconstruction_kwargs())
        self._check_shapes(module, n_features)
        return module

    def _check_shapes(self, module, n_features):
        """Run one zero sample through the modules, to say clearly which
        one returns the wrong shape."""
        param = next(module.parameters(), None)
        dtype = torch.float32 if param is None else param.dtype
        x = torch.zeros(2, n_features, dtype=dtype)
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                code = self._run_part(module.encode, x, "encoder")
                if tuple(code.shape) != (2, self.n_components):
                    raise ValueError(
                        f"The encoder returns codes of shape "
                        f"{tuple(code.shape)} for a batch of shape (2, "
                        f"{n_features}); expected (2, n_components="
                        f"{self.n_components}). Set n_components to its "
                        "code width.")
                out = self._run_part(module.decode_logits, code, "decoder")
                if tuple(out.shape) != (2, n_features):
                    raise ValueError(
                        f"The decoder returns {tuple(out.shape)} for codes "
                        f"of shape {tuple(code.shape)}; expected (2, "
                        f"{n_features}), the width of X.")
        finally:
            module.train(was_training)

    @staticmethod
    def _run_part(part, x, which):
        try:
            return part(x)
        except RuntimeError as exc:
            raise ValueError(
                f"The {which} fails on a batch of shape {tuple(x.shape)}: "
                f"{exc}. It must take inputs of width {x.shape[1]} (for a "
                "module class, take the width as an n_features or "
                "n_components argument, which fit fills in).") from None
