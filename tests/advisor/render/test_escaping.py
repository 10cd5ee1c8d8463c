"""The one escaping function for terminal text, and markdown cells."""

from advisor.render.table import Table, markdown_cell, render_table, terminal_text


def test_control_and_invisible_characters_are_shown_as_escapes():
    assert terminal_text("CPU\x1b[2J") == "CPU\\x1b[2J"
    assert terminal_text("\x1b]0;title\x07") == "\\x1b]0;title\\x07"
    assert terminal_text("abc\u202edef") == "abc\\u202edef"
    assert terminal_text("T\u200b4\u2028") == "T\\u200b4\\u2028"
    assert terminal_text("\ud800") == "\\ud800"
    assert terminal_text("private \U000f0000") == "private \\U000f0000"


def test_printable_text_of_any_script_passes_unchanged_and_escaping_twice_changes_nothing():
    for text in ("NVIDIA A100-SXM4-40GB", "Ryzen™ 9 — 16 cores", "東京 µs █", "a\u00a0b"):
        assert terminal_text(text) == text
    once = terminal_text("x\x1b[31m\u202e")
    assert terminal_text(once) == once


def test_newlines_survive_only_where_asked():
    assert terminal_text("a\nb") == "a\\x0ab"
    assert terminal_text("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"


def test_markdown_cells_escape_what_would_end_the_cell_or_start_markup():
    assert markdown_cell("a|b `c` *d* _e_ <f> \\") == "a\\|b \\`c\\` \\*d\\* \\_e\\_ &lt;f> \\\\"


def test_every_table_cell_title_and_note_is_escaped():
    table = Table(headers=["name"], rows=[["x\x1b[2J|y"]], title="t\u202e", notes=["n\x07"])
    plain = render_table(table)
    assert "\x1b" not in plain and "\u202e" not in plain and "\x07" not in plain
    assert "x\\x1b[2J|y" in plain
    # In markdown the escape's own backslash is escaped too: the rendered cell reads x\x1b[2J|y.
    assert "x\\\\x1b[2J\\|y" in render_table(table, "markdown")
