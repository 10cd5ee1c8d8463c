"""Run the Colab notebook end to end on this CPU and import the token it prints.

What CI does under Colab's own versions (.ci/colab-versions.txt): execute every cell of
notebooks/colab_benchmark.ipynb with nbclient in a fresh kernel, in an empty folder, with no
network; take the `ca1:` line the last cell prints; `colab-advisor import` it into an empty data
folder; check the imported record's fingerprint against the one expected value. Needs nbclient and
ipykernel (the test extra). Prints the execution time and the token's size.

    python scripts/check_notebook.py [--budget 1.0] [--hide-modules tabulate]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, data_folder, environment, verdict

from benchmarks.result import FINGERPRINT_REL_TOL, FINGERPRINT_SCHEME
from tests.benchmarks import fingerprints

NOTEBOOK = Path(ROOT) / "notebooks" / "colab_benchmark.ipynb"
TIME_LIMIT_SECONDS = 60.0
TOKEN_LIMIT_BYTES = 2048
DEFAULT_BUDGET = "6.0"


def prepared(budget: str, hidden: list[str]):
    """The notebook with its budget set, and modules made unimportable as on Colab's TPU image."""
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    line = f"\nBUDGET_SECONDS = {DEFAULT_BUDGET}\n"
    [measure] = [c for c in nb.cells if c.cell_type == "code" and line in c.source]
    measure.source = measure.source.replace(line, f"\nBUDGET_SECONDS = {float(budget)!r}\n")
    if hidden:
        # A None entry in sys.modules makes `import name` fail, as if the package were absent.
        blocker = nbformat.v4.new_code_cell("import sys\n" + "".join(f"sys.modules[{n!r}] = None\n" for n in hidden))
        nb.cells.insert(0, blocker)
    return nb


def printed(cell) -> str:
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.get("output_type") == "stream")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", default="1.0", help="seconds of timing in the Measure cell (the notebook has 6.0)")
    parser.add_argument("--hide-modules", default="tabulate",
                        help="modules the kernel must do without (comma-separated)")
    args = parser.parse_args()
    from nbclient import NotebookClient

    hidden = [name for name in args.hide_modules.split(",") if name]
    nb = prepared(args.budget, hidden)
    with tempfile.TemporaryDirectory() as work, data_folder() as home:
        client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": work}})
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
        last = [c for c in nb.cells if c.cell_type == "code"][-1]
        tokens = [line.strip() for line in printed(last).splitlines() if line.strip().startswith("ca1:")]
        if len(tokens) != 1:
            print(f"FAIL: the last cell printed {len(tokens)} token lines:\n{printed(last)}")
            return 1
        token = tokens[0]
        env = environment(home)
        cli = [sys.executable, "-m", "advisor"]
        imported = subprocess.run([*cli, "import", token], env=env, capture_output=True, text=True, cwd=ROOT)
        listed = subprocess.run([*cli, "history", "--json"], env=env, capture_output=True, text=True, cwd=ROOT)
        stored = [json.loads(p.read_text()) for p in (Path(home) / "results").glob("*.json")]
    print(f"notebook executed in {seconds:.1f} s (budget {args.budget} s; without {', '.join(hidden) or 'nothing'})")
    print(f"token: {len(token)} bytes")
    print(f"import: rc {imported.returncode}: {(imported.stdout + imported.stderr).strip()}")
    ok = imported.returncode == 0 and listed.returncode == 0 and len(stored) == 1
    checks = [("the notebook ran within 60 s", seconds <= TIME_LIMIT_SECONDS),
              ("the token is at most 2 kB", len(token) <= TOKEN_LIMIT_BYTES),
              ("the token imported into an empty data folder", ok)]
    if stored:
        fp = stored[0]["fingerprint"]
        expected = fingerprints.MEDIUM
        print(f"fingerprint: {fp['loss']!r} (scheme {fp.get('scheme', 1)}), expected {expected!r} "
              f"within {FINGERPRINT_REL_TOL:.0%}; difference {abs(fp['loss'] - expected) / expected:.2e} relative")
        checks.append(("the fingerprint is the expected one", fp.get("scheme") == FINGERPRINT_SCHEME
                       and math.isclose(fp["loss"], expected, rel_tol=FINGERPRINT_REL_TOL)))
    for what, passed in checks:
        print(f"{verdict(passed)}  {what}")
    return 0 if all(passed for _, passed in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
