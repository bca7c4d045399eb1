"""The Document library widget: a folder of the viewer's own organization's shared
documents on a page (``widget.py`` the type, ``state.py`` and ``view.py`` its UI)."""
