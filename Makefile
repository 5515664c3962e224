# Two commands do all set-up on a fresh machine (README, "Quick start"):
#   make run    create .venv, install pinned dependencies, run the pipeline on corpus/
#   make test   the same set-up, Chromium/LibreOffice installed or their tests' skip announced
#               (scripts/test-deps.sh), then the test suite with skip reasons (what .ci/run calls)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)

.PHONY: run test setup clean
setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/zhinan run corpus --out outputs

test: $(STAMP)
	@scripts/test-deps.sh
	$(PY) -m pytest -q -rs

clean:
	rm -rf outputs/guides outputs/*.json outputs/*.jsonl outputs/*.log .prefect .pytest_cache
