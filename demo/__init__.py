"""The demo marketplace (`manage.py seed_demo`) and the world-building the benchmark shares.

The top layer: it may import every app, and no app imports it.
"""
