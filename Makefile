# The two commands a user needs:
#   make book   install into .venv, then build the web book with every chapter executed
#   make test   install into .venv, then run every test (unit, exercises, book build, browser)
# Both work offline except for the package registries (PyPI, npm, Debian).

SHELL  := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
VENDOR := _vendor
# Versions of the web assets served from the built book instead of a CDN.
HTML_MANAGER := @jupyter-widgets/html-manager@1.0.15
REQUIREJS    := requirejs@2.3.8
MATHJAX      := mathjax@3.2.2
JB_FLAGS     := --all -W -n --keep-going
# No log noise from TensorFlow in any kernel (see segcourse/env.py for why oneDNN stays on).
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: book test install unit exercises browser vendor chromium clean notebooks bench help

help:
	@echo "make book    build the web book (executes every chapter) into _build/html"
	@echo "make test    run the whole test suite (includes the book build and a browser test)"
	@echo "make unit    only the fast unit/property tests"
	@echo "make bench   print performance figures"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.book: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[book]"
	touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[book,test]"
	touch $@ $(VENV)/.book

install: $(VENV)/.test

$(VENDOR)/.stamp: web/widgets-setup.js
	rm -rf $(VENDOR) $(VENDOR).tmp && mkdir -p $(VENDOR).tmp $(VENDOR)/widgets $(VENDOR)/mathjax
	cd $(VENDOR).tmp && npm pack --silent $(HTML_MANAGER) $(REQUIREJS) $(MATHJAX) >/dev/null
	cd $(VENDOR).tmp && for f in *.tgz; do mkdir -p "$${f%.tgz}" && tar xzf "$$f" -C "$${f%.tgz}"; done
	cp $(VENDOR).tmp/jupyter-widgets-html-manager-*/package/dist/embed-amd.js $(VENDOR)/widgets/
	cp $(VENDOR).tmp/requirejs-*/package/require.js $(VENDOR)/widgets/
	# Icon fonts where embed-amd.js looks for them (see web/widgets-setup.js).
	for d in @jupyter-widgets @jupyter-widgets/html-manager/dist; do \
	  mkdir -p $(VENDOR)/widgets/$$d && \
	  cp $(VENDOR).tmp/jupyter-widgets-html-manager-*/package/dist/*.{woff,woff2,ttf,eot,svg} $(VENDOR)/widgets/$$d/; done
	cp web/widgets-setup.js $(VENDOR)/widgets/
	cp -r $(VENDOR).tmp/mathjax-*/package/es5/. $(VENDOR)/mathjax/
	rm -rf $(VENDOR).tmp
	touch $@

vendor: $(VENDOR)/.stamp

book: $(VENV)/.book $(VENDOR)/.stamp
	SEGCOURSE_STATIC=1 $(BIN)/jupyter-book build $(JB_FLAGS) .
	@echo "Open _build/html/index.html in a browser (works offline)."

# Debian's Chromium for the browser test (a browser download would fail offline).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: sudo apt-get install chromium (the browser test will be skipped)"; fi; }

unit: $(VENV)/.test
	$(BIN)/pytest -m "not browser and not slow" -n 2

exercises: $(VENV)/.test
	$(BIN)/pytest tests/test_exercises.py -n 2

test: $(VENV)/.test chromium
	$(BIN)/pytest -m "not browser" -n 2 --dist loadfile
	$(MAKE) book
	$(BIN)/pytest -m browser

browser: $(VENV)/.test chromium
	$(BIN)/pytest -m browser

bench: $(VENV)/.test
	$(BIN)/python -m segcourse.bench

# Chapters as .ipynb files (JupyterLab with jupytext also opens book/**/*.md directly as notebooks).
notebooks: $(VENV)/.book
	mkdir -p _build/notebooks
	for f in $$(find book -name '*.md'); do \
	  out=_build/notebooks/$${f#book/}; mkdir -p "$$(dirname $$out)"; \
	  $(BIN)/jupytext --quiet --to ipynb -o "$${out%.md}.ipynb" "$$f"; done
	@echo "wrote _build/notebooks/"

clean:
	rm -rf _build $(VENDOR) $(VENDOR).tmp test-artifacts
