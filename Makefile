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

.PHONY: demo test bench docs clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(STAMP)
	$(PY) examples/demo.py

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/run.py

docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) docs/_build docs/api/generated docs/auto_examples demo-output
