"""bondcheck's real-kernel lab: QEMU guests with the real bonding driver and sshd.

Import the harness with `from tests.lab.harness import Lab`; the CLI is `python -m tests.lab`.
"""
