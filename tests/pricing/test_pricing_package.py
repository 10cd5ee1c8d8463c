"""The pricing package stands alone and finds its data wherever it is installed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pricing
from pricing import load_catalog

PACKAGE = Path(pricing.__file__).parent


def run_python(code: str, *path: str) -> str:
    env_path = [*path, str(PACKAGE.parent)]
    script = f"import sys; sys.path[:0] = {env_path!r}\n{code}"
    return subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout.strip()


def test_importing_pricing_loads_nothing_of_the_project_nor_jax():
    loaded = run_python(
        "import pricing\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'advisor', 'benchmarks', 'jax', 'numpy'}))"
    )
    assert loaded == "[]"


def test_the_catalog_loads_from_a_zipped_package(tmp_path):
    archive = tmp_path / "pricing.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for package in (PACKAGE, PACKAGE.parent / "untrusted"):  # pricing and the one package it imports
            for file in package.rglob("*"):
                if file.is_file() and "__pycache__" not in file.parts:
                    bundle.write(file, file.relative_to(PACKAGE.parent).as_posix())
    output = run_python("import pricing; print(pricing.__file__, pricing.load_catalog().coverage)", str(archive))
    assert output == f"{archive}/pricing/__init__.py {load_catalog().coverage}"
