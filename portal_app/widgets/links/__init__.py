"""The links widget type, all in this package:

- widget.py: the pure type (config, search text, upload rules; no Reflex)
- view.py: how it looks (registered in the portal_app.widget_ui entry point group)
"""
