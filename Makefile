# Two commands for a newcomer:  make demo  (set up + fly the blimp)  and  make test  (set up + test).
VENV ?= .venv
PY := $(VENV)/bin/python
export ROS_AUTOMATIC_DISCOVERY_RANGE ?= LOCALHOST
export MUJOCO_GL ?= egl

.PHONY: setup demo test test-fast clean

setup:
	@bash scripts/setup.sh

demo: setup
	$(VENV)/bin/snn-control launch blimp --fast --plot blimp_demo.png

test: setup
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

clean:
	rm -rf $(VENV) build install log *.egg-info .pytest_cache
