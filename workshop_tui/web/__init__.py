"""The Flask companion: the JSON API and the five pages, on the same services."""
