"""Insurers (tenants) as data: one folder each, the JSON Schema, and the pure loader and checker (README.md)."""
