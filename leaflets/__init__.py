"""Printable patient leaflets from structured content: YAML -> Jinja2 -> WeasyPrint PDF."""

__version__ = "0.1.0"
