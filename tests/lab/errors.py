"""Errors of the lab harness.

LabUnavailable means "the lab cannot run here" (missing packages, no kernel, a guest that
never booted): the pytest fixture turns it into a skip locally and a failure in CI.
LabError is everything that goes wrong once the lab is up (a scenario that does not build,
a command that times out); it always fails the test that hit it.
"""

from __future__ import annotations


class LabError(Exception):
    """Something went wrong while driving running guests."""


class LabUnavailable(LabError):
    """The lab cannot be built or booted on this machine; the message says why."""


class LabTimeout(LabError):
    """A guest command or a convergence wait exceeded its deadline."""
