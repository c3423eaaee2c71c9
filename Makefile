# bondcheck developer targets (plain make, no extensions needed).
#
#   make lab-deps      install the lab's host packages (root; idempotent)
#   make lab-up        boot 3 real-kernel QEMU nodes and leave them running (.lab/);
#                      LAB_FLAVOR=systemd boots guests with systemd as PID 1
#   make lab-status    show the running nodes
#   make lab-down      stop the nodes lab-up started
#   make lab-test      run only the lab tests (reuses a lab-up lab when one is running)
#   make lab-captures  regenerate fixtures/captures/lab from a fresh lab

PYTHON ?= python3
LAB_NODES ?= 3
LAB_FLAVOR ?= busybox
LAB_DIR ?= .lab
LAB_CAPTURES ?= fixtures/captures/lab

.PHONY: lab-deps lab-up lab-down lab-status lab-test lab-captures

lab-deps:
	sh scripts/lab-deps.sh

lab-up:
	$(PYTHON) -m tests.lab --run-dir $(LAB_DIR) up -n $(LAB_NODES) --flavor $(LAB_FLAVOR)

lab-down:
	$(PYTHON) -m tests.lab --run-dir $(LAB_DIR) down

lab-status:
	$(PYTHON) -m tests.lab --run-dir $(LAB_DIR) status

lab-test:
	if [ -f $(LAB_DIR)/state.json ]; then \
		BONDCHECK_LAB_STATE=$(LAB_DIR)/state.json $(PYTHON) -m pytest -m lab; \
	else \
		$(PYTHON) -m pytest -m lab; \
	fi

lab-captures:
	$(PYTHON) -m tests.lab captures --out $(LAB_CAPTURES) -n $(LAB_NODES)
