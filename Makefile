# The two commands: `make run` and `make test`. Everything else is a helper.
# Python 3.13, the Lambda runtime's version: python3.13 on PATH, else pyenv's 3.13.x
# (deploy/python313.sh says what to install when there is neither). PYTHON=... overrides.
PYTHON ?= $(shell sh deploy/python313.sh)
PACKAGE_DIR ?= out
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint fuzz clean browser package lock

# A venv of another Python (an older checkout's) is made anew.
$(STAMP): requirements.txt requirements-dev.txt requirements-oracle.txt pyproject.toml
	@test -n "$(PYTHON)" || exit 1
	$(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null || \
	  { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade "pip<26.3"  # chalice 1.34 requires pip<26.3
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt
	grep -E '^[A-Za-z0-9][^ ]*==' requirements.txt | cut -d' ' -f1 > $(VENV)/runtime-pins.txt
	$(BIN)/python -m pip install --quiet -c $(VENV)/runtime-pins.txt -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --ignore-requires-python -r requirements-oracle.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Start moto, deploy infra/ into it, serve the app on 127.0.0.1:$${PORT:-8000}
# and pump queues and schedules. FRESH=1 starts with empty data.
run: $(STAMP)
	$(BIN)/python -m chalicelib.local.run

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist loadscope  # a module's tests on one worker: its module-scoped world is built once

# schemathesis on every family's OpenAPI document against a fresh local stack, long profile:
# every phase, up to 100 examples per operation, SHIPYARD_FUZZ_SECONDS per family (default 180).
fuzz: $(STAMP)
	SHIPYARD_FUZZ=long $(BIN)/python -m pytest tests/api/test_openapi_fuzz.py tests/api/test_hostile_input.py -p no:xdist -s -k "schemathesis or below_500"

# Debian's chromium, for the graph page's end-to-end test (tests/perf/test_graphs_e2e.py). Installed when
# missing and we may (root with apt-get, as CI is); otherwise that one test says why it is skipped.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  echo "installing Debian's chromium for the graph page test" && \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; } || \
	echo "chromium is not installed and cannot be here: tests/perf/test_graphs_e2e.py will be skipped"

# The deployment artifacts in $(PACKAGE_DIR): sam.json (infra/ merged in), the function's zip and its
# layer's, installed from the lock for the Lambda runtime, with .pyc; fails on anything left out.
package: $(STAMP)
	$(BIN)/python -m deploy.package $(PACKAGE_DIR)

# requirements.txt (the Lambda functions' lock, with hashes) from pyproject.toml's dependencies.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --python-version 3.13 \
	  --python-platform x86_64-manylinux_2_34 --custom-compile-command "make lock" -o requirements.txt

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .shipyard build *.egg-info out
