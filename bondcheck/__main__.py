"""``python -m bondcheck``."""

from bondcheck.cli.app import main

main()
