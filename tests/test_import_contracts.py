"""The import contracts (pyproject.toml, ``[tool.importlinter]``) hold, and each one catches the
import it is there to forbid: a copy of the code with that one import added breaks it."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
IMPORT_LINTER = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
PACKAGES = IMPORT_LINTER["root_packages"]  # the copy holds every package the contracts read
CONTRACTS = {c["id"]: c["name"] for c in IMPORT_LINTER["contracts"]}


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_the_code_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(CONTRACTS)} kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("negotiations/engine/terms.py", "import django", "engine-is-a-library"),
        (
            "negotiations/engine/terms.py",
            "from negotiations import models",
            "engine-is-a-library",
        ),
        (
            "negotiations/services/transcript.py",
            "from negotiations import tasks",
            "no-circles",
        ),
        (
            "negotiations/services/staff.py",
            "from negotiations import views",
            "services-never-import-views",
        ),
        ("negotiations/room/model.py", "from negotiations import live", "layers"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, contract):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / module).open("a") as source:
        source.write(f"\n{line}  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout
    report = " ".join(result.stdout.split())  # the report wraps long contract names
    assert f"{CONTRACTS[contract]} BROKEN" in report
