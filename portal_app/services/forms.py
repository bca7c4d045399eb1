"""Moved: the form widget's actions live in ``portal_app/widgets/form/actions.py``.

Only ``api/files.py`` (its CSV export route) still imports this name; that file belongs
to the storage work going on in parallel, so it is left alone here. Change its import
to ``portal_app.widgets.form import actions as forms`` and delete this module.
"""

from portal_app.widgets.form.actions import export_csv

__all__ = ["export_csv"]
