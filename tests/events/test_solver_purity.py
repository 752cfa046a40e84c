"""The solver stays pure: importing every solver module pulls in no database, ORM or web code."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
import matchmaker.events.solver as solver
for found in pkgutil.iter_modules(solver.__path__):
    importlib.import_module("matchmaker.events.solver." + found.name)
banned = ("sqlalchemy", "fastapi", "starlette", "pydantic", "api")
print("\\n".join(
    name for name in sys.modules
    if name.split(".")[0] in banned
    or name.startswith(("matchmaker.store", "matchmaker.events.models", "matchmaker.events.service"))
))
"""


def test_solver_modules_import_no_database_or_web_code() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120, check=True
    )
    found = result.stdout.split()
    assert found == [], f"the solver imports {len(found)} banned modules, e.g. {found[:5]}"
