"""The dropsite widget type, all in this package:

- widget.py: the pure type (config, search text; no Reflex)
- state.py: its Reflex state (what each widget's sender is sending, per widget id)
- view.py: how it looks (registered in the portal_app.widget_ui entry point group)

The sending itself is ``services/documents.py`` (``dropsite_info``, ``start_batch``,
``finish_batch``) and the resumable upload protocol; the drop zone is shared with the
/dropsite page (``components/dropsite.py``).
"""
