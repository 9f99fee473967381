"""Serving the terminal app to many terminals: over SSH and to a browser.

Every session gets its own `workshop` process (so one crash or one slow screen
touches one terminal), with a small pool of its own, behind one cap on sessions
that keeps the database server below its connection limit.
"""
