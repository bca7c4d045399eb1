"""A Portal widget plugin with its own action and state: a checklist each signed-in
reader ticks for themself (docs/widgets.md walks through it).

- widget.py: the pure type (config, search text)
- actions.py: the service behind ticking (the acting person first, access checked)
- state.py: the Reflex state holding the reader's ticks per widget
- view.py: how it looks, and the ``WidgetUI`` registered in pyproject.toml
"""
