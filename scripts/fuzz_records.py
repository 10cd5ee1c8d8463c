"""Fuzzes every way a record comes in: arbitrary JSON and mutated valid records, as a result file's
text, as a share token, and through `import`/`history` on a real data folder.

Counts what must stay zero: tracebacks (any exception other than the project's one-line error),
hangs (an input that takes more than --hang-seconds), and invalid records accepted (a record the
parser let through that breaks the record format's stated rules). Every accepted record is also
rendered by every view (history, compare, measure tables; table, markdown and JSON).

    python scripts/fuzz_records.py                  # 10,000 inputs
    python scripts/fuzz_records.py --inputs 20000
"""

from __future__ import annotations

import argparse
import io
import signal
import sys
import time
import traceback
import warnings
import zlib
from collections import Counter
from pathlib import Path

from _common import data_folder, verdict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.cli import Env, main
from advisor.errors import user_errors
from advisor.results.share import decode_token, parse_result_text
from advisor.results.store import Store
from benchmarks import Measurement
from tests.advisor.results.test_fuzz_records import (
    as_json_text,
    check_accepted,
    json_values,
    mutated_records,
    render_every_view,
)
from tests.advisor.results.test_hostile_records import HOSTILE_TEXTS
from tests.advisor.results.test_share import token_with_payload


class Hang(Exception):
    pass


def on_alarm(signum: int, frame: object) -> None:
    raise Hang


def cli(args: list[str], home: str) -> int:
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=io.StringIO(""),
              environ={"COLAB_ADVISOR_HOME": home})
    code = main(args, env)
    if "Traceback" in env.stderr.getvalue() or code not in (0, 2):
        raise RuntimeError(f"{args[0]} exited {code}: {env.stderr.getvalue()[-300:]}")
    return code


class Fuzzer:
    def __init__(self, hang_seconds: int, home: str, cli_every: int) -> None:
        self.counts: Counter[str] = Counter()
        self.hang_seconds, self.home, self.cli_every = hang_seconds, home, cli_every
        self.first_failures: list[str] = []
        Store(Path(home)).results.mkdir(parents=True, exist_ok=True)

    def fail(self, kind: str, text: str) -> None:
        self.counts[kind] += 1
        if len(self.first_failures) < 5:
            self.first_failures.append(f"{kind}: {traceback.format_exc(limit=3)[-600:]} input {text[:120]!r}")

    def one(self, text: str) -> None:
        self.counts["inputs"] += 1
        signal.alarm(self.hang_seconds)
        try:
            accepted = self._through_every_door(text)
            if accepted is not None:
                self.counts["accepted"] += 1
                try:
                    check_accepted(accepted)
                except AssertionError:
                    self.fail("invalid accepted", text)
                    return
                render_every_view(accepted)
            else:
                self.counts["refused"] += 1
        except Hang:
            self.fail("hangs", text)
        except Exception:
            self.fail("tracebacks", text)
        finally:
            signal.alarm(0)

    def _through_every_door(self, text: str) -> Measurement | None:
        results = []
        for door in (Measurement.from_json, lambda t: parse_result_text(t, "fuzz"),
                     lambda t: decode_token(token_with_payload(zlib.compress(t.encode("utf-8", "surrogatepass"))))):
            try:
                results.append(door(text))
            except user_errors() as exc:
                if "\n" in str(exc):
                    raise AssertionError("a message of more than one line") from None
                results.append(None)
        if len({m is None for m in results}) != 1:
            raise AssertionError("the doors disagree on whether to accept this input")
        if self.counts["inputs"] % self.cli_every == 0:
            # A real data folder: the input as a stored file beside a good one, then import and history.
            path = Path(self.home) / "input.json"
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            cli(["import", str(path)], self.home)
            (Store(Path(self.home)).results / "20260101T000000-0123456789.json").write_text(
                text, encoding="utf-8", errors="surrogatepass")
            cli(["history"], self.home)
            cli(["history", "--json"], self.home)
        return results[0]


def main_script() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--hang-seconds", type=int, default=10)
    parser.add_argument("--cli-every", type=int, default=50, help="also run import/history every N inputs")
    options = parser.parse_args()
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, on_alarm)
    start = time.perf_counter()
    with data_folder("fuzz-records-") as home:
        fuzzer = Fuzzer(options.hang_seconds, home, options.cli_every)
        for text in HOSTILE_TEXTS.values():
            fuzzer.one(text)
        half = max(1, (options.inputs - len(HOSTILE_TEXTS)) // 2)
        run = settings(max_examples=half, deadline=None, database=None,
                       suppress_health_check=list(HealthCheck))

        @run
        @given(st.one_of(json_values, mutated_records()))
        def arbitrary(data: object) -> None:
            fuzzer.one(as_json_text(data))

        @run
        @given(mutated_records())
        def mutated(data: object) -> None:
            fuzzer.one(as_json_text(data))

        arbitrary()
        mutated()
    counts = fuzzer.counts
    elapsed = time.perf_counter() - start
    print(f"{counts['inputs']:,} inputs in {elapsed:.0f} s ({len(HOSTILE_TEXTS)} from the known cases): "
          f"{counts['accepted']:,} accepted, {counts['refused']:,} refused")
    bad = counts["tracebacks"] + counts["hangs"] + counts["invalid accepted"]
    print(f"tracebacks {counts['tracebacks']}, hangs (> {options.hang_seconds} s) {counts['hangs']}, "
          f"invalid accepted {counts['invalid accepted']}: {verdict(bad == 0 and counts['inputs'] >= options.inputs)}")
    for failure in fuzzer.first_failures:
        print(failure, file=sys.stderr)
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main_script())
