"""Every route of the product described once (catalogue.py), on one small world (world.py); the
authorization matrix and the fuzz (tests/core) read it."""
