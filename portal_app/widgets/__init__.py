"""Widget types: built-in ones and any installed through the ``portal_app.widgets``
entry point group. See docs/widgets.md."""
