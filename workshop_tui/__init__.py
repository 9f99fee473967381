"""Workshop: a terminal-first shop and order system."""

__version__ = "0.1.0"
