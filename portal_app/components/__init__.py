"""Reusable pieces of the portal's UI."""
