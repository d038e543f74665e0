"""Ctrl-C during ``fit``: stop the whole fit, keep what was trained.

skorch ends its epoch loop when a ``KeyboardInterrupt`` reaches it, as a
stop, and so do the stopping rules of skae and skorch, which raise one to
end training. To tell a real Ctrl-C from those, :class:`InterruptGuard`
installs a SIGINT handler for the duration of a fit (in the main thread,
the only one that receives signals): it marks every active guard before
raising the ``KeyboardInterrupt``, so that a fit with several stages
(greedy pretraining, the autoencoder of a PretrainedClassifier) starts no
further stage and keeps the epochs done so far. A second Ctrl-C interrupts
as usual: the fit is abandoned and the estimator restored.
"""

import signal
import threading

#: The guards of the fits running in the main thread, outermost first.
_ACTIVE = []
_PREVIOUS_HANDLER = []


def _handle(signum, frame):
    for guard in _ACTIVE:
        guard.caught = True
    # the next Ctrl-C acts as it would without skae
    signal.signal(signal.SIGINT, _PREVIOUS_HANDLER[0])
    raise KeyboardInterrupt


class InterruptGuard:
    """Context manager around a fit; ``caught`` tells whether the user
    pressed Ctrl-C during it."""

    def __init__(self):
        self.caught = False

    def __enter__(self):
        self.caught = False
        if threading.current_thread() is threading.main_thread():
            if not _ACTIVE:
                _PREVIOUS_HANDLER[:] = [signal.getsignal(signal.SIGINT)]
                signal.signal(signal.SIGINT, _handle)
            _ACTIVE.append(self)
        return self

    def __exit__(self, *exc_info):
        if self in _ACTIVE:
            _ACTIVE.remove(self)
            if not _ACTIVE:
                signal.signal(signal.SIGINT, _PREVIOUS_HANDLER.pop())
        return False
