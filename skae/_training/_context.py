"""The state of one training call, in one object passed down explicitly.

A ``fit`` or ``partial_fit`` call makes one :class:`FitContext`: its
random source (``random_state`` resolved once), the device, the process
group of data-parallel training, whether it is a ``partial_fit`` pass, and
the Ctrl-C guard. Every function of the call that needs one of them gets
the context as an argument; nothing is stashed on the estimator for the
duration of the call.
"""

import contextlib
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ..nn._random import generator_scope
from ._device import process_group, resolve_device, resolve_precision
from ._interrupt import InterruptGuard

_INT32_MAX = np.iinfo(np.int32).max


class RandomSource:
    """A call's ``random_state``, resolved once.

    :meth:`draw_seed` draws the next seed from the call's stream (the
    seeds of torch's generators, of an inner estimator). :meth:`numpy`
    gives the generator of numpy draws made after training (which training
    codes a sampler keeps, the seed of the scores' noise): for an integer
    ``random_state`` the stream ``RandomState(random_state)`` from its
    start, as ``check_random_state`` gives every caller; for a
    ``RandomState`` instance the instance itself, its draws continuing.

    Parameters
    ----------
    random_state : int, RandomState instance or None
    passes : int, default=0
        ``partial_fit`` passes made before this call: with an integer
        ``random_state``, pass ``k > 0`` seeds torch from ``(random_state,
        k)``, so that every pass shuffles anew and repeatably, while the
        first draws what ``fit`` would.
    """

    def __init__(self, random_state, passes=0):
        self._rng = check_random_state(random_state)
        self._int = (int(random_state)
                     if isinstance(random_state, Integral) else None)
        self._start = self._rng.get_state() if self._int is not None \
            else None
        self.passes = passes

    def draw_seed(self):
        """The next integer seed of the call's stream."""
        return int(self._rng.randint(_INT32_MAX))

    def torch_seed(self):
        """The seed of the call's torch generators."""
        if self.passes and self._int is not None:
            seed = np.random.SeedSequence([self._int, self.passes])
            derived = int(seed.generate_state(1)[0] >> 1)
            return int(check_random_state(derived).randint(_INT32_MAX))
        return self.draw_seed()

    def numpy(self):
        """The numpy generator of the draws made after training."""
        if self._start is None:
            return self._rng
        rng = np.random.RandomState()
        rng.set_state(self._start)
        return rng


@contextlib.contextmanager
def restored_on_failure(obj):
    """A block after which ``obj`` (an estimator) is exactly as before it
    if the block raises (bad input, a diverging loss, a second Ctrl-C):
    its attributes are put back. What the block trains must be new objects
    or copies, never the fitted ones in place."""
    state = dict(obj.__dict__)
    try:
        yield
    except BaseException:
        obj.__dict__.clear()
        obj.__dict__.update(state)
        raise


def random_scope(random_state):
    """A block whose torch draws in skae come from generators seeded from
    ``random_state`` (an int, a RandomState, or None): for the calls that
    draw without training (``sample``)."""
    return generator_scope(RandomSource(random_state).draw_seed())


class FitContext:
    """One ``fit`` or ``partial_fit`` call.

    Parameters
    ----------
    random_state : int, RandomState instance or None
    device : str or torch.device
        The estimator's ``device`` parameter (resolved here).
    precision : {"float32", "bfloat16", "float16"}, default="float32"
        The estimator's ``precision`` parameter (checked against the
        device here).
    partial : bool, default=False
        A ``partial_fit`` pass: one epoch, no held-out split.
    continues : bool, default=False
        The call continues the fitted network (a warm start, a
        ``partial_fit`` pass after ``fit`` or after another pass).
    epochs_done : int, default=0
        Epochs of the training this call continues; schedules count from
        there.
    distributed : bool, default=True
        Train data-parallel when this process is one of a process group;
        False for a net that does not train (a loaded model).

    Attributes
    ----------
    random : RandomSource
    device : torch.device
    precision : torch.dtype or None
        The autocast dtype of training (None: float32 throughout).
    group : tuple of int or None
        ``(rank, world_size)`` when this process is one of several that
        train one model (``torchrun``), else None.
    pretrained_epochs : int
        Epochs of the stages before the whole network trained.
    """

    def __init__(self, random_state, device, *, precision="float32",
                 partial=False, continues=False, epochs_done=0,
                 distributed=True):
        self.random = RandomSource(random_state,
                                   epochs_done if partial else 0)
        self.device = resolve_device(device)
        self.precision = resolve_precision(precision, self.device)
        self.group = process_group() if distributed else None
        self.partial = partial
        self.continues = continues
        self.epochs_done = epochs_done
        self.pretrained_epochs = 0
        self._guard = InterruptGuard()

    def __enter__(self):
        """The block of the call: Ctrl-C ends it (see ``_interrupt``)."""
        self._guard.__enter__()
        return self

    def __exit__(self, *exc_info):
        return self._guard.__exit__(*exc_info)

    @property
    def interrupted(self):
        """Whether the user pressed Ctrl-C during the call."""
        return self._guard.caught

    def generators(self):
        """The block of the call's torch draws (initialisation, shuffling,
        noise): generators seeded from the random source."""
        return generator_scope(self.random.torch_seed())
