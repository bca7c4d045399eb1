"""Reflex states: translate browser events into service calls. No queries, no access rules."""
