"""Widget types, one package each (``portal_app/widgets/<name>/``), built-in or
installed, all found through the ``portal_app.widgets`` and ``portal_app.widget_ui``
entry point groups. ``base.py`` is the API every type uses; ``registry.py`` finds the
pure types for services. See docs/widgets.md."""
