# Carepath: the two commands are `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install lint format migrate seed clean constraints graphs messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Serve the app with demo data: SQLite, Celery tasks run eagerly, SMS printed to the console.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py seed_demo
	# Due reminders are sent by a small loop beside the server (Celery beat does it in production).
	DEBUG=1 $(BIN)/python manage.py dispatch_reminders --every 30 & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input

# Extract the interface's messages into the Welsh catalogue, then compile it. Translate what
# comes out with an empty msgstr in locale/cy/LC_MESSAGES/django.po and run it again.
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages --locale cy --no-obsolete \
	  --ignore ".venv/*" --ignore "tests/*" --ignore "artifacts/*" --ignore "scripts/*" --ignore "docs/*"
	DEBUG=1 $(BIN)/python manage.py compilemessages --locale cy --ignore ".venv/*"

seed: install
	DEBUG=1 $(BIN)/python manage.py seed_demo

clean:
	rm -rf $(VENV) var staticfiles

# Re-pin every dependency after changing pyproject.toml (needs the package registry).
constraints:
	rm -rf .venv-pin && $(PYTHON) -m venv .venv-pin
	.venv-pin/bin/python -m pip install --quiet --upgrade pip
	.venv-pin/bin/python -m pip install --quiet -e '.[dev]'
	( echo '# Pinned versions for a reproducible install: pip install -c constraints.txt -e ".[dev]"'; \
	  echo '# Regenerate after changing pyproject.toml: make constraints'; \
	  .venv-pin/bin/python -m pip freeze --exclude-editable ) > constraints.txt
	rm -rf .venv-pin

# Draw the state machines into docs/states/ (needs Graphviz's `dot` for the SVG).
graphs: install
	for model in casework.Case casework.NrmRecord casework.CicaClaim casework.ImmigrationMatter \
	  casework.CriminalJusticeMatter casework.CivilMatter marac.MaracReferral marac.MaracMeeting \
	  marac.MaracAction returns.ReturnPlan returns.ResettlementPlan; do \
	  name=$$(echo $$model | cut -d. -f2 | tr A-Z a-z); \
	  DEBUG=1 $(BIN)/python manage.py graph_transitions $$model > docs/states/$$name.dot; \
	  dot -Tsvg docs/states/$$name.dot -o docs/states/$$name.svg; \
	done
