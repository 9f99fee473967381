"""Textual screens: login, shop, cart, payment, profile and staff."""
