"""Write notebooks/colab_benchmark.ipynb from the package's own sources.

The notebook needs nothing installed and no network: it carries the benchmark package and the
record (benchmarks/*.py) and the token encoder (taken from advisor/results/share.py), writes them
into the runtime, and runs them on the JAX, Flax and Optax the runtime already has. A test checks
that the committed notebook is exactly what this script writes, so the two cannot drift.

    python scripts/build_notebook.py            # rewrite the notebook
    python scripts/build_notebook.py --check    # exit 1 if the committed notebook is out of date
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "colab_benchmark.ipynb"
SHARE = ROOT / "advisor" / "results" / "share.py"
# What the benchmark imports; typer, tabulate and rich stay out (Colab's TPU image lacks them).
NEEDED = ("jax", "flax", "optax", "numpy")
# The pieces of share.py that make a token; nothing there that reads one.
TOKEN_NAMES = ("TOKEN_VERSION", "TOKEN_PREFIX", "CHECK_HEX_DIGITS", "encode_token", "_check")
TOKEN_MODULE = "colab_advisor_token.py"
SOURCE_FOLDER = "colab_advisor_src"


def lower_bounds(pyproject: str) -> dict[str, str]:
    """The `>=` bound pyproject.toml gives each package in NEEDED."""
    bounds = {}
    for name in NEEDED:
        match = re.search(rf'"{name}>=([0-9][0-9.]*)"', pyproject)
        if match is None:
            raise SystemExit(f"pyproject.toml gives no lower bound for {name}")
        bounds[name] = match.group(1)
    return bounds


def version() -> str:
    text = (ROOT / "advisor" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'__version__\s*=\s*"([^"]+)"', text)
    if match is None:
        raise SystemExit("advisor/__init__.py has no __version__")
    return match.group(1)


def token_module() -> str:
    """encode_token and what it needs, cut out of share.py as they are written there."""
    text = SHARE.read_text(encoding="utf-8")
    tree = ast.parse(text)
    found: dict[str, str] = {}
    for node in tree.body:
        names = []
        if isinstance(node, ast.FunctionDef):
            names = [node.name]
        elif isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        for name in names:
            if name in TOKEN_NAMES:
                found[name] = ast.get_source_segment(text, node) or ""
    missing = [name for name in TOKEN_NAMES if name not in found]
    if missing:
        raise SystemExit(f"advisor/results/share.py no longer defines {', '.join(missing)}")
    header = (
        '"""The share-token encoder of colab-advisor (from advisor/results/share.py)."""\n\n'
        "from __future__ import annotations\n\n"
        "import base64\nimport hashlib\nimport json\nimport zlib\n\n"
        "from benchmarks.result import Measurement\n\n"
    )
    constants = "\n".join(found[name] for name in TOKEN_NAMES if name.isupper())
    functions = "\n\n\n".join(found[name] for name in TOKEN_NAMES if not name.isupper())
    return f"{header}{constants}\n\n\n{functions}\n"


def sources() -> dict[str, str]:
    files = {
        f"benchmarks/{path.name}": path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "benchmarks").glob("*.py"))
    }
    # benchmarks/validation.py reads the shared rules for untrusted text from this package.
    files["untrusted/__init__.py"] = (ROOT / "untrusted" / "__init__.py").read_text(encoding="utf-8")
    files[TOKEN_MODULE] = token_module()
    return files


def literal(text: str) -> str:
    """The text as a Python literal a person can read: a raw triple-quoted string where that is exact."""
    if "'''" not in text and not text.endswith("\\") and "\r" not in text:
        # Opened on a line of its own so every line stays as long as it is in the source.
        return "r'''\n" + text + "'''[1:]"
    return repr(text)


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text.strip("\n")}


def code(text: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": text.strip("\n")}


def cells() -> list[dict]:
    bounds = lower_bounds((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    files = sources()
    written = "\n".join(f"SOURCES[{name!r}] = {literal(text)}\n" for name, text in files.items())
    return [
        markdown("""
# Measure this Colab runtime with colab-advisor

Pick the accelerator first: **Runtime → Change runtime type** (T4 GPU, L4, A100, TPU ...). Then
**Runtime → Run all**. Nothing is installed and nothing is downloaded: the notebook carries
colab-advisor's benchmark and runs it on the JAX, Flax and Optax this runtime already has. It takes
about a minute. The last cell prints one line starting with `ca1:`: copy it and run
`colab-advisor import <token>` on your own machine.
"""),
        markdown("""
## 1. Check what this runtime has

The benchmark needs JAX, Flax, Optax and NumPy at the versions below or newer. Colab's GPU and TPU
runtimes have them. If one is missing or too old, the cell says what to run.
"""),
        code(f"""
import importlib
import importlib.metadata
import platform
import re

NEEDED = {bounds!r}


def release(text):
    return tuple(int(part) for part in re.findall(r"\\d+", text)[:3])


