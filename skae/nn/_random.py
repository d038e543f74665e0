"""Random draws from the generator of the current call, never torch's global
one.

An estimator's ``fit``, ``sample``, ... opens :func:`generator_scope` with a
seed derived from its ``random_state``; every random draw of skae's networks
and training loop inside it (initialisation, shuffling, corruption noise,
reparameterisation, prior draws, random projections) comes from a
``torch.Generator`` of that scope. Scopes are per thread, so concurrent
calls in threads give exactly the results they give one after the other,
and torch's global random state is neither read nor changed.

Outside a scope (a network of :mod:`skae.nn` used on its own) the draws
fall back to torch's default generator, as plain PyTorch code does.
"""

import contextlib
import threading

import torch

_local = threading.local()


class _Scope:
    """One generator per device type, each seeded from the scope's seed."""

    def __init__(self, seed):
        self.seed = int(seed)
        self._generators = {}

    def generator(self, device):
        device = torch.device(device)
        key = (device.type, device.index)
        if key not in self._generators:
            gen = torch.Generator(device=device)
            gen.manual_seed(self.seed)
            self._generators[key] = gen
        return self._generators[key]


@contextlib.contextmanager
def generator_scope(seed):
    """Make the random draws of skae in this thread come from generators
    seeded with ``seed`` (an int) until the block ends."""
    previous = getattr(_local, "scope", None)
    _local.scope = _Scope(seed)
    try:
        yield _local.scope
    finally:
        _local.scope = previous


def current_generator(device="cpu"):
    """The current scope's generator for ``device``, or None outside a
    scope (torch's default generator)."""
    scope = getattr(_local, "scope", None)
    return None if scope is None else scope.generator(device)


def replay_point():
    """A function that puts the current scope's generators back where they
    are now, so that the draws after each call of it repeat the draws after
    this one (outside a scope: a function that does nothing)."""
    scope = getattr(_local, "scope", None)
    if scope is None:
        return lambda: None
    states = {key: gen.get_state() for key, gen in scope._generators.items()}

    def restore():
        for key in list(scope._generators):
            if key in states:
                scope._generators[key].set_state(states[key])
            else:  # created since: it starts again from the seed
                del scope._generators[key]
    return restore


def randn_like(x):
    """Standard normal noise shaped like ``x``."""
    return torch.randn(x.shape, dtype=x.dtype, device=x.device,
                       generator=current_generator(x.device))


def rand_like(x):
    """Uniform [0, 1) noise shaped like ``x``."""
    return torch.rand(x.shape, dtype=x.dtype, device=x.device,
                      generator=current_generator(x.device))


def randn(*shape, dtype=None, device="cpu"):
    """Standard normal noise of ``shape``."""
    return torch.randn(*shape, dtype=dtype, device=device,
                       generator=current_generator(device))


def rand(*shape, dtype=None, device="cpu"):
    """Uniform [0, 1) noise of ``shape``."""
    return torch.rand(*shape, dtype=dtype, device=device,
                      generator=current_generator(device))


def randint(high, shape, device="cpu"):
    """Integers in [0, high) of ``shape``."""
    return torch.randint(high, shape, device=device,
                         generator=current_generator(device))


def randperm(n, device="cpu"):
    """A random permutation of ``range(n)``."""
    return torch.randperm(n, device=device,
                          generator=current_generator(device))
