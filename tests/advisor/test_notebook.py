"""The Colab notebook: generated from the sources, installs nothing, checks the runtime, prints a token."""

from __future__ import annotations

import importlib.metadata
import io
import json
import re
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from advisor.results.share import decode_token, encode_token
from tests.helpers import make_measurement

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "colab_benchmark.ipynb"
CELL_KEYS = {"markdown": {"cell_type", "id", "metadata", "source"},
             "code": {"cell_type", "id", "metadata", "source", "execution_count", "outputs"}}


def notebook() -> dict:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def code_cells() -> list[str]:
    return ["".join(c["source"]) for c in notebook()["cells"] if c["cell_type"] == "code"]


def cell_with(text: str) -> str:
    [cell] = [code for code in code_cells() if text in code]
    return cell


def build_notebook_module():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_notebook
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return build_notebook


def test_the_committed_notebook_is_what_the_sources_generate():
    # When this fails after a change to benchmarks/ or share.py: python scripts/build_notebook.py
    assert NOTEBOOK.read_text(encoding="utf-8") == build_notebook_module().render()


def test_the_notebook_is_valid_nbformat_4_json_without_outputs():
    nb = notebook()
    assert nb["nbformat"] == 4 and nb["nbformat_minor"] >= 4
    assert nb["metadata"]["kernelspec"]["language"] == "python"
    ids = [cell["id"] for cell in nb["cells"]]
    assert len(set(ids)) == len(ids)
    for cell in nb["cells"]:
        assert set(cell) == CELL_KEYS[cell["cell_type"]]
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


def test_every_code_cell_is_plain_python_with_no_shell_line():
    for code in code_cells():
        compile(code, "<cell>", "exec")
        assert not any(line.lstrip().startswith(("!", "%")) for line in code.splitlines())


def test_nothing_is_installed_or_fetched_unless_the_user_names_a_source():
    install = cell_with("INSTALL_FROM = ")
    assert re.search(r'^INSTALL_FROM = ""', install, re.MULTILINE)
    printed = io.StringIO()
    with redirect_stdout(printed):
        exec(install, {})
    assert printed.getvalue().startswith("skipped")
    others = [code for code in code_cells() if code != install]
    # Only the optional cell may start a process; nothing at all opens a connection.
    for word in ("subprocess", "os.system", "urllib", "requests", "socket", "http.client"):
        assert not any(word in code for code in others), word


def test_the_notebook_carries_every_benchmark_module_as_it_is_in_the_sources():
    namespace: dict = {}
    exec(cell_with("SOURCES = {}").split("\nfolder = ")[0], namespace)
    carried = namespace["SOURCES"]
    for path in (ROOT / "benchmarks").glob("*.py"):
        assert carried[f"benchmarks/{path.name}"] == path.read_text(encoding="utf-8")
    assert not any("tabulate" in text or "typer" in text for text in carried.values())


def test_the_carried_encoder_makes_the_token_advisor_reads(tmp_path):
    m = make_measurement()
    script = (
        "import sys\n" + cell_with("SOURCES = {}") + "\n"
        "from benchmarks.result import Measurement\n"
        "from colab_advisor_token import encode_token\n"
        "print(encode_token(Measurement.from_json(sys.stdin.read())))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], input=m.to_json(), capture_output=True, text=True,
                          cwd=tmp_path, check=True)
    token = done.stdout.strip().splitlines()[-1]
    assert token == encode_token(m)
    assert decode_token(token) == m
    assert (tmp_path / "colab_advisor_src" / "benchmarks" / "runner.py").is_file()


@pytest.mark.parametrize(
    ("installed", "says"),
    [
        ({"jax": "0.4.20"}, "jax 0.4.20 is older than 0.4.30: run  !pip install 'jax>=0.4.30'"),
        ({"flax": None}, "flax cannot be imported (PackageNotFoundError): run  !pip install 'flax>=0.10.0'"),
    ],
)
def test_the_first_cell_says_what_to_do_when_a_package_is_missing_or_too_old(monkeypatch, installed, says):
    real = importlib.metadata.version

    def version(name):
        if name in installed:
            if installed[name] is None:
                raise importlib.metadata.PackageNotFoundError(name)
            return installed[name]
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    printed = io.StringIO()
    with redirect_stdout(printed), pytest.raises(SystemExit, match="lacks what the benchmark needs"):
        exec(code_cells()[0], {})
    assert says in printed.getvalue()
    assert "Runtime → Restart session" in printed.getvalue()


def test_the_first_cell_passes_on_this_machine_and_names_the_lower_bounds_of_pyproject():
    printed = io.StringIO()
    with redirect_stdout(printed):
        exec(code_cells()[0], {})
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for name in ("jax", "flax", "optax", "numpy"):
        [bound] = re.findall(rf'"{name}>=([0-9.]+)"', pyproject)
        assert re.search(rf"^{name}\s+\S+\s+ok \(needs {re.escape(bound)} or newer\)$", printed.getvalue(), re.M)


def test_the_last_cell_prints_the_token_as_its_last_line():
    m = make_measurement()
    last = code_cells()[-1]
    printed = io.StringIO()
    # The cell imports the carried encoder; here the package's own stands in for it.
    fake = type(sys)("colab_advisor_token")
    fake.encode_token = encode_token
    sys.modules["colab_advisor_token"] = fake
    try:
        with redirect_stdout(printed):
            exec(last, {"measurement": m})
    finally:
        del sys.modules["colab_advisor_token"]
    lines = printed.getvalue().splitlines()
    assert "colab-advisor import <token>" in printed.getvalue()
    assert lines[-1] == encode_token(m)
