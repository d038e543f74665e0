"""skae.load on damaged and hostile files: one exception type, no code run.

A small model of every estimator is saved, then damaged in many ways with a
fixed seed: single bit flips (anywhere, in the zip headers, in the central
directory, in the compressed manifest), truncations, and every member of
the archive replaced by random bytes and by a pickle whose unpickling
would write a file. Each damaged file must either raise
:class:`skae.ModelFileError` or load as a working estimator that gives the
saved one's outputs; no other exception, and nothing unpickled.
"""

import collections
import io
import json
import pickle
import struct
import warnings
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import skae
from skae import ModelFileError
from test_common import fast_instance
from test_persistence import _outputs
from user_modules import MLPDecoder, MLPEncoder

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

#: Damaged files made from each estimator's model file.
FLIPS_ANYWHERE, FLIPS_PER_REGION, TRUNCATIONS = 6, 4, 4


class _WritesAFile:
    """A pickle payload: unpickling it creates ``path``."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _flip(data, bit):
    damaged = bytearray(data)
    damaged[bit // 8] ^= 1 << (bit % 8)
    return bytes(damaged)


def _regions(data):
    """Byte ranges of the zip headers, the central directory and the
    compressed manifest, where a flip is most likely to mislead a parser."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    headers, manifest = [], None
    for info in archive.infolist():
        start = info.header_offset
        name_length, extra_length = struct.unpack(
            "<HH", data[start + 26:start + 30])
        data_start = start + 30 + name_length + extra_length
        headers.append((start, data_start))
        if info.filename == "skae.json":
            manifest = (data_start, data_start + info.compress_size)
    central = data.index(b"PK\x01\x02")
    return {"local headers": headers, "central directory": [(central,
                                                             len(data))],
            "manifest": [manifest]}


