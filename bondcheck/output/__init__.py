"""Output formats: table, json, junit, markdown. They render a Report; they never judge."""
