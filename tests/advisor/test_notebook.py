"""The Colab notebook: install without touching Colab's JAX, show the accelerator, measure, copy."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from pathlib import Path

import pytest

from advisor.results.share import TOKEN_PREFIX, encode_token
from tests.helpers import make_measurement

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "colab_benchmark.ipynb"
CELL_KEYS = {"markdown": {"cell_type", "id", "metadata", "source"},
             "code": {"cell_type", "id", "metadata", "source", "execution_count", "outputs"}}
JAX_PACKAGES = ("jax", "jaxlib", "flax", "optax", "numpy")


def notebook() -> dict:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"])


def code_cells() -> list[str]:
    return [source(c) for c in notebook()["cells"] if c["cell_type"] == "code"]


def as_python(code: str) -> str:
    """IPython cell text as plain Python: shell lines (`!cmd`, `x = !cmd`) become stand-ins."""
    lines = []
    for line in code.splitlines():
        captured = re.match(r"(\s*)(\w+)\s*=\s*!", line)
        if captured:
            lines.append(f"{captured.group(1)}{captured.group(2)} = []")
        elif line.lstrip().startswith("!"):
            lines.append(line[: len(line) - len(line.lstrip())] + "pass")
        else:
            lines.append(line)
    return "\n".join(lines)


def test_the_notebook_is_valid_nbformat_4_json():
    nb = notebook()
    assert nb["nbformat"] == 4 and nb["nbformat_minor"] >= 4
    assert nb["metadata"]["kernelspec"]["language"] == "python"
    ids = [cell["id"] for cell in nb["cells"]]
    assert len(set(ids)) == len(ids)
    for cell in nb["cells"]:
        assert set(cell) == CELL_KEYS[cell["cell_type"]]
        assert isinstance(cell["source"], list) and all(isinstance(line, str) for line in cell["source"])
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_code_cells_install_show_the_accelerator_measure_and_instruct_in_that_order():
    install, accelerator, measure, instruction = code_cells()
    assert "pip install" in install and "git+https://github.com/colab-advisor/colab-advisor" in install
    assert "nvidia-smi -L" in accelerator and "jax.devices()" in accelerator
    assert "colab-advisor measure --share --no-progress" in measure
    assert f"{TOKEN_PREFIX}" in instruction and "colab-advisor import <token>" in instruction


def test_markdown_explains_each_step_and_why_jax_is_left_alone():
    cells = notebook()["cells"]
    assert cells[0]["cell_type"] == "markdown"
    kinds = [c["cell_type"] for c in cells]
    # Every code cell has a markdown cell before it saying what it does.
    assert all(kinds[i - 1] == "markdown" for i, kind in enumerate(kinds) if kind == "code")
    text = " ".join(source(c) for c in cells if c["cell_type"] == "markdown")
    assert "Colab's JAX" in text and "--upgrade" in text and "--force-reinstall" in text


def test_the_install_neither_pins_nor_reinstalls_jax():
    [install] = [code for code in code_cells() if "pip install" in code]
    for line in install.splitlines():
        if "pip" not in line:
            continue
        words = shlex.split(line.lstrip("!% "))
        assert not {"-U", "--upgrade", "--force-reinstall", "--ignore-installed", "-I", "--no-deps"} & set(words)
        for word in words:
            name = re.split(r"[\s@=<>!~\[;]", word, maxsplit=1)[0].lower()
            assert name not in JAX_PACKAGES, f"the install line names {word}"
        assert "==" not in line


def test_the_nvidia_check_does_not_fail_on_a_runtime_without_a_gpu():
    [line] = [line for line in code_cells()[1].splitlines() if "nvidia-smi" in line]
    assert "||" in line


def test_the_notebook_itself_never_loads_jax():
    # A kernel holding JAX would keep most of the GPU's memory, or the whole TPU, from the measurement.
    for code in code_cells():
        python = as_python(code)
        assert "import jax" not in python and "from jax" not in python
    assert any('python -c "import jax; print(jax.devices())"' in code for code in code_cells())


def test_python_in_every_cell_compiles():
    for code in code_cells():
        compile(as_python(code), "<cell>", "exec")


@pytest.mark.parametrize("warnings", [[], ["warning: python loop is unstable"]])
def test_the_instruction_cell_prints_the_token_from_the_measure_output(warnings):
    token = encode_token(make_measurement())
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(as_python(code_cells()[3]), {"shared": [*warnings, token]})
    first, *rest = printed.getvalue().splitlines()
    assert first.startswith("Copy the line starting with ca1: and run `colab-advisor import <token>`")
    assert rest[-1] == token


def test_the_instruction_cell_says_what_to_do_when_no_token_came():
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(as_python(code_cells()[3]), {"shared": ["error: out of device memory"]})
    assert "No token was printed" in printed.getvalue()
