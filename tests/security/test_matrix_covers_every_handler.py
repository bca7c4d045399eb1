"""No event handler escapes the access matrix (tests/security/matrix.py).

The app is imported as the server imports it, every widget UI entry point is loaded
(plugins' states included), and every state under Reflex's root is walked: each
public event handler needs a row, each row a handler that still exists, and each row's
allowed path a proof (a functional test that exists, or the matrix itself for a
handler that changes nothing).
"""

from __future__ import annotations

import ast
import inspect
from functools import lru_cache
from pathlib import Path

from tests.security import matrix

ROOT = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=1)
def app_handlers() -> dict[str, object]:
    """Every public event handler of the app: ``{"<full state name>.<handler>": fn}``."""
    from reflex.state import State

    import portal_app.portal_app  # noqa: F401  (registers every page's states)
    from portal_app.components.widget_ui import _installed, widget_uis

    widget_uis()
    _installed()  # every widget_ui entry point, even one without a pure type
    found: dict[str, object] = {}
    pending = [State]
    while pending:
        cls = pending.pop()
        for name, handler in cls.event_handlers.items():
            if not name.startswith("_"):
                found[f"{cls.get_full_name()}.{name}"] = handler.fn
        pending.extend(cls.get_substates())
    return found


def test_every_handler_has_a_row_and_every_row_a_handler():
    handlers = app_handlers()
    missing = sorted(set(handlers) - set(matrix.BY_EVENT))
    gone = sorted(set(matrix.BY_EVENT) - set(handlers))
    assert not missing, "handlers without a row in tests/security/matrix.py:\n" + "\n".join(missing)
    assert not gone, "rows naming handlers that no longer exist:\n" + "\n".join(gone)
    assert len(matrix.BY_EVENT) == len(matrix.HANDLERS), "two rows for one handler"


def test_the_plugin_states_are_walked_too():
    handlers = app_handlers()
    assert any(".portal_checklist___state____checklist_state." in name for name in handlers)
    assert any(name.endswith("on_load_internal") for name in handlers)


def test_each_row_is_well_formed():
    handlers = app_handlers()
    problems = []
    for row in matrix.HANDLERS:
        if row.audience not in matrix.AUDIENCES:
            problems.append(f"{row.event}: unknown audience {row.audience!r}")
        if row.changes and not row.covered_by:
            problems.append(f"{row.event}: changes data, so covered_by must name its test")
        fn = handlers.get(row.event)
        if fn is None:
            continue
        parameters = [
            p
            for p in list(inspect.signature(fn).parameters.values())[1:]
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        names = {p.name for p in parameters}
        required = {p.name for p in parameters if p.default is p.empty}
        if set(row.args) - names:
            problems.append(f"{row.event}: no arguments {sorted(set(row.args) - names)}")
        if required - set(row.args):
            problems.append(f"{row.event}: arguments missing {sorted(required - set(row.args))}")
        for event, _payload in row.before:
            if event not in handlers:
                problems.append(f"{row.event}: 'before' names unknown {event}")
    assert not problems, "\n".join(problems)


def _test_exists(reference: str) -> bool:
    path, _, name = reference.partition("::")
    file = ROOT / path
    if not name or not file.is_file():
        return False
    tree = ast.parse(file.read_text())
    return any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
        for node in tree.body
    )


def test_every_covered_by_names_an_existing_test():
    wrong = sorted(
        {row.covered_by for row in matrix.HANDLERS if row.covered_by}
        - {ref for ref in {row.covered_by for row in matrix.HANDLERS} if _test_exists(ref)}
    )
    assert not wrong, "covered_by names no test:\n" + "\n".join(wrong)


def test_rows_say_which_arguments_are_ids():
    row = matrix.BY_EVENT[f"{matrix.DISCUSSION}.post"]
    assert row.ids == {"form.widget": "widget:discussion", "form.parent": "comment"}
    assert matrix.BY_EVENT[f"{matrix.EDITOR}.load"].path_ids == ["page"]
