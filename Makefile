# The two quick-start commands: `make demo` (analyse a bundled sample) and `make test`.
# Both create the virtual environment and fetch or build the model on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SAMPLE ?= sample_videos/bird_dog_clean.mp4
EXERCISE ?= bird_dog

.PHONY: demo test models system-deps samples validation-set bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[test,cluster]'
	touch $(STAMP)

models: $(STAMP)
	$(VENV)/bin/posecheck models fetch full

demo: models
	$(VENV)/bin/posecheck analyze $(SAMPLE) --exercise $(EXERCISE) --out reports/ --html --annotate reports/annotated.webm

# Spoken cues use espeak-ng, the test that the annotated video plays uses chromium (Debian
# packages); installed here when we may, else the tests say what is missing.
system-deps:
	@missing=""; command -v espeak-ng >/dev/null 2>&1 || missing="espeak-ng"; \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	    else echo "posecheck: not installed:$$missing (spoken cues need espeak-ng; the browser playback test, chromium)"; fi; fi

test: models system-deps
	$(PY) -m ruff check posecheck tests benchmarks
	$(PY) -m mypy
	$(PY) -m pytest -q

bench: models
	$(VENV)/bin/posecheck bench $(SAMPLE)

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis .mypy_cache

# Synthetic people (posecheck.synth): a separate venv with torch (CPU), anny and pyrender.
SYNTH_VENV := .venv-synth
SYNTH_STAMP := $(SYNTH_VENV)/.installed-stamp
VALIDATION_N ?= 200

$(SYNTH_STAMP): pyproject.toml scripts/setup_synth.sh
	SYNTH_VENV=$(SYNTH_VENV) bash scripts/setup_synth.sh
	touch $(SYNTH_STAMP)

samples: $(SYNTH_STAMP)
	$(SYNTH_VENV)/bin/python -m posecheck.synth samples --out sample_videos

validation-set: $(SYNTH_STAMP)
	$(SYNTH_VENV)/bin/python -m posecheck.synth validation-set --out .cache/validation --n $(VALIDATION_N) --workers 2
