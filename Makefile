# The two quick-start commands: `make demo` (analyse a bundled sample) and `make test`.
# Both create the virtual environment and fetch or build the model on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SAMPLE ?= sample_videos/bird_dog_clean.mp4
EXERCISE ?= bird_dog

.PHONY: demo test models samples validation-set bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

models: $(STAMP)
	$(VENV)/bin/posecheck models fetch full

demo: models
	$(VENV)/bin/posecheck analyze $(SAMPLE) --exercise $(EXERCISE) --out reports/ --annotate reports/annotated.mp4

test: models
	$(PY) -m pytest -q

bench: models
	$(VENV)/bin/posecheck bench $(SAMPLE)

clean:
	rm -rf $(VENV) reports .pytest_cache .hypothesis
