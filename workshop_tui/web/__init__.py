"""The Flask companion: the JSON API and the five pages, on the same services."""

from workshop_tui.web.app import create_app

__all__ = ["create_app"]