def _rewritten(data, content_of, date_time=None):
    """The model file with each member's content ``content_of(name,
    content)`` (a valid archive: the damage is in the members, not in the
    zip structure), and every timestamp ``date_time`` if given."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = content_of(info.filename, source.read(info.filename))
            if date_time is not None:
                compress_type = info.compress_type
                info = zipfile.ZipInfo(info.filename, date_time)
                info.compress_type = compress_type
            target.writestr(info, content)
    return out.getvalue()


def _replaced(data, name, content):
    """The model file with member ``name`` replaced by ``content``."""
    return _rewritten(data, lambda member, original: content
                      if member == name else original)


def _reproducible(data):
    """The model file with what changes from run to run fixed (the epochs'
    durations in the history, the members' timestamps), so that the same
    seed damages the same bytes in every run."""

    def zero_durations(value):
        if isinstance(value, list):
            for item in value:
                zero_durations(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key == "history" and isinstance(item, list):
                    for epoch in item:
                        epoch["dur"] = {"float": "0.0"}
                else:
                    zero_durations(item)

    def manifest_without_durations(member, content):
        if member != "skae.json":
            return content
        manifest = json.loads(content)
        zero_durations(manifest)
        return json.dumps(manifest, indent=1)

    return _rewritten(data, manifest_without_durations,
                      date_time=(2026, 1, 1, 0, 0, 0))


def _damaged_files(data, rng, marker):
    """(kind, bytes) pairs: the damaged versions of one model file."""
    n_bits = 8 * len(data)
    for bit in rng.choice(n_bits, FLIPS_ANYWHERE, replace=False):
        yield "bit flip anywhere", _flip(data, int(bit))
    for region, ranges in _regions(data).items():
        bits = [bit for start, stop in ranges
                for bit in range(8 * start, 8 * stop)]
        for bit in rng.choice(bits, FLIPS_PER_REGION, replace=False):
            yield f"bit flip in the {region}", _flip(data, int(bit))
    for length in rng.choice(len(data), TRUNCATIONS, replace=False):
        yield "truncation", data[:int(length)]
    payload = pickle.dumps(_WritesAFile(str(marker)))
    for name in zipfile.ZipFile(io.BytesIO(data)).namelist():
        junk = rng.bytes(int(rng.randint(1, 400)))
        yield "member replaced by junk", _replaced(data, name, junk)
        yield "member replaced by a pickle", _replaced(data, name, payload)


@pytest.fixture(scope="module")
def saved_models(digits):
    """A tiny fitted model of every estimator, saved: (estimator, bytes)."""
    X, y = digits[0][:120], digits[2][:120]
    models = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one epoch, on purpose
        for cls in skae.all_estimators():
            est = fast_instance(cls, max_iter=1, batch_size=64)
            # the estimators that learn from labels require y (their tags)
            labeled = est.__sklearn_tags__().target_tags.required
            est.fit(X, y if labeled else None)
            buffer = io.BytesIO()
            skae.save(est, buffer)
            models.append((est, _reproducible(buffer.getvalue())))
    return models


def test_damaged_files_are_refused_with_one_exception_and_run_no_code(
        saved_models, digits, tmp_path, monkeypatch):
    unpickled = []

    def no_unpickling(*args, **kwargs):
        unpickled.append(args)
        raise AssertionError("skae.load unpickled something")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, no_unpickling)
    marker = tmp_path / "payload-ran"
    rng = np.random.RandomState(0)
    X_test = digits[1][:5]
    outcomes = collections.Counter()
    for est, data in saved_models:
        expected = _outputs(est, X_test)
        for kind, damaged in _damaged_files(data, rng, marker):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    loaded = skae.load(io.BytesIO(damaged),
                                       modules=[MLPEncoder, MLPDecoder])
            except ModelFileError as exc:
                assert exc.path and exc.part and exc.part in str(exc)
                outcomes[kind, "refused"] += 1
                continue
            # a flip in a byte no reader uses (a timestamp, a version
            # field): the same estimator
            assert type(loaded) is type(est), kind
            for a, b in zip(expected, _outputs(loaded, X_test)):
                assert_array_equal(a, b)
            outcomes[kind, "loaded"] += 1
    assert not marker.exists() and not unpickled
    assert sum(outcomes.values()) >= 200
    print("\n".join(f"{kind}: {outcome} {n}"
                    for (kind, outcome), n in sorted(outcomes.items())))


def test_every_part_is_named(saved_models, tmp_path):
    est, data = saved_models[0]
    cases = {
        b"not a zip": "the zip archive",
        _replaced(data, "skae.json", b"{"): "the manifest 'skae.json'",
    }
    name = next(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
                if n.endswith(".safetensors"))
    cases[_replaced(data, name, b"junk")] = f"{type(est).__name__}'s weights"
    for content, part in cases.items():
        path = tmp_path / "model.skae"
        path.write_bytes(content)
        with pytest.raises(ModelFileError) as info:
            skae.load(path)
        assert info.value.part == part
        assert str(info.value).startswith(f"Cannot load {str(path)!r}: ")
        assert isinstance(info.value, ValueError)
    # the underlying error is chained
    with pytest.raises(ModelFileError) as info:
        skae.load(io.BytesIO(_replaced(data, "skae.json", b"{")))
    assert isinstance(info.value.__cause__, ValueError)
    assert "BytesIO" in str(info.value)


def test_a_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        skae.load(tmp_path / "missing.skae")


def test_a_zip_bomb_is_refused(saved_models):
    data = saved_models[0][1]
    bomb = _replaced(data, "skae.json", b" " * (16 << 20))
    with pytest.raises(ModelFileError, match="zip bomb"):
        skae.load(io.BytesIO(bomb))


def test_an_attribute_cannot_replace_a_method(saved_models):
    from test_persistence import _rewrite

    data = saved_models[0][1]

    def shadow(manifest):
        manifest["estimator"]["attributes"]["transform"] = None

    with pytest.raises(ModelFileError, match="not a fitted attribute"):
        skae.load(_rewrite(data, shadow))


def test_the_exception_pickles():
    exc = ModelFileError("message", path="'f'", part="skae.json")
    again = pickle.loads(pickle.dumps(exc))
    assert (str(again), again.path, again.part) == ("message", "'f'",
                                                     "skae.json")