problems = []
for name, lowest in NEEDED.items():
    try:
        installed = importlib.metadata.version(name)
        importlib.import_module(name)
    except Exception as exc:  # not installed, or installed but broken
        what = f"cannot be imported ({{type(exc).__name__}})"
        problems.append(f"{{name}} {{what}}: run  !pip install '{{name}}>={{lowest}}'")
        continue
    ok = release(installed) >= release(lowest)
    print(f"{{name:<6}} {{installed:<10}} {{'ok' if ok else 'TOO OLD'}} (needs {{lowest}} or newer)")
    if not ok:
        problems.append(f"{{name}} {{installed}} is older than {{lowest}}: run  !pip install '{{name}}>={{lowest}}'")
print(f"Python {{platform.python_version()}}")
if problems:
    print()
    print("\\n".join(problems))
    print("then Runtime → Restart session, and Runtime → Run all again.")
    raise SystemExit("this runtime lacks what the benchmark needs: see the lines above")
"""),
        markdown("""
## 2. Optional: install colab-advisor itself

Not needed for the measurement. To have the whole command-line tool in this runtime, set
`INSTALL_FROM` to where you keep a copy of colab-advisor (for example
`git+https://github.com/<you>/colab-advisor`) and run the cell. The install asks only for lower
bounds on JAX, Flax, Optax and NumPy, which this runtime meets, so pip leaves them as they are.
"""),
        code("""
INSTALL_FROM = ""  # off by default: the measurement below does not need it

if INSTALL_FROM:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"colab-advisor @ {INSTALL_FROM}"], check=True)
else:
    print("skipped: the benchmark comes with this notebook")
"""),
        markdown(f"""
## 3. Write the benchmark into this runtime

colab-advisor {version()}: the benchmark package and the token encoder, as they are in its sources,
written to `{SOURCE_FOLDER}/` next to this notebook.
"""),
        code(f"""
import importlib
import pathlib
import sys

SOURCES = {{}}
{written}
folder = pathlib.Path.cwd() / {SOURCE_FOLDER!r}
for name, text in SOURCES.items():
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
if str(folder) not in sys.path:
    sys.path.insert(0, str(folder))
# Run again after an edit: forget what an earlier run of this cell imported.
for module in [m for m in sys.modules if m == "benchmarks" or m.startswith("benchmarks.")]:
    del sys.modules[module]
sys.modules.pop({TOKEN_MODULE[:-3]!r}, None)
importlib.invalidate_caches()
print(f"wrote {{len(SOURCES)}} files to {{folder}}")
"""),
        markdown("""
## 4. Measure

About 15-30 seconds on a GPU. `PRESET`, `DTYPE` and `BUDGET_SECONDS` are what
`colab-advisor measure --preset ... --dtype ... --budget ...` takes; keep the preset you measured
(or will measure) on your own machine, so that `compare` and `recommend` set like against like.
"""),
        code(f"""
import jax

import benchmarks

PRESET = "medium"
DTYPE = "float32"
BUDGET_SECONDS = 6.0

print("measuring on", jax.devices())
config = benchmarks.Config(preset=PRESET, dtype=DTYPE, budget_seconds=BUDGET_SECONDS)
phases = []


def progress(phase, fraction):
    if not phases or phases[-1] != phase:
        phases.append(phase)
        print(f"  {{phase}} ...")


measurement = benchmarks.run(config, progress=progress, tool_version={version() + "+notebook"!r})
m = measurement
print()
print(f"{{m.config.preset}} AutoEncoder, {{m.config.dtype}}, batch {{m.batch_size}} on {{m.environment.device_label}}")
print(f"  step time, python loop (median)  {{m.python_loop.median * 1e3:.4g}} ms")
print(f"  step time, device loop (median)  {{m.device_loop.median * 1e3:.4g}} ms")
print(f"  throughput, python loop          {{m.samples_per_second:,.0f}} samples/s")
print(f"  loss after {{m.fingerprint.steps}} steps (fingerprint) {{m.fingerprint.loss:.6g}}")
for note in m.warnings:
    print("  note:", note)
"""),
        markdown("""
## 5. Take the result home
"""),
        code("""
from colab_advisor_token import encode_token

token = encode_token(measurement)
print("Copy the line below (it starts with ca1:) and run, on your own machine:")
print("    colab-advisor import <token>")
print()
print(token)
"""),
    ]


def notebook() -> dict:
    return {
        "cells": [{"id": f"cell-{i:02d}", **cell} for i, cell in enumerate(cells())],
        "metadata": {
            "accelerator": "GPU",
            "colab": {"provenance": []},
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render() -> str:
    nb = notebook()
    for cell in nb["cells"]:
        cell["source"] = cell["source"].splitlines(keepends=True)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed notebook is out of date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = NOTEBOOK.read_text(encoding="utf-8") if NOTEBOOK.exists() else ""
        if current != text:
            print(f"{NOTEBOOK.relative_to(ROOT)} is out of date: run python scripts/build_notebook.py")
            return 1
        return 0
    NOTEBOOK.write_text(text, encoding="utf-8")
    print(f"wrote {NOTEBOOK.relative_to(ROOT)} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
