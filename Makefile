# Pacer: `make run` serves the demo on http://127.0.0.1:8000, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv is missing: installing Debian's python3-venv"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y python3-venv && \
	  $(PYTHON) -m venv $(VENV); }

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-nodeps.txt requirements-dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $@

# Hashed, brotli- and gzip-compressed copies of the static files (plotly.js is 4.8 MB, 1.1 MB
# in brotli), made again only when a static file or a package changes.
staticfiles/staticfiles.json: $(VENV)/.installed $(shell find static -type f)
	$(BIN)/python manage.py collectstatic --noinput -v0

run: $(VENV)/.installed staticfiles/staticfiles.json
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py run_forecast
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
