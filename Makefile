# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint fuzz clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Start moto, deploy infra/ into it, serve the app on 127.0.0.1:$${PORT:-8000}
# and pump queues and schedules. FRESH=1 starts with empty data.
run: $(STAMP)
	$(BIN)/python -m chalicelib.local.run

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist loadscope  # a module's tests on one worker: its module-scoped world is built once

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .shipyard build *.egg-info
