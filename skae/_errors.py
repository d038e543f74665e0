"""skae's own exception classes."""


class ModelFileError(ValueError):
    """A file that :func:`skae.load` cannot read as a skae model.

    Every failure of :func:`skae.load` on the file's content raises this
    class: a file that is not a skae model file, is truncated or damaged
    (a bit flip, a member replaced), has another format version, names a
    class that is not skae's or a torch module class that was not passed in
    ``modules``, or holds weights that do not match the estimator's
    parameters. Its message names the file and the part that failed; the
    underlying error, if any, is chained (``__cause__``). Loading never
    runs code from the file and never returns a half-loaded estimator.

    It is a :class:`ValueError`, so code that catches ``ValueError`` (as
    scikit-learn's does for bad input) keeps working. A file that cannot be
    opened at all (a missing path, a permission error) raises the usual
    :class:`OSError` instead.

    Parameters
    ----------
    message : str
        What is wrong and what to do.
    path : str, default=None
        The file, as the message names it.
    part : str, default=None
        The part of the file that failed (``"the zip archive"``,
        ``"skae.json"``, a member such as ``"data/3.npy"``, or a part of the
        estimator such as ``"StackedAE's weights"``).

    Attributes
    ----------
    path : str or None
        The file.
    part : str or None
        The part of the file that failed.

    See Also
    --------
    skae.load : raises it.

    Examples
    --------
    >>> import io
    >>> import skae
    >>> try:
    ...     skae.load(io.BytesIO(b"not a model"))
    ... except skae.ModelFileError as exc:
    ...     print(exc.part)
    the zip archive
    """

    def __init__(self, message, *, path=None, part=None):
        super().__init__(message)
        self.path = path
        self.part = part

    def __reduce__(self):
        # picklable with its keyword-only attributes (for joblib workers)
        return (_rebuild_model_file_error,
                (self.args[0] if self.args else "", self.path, self.part))


def _rebuild_model_file_error(message, path, part):
    return ModelFileError(message, path=path, part=part)
