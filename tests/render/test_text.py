from bot.ui.text import FENCE, code_block, defuse_backticks, fit_code_block, inline


def test_backticks_cannot_close_a_code_block() -> None:
    block = code_block("before\n```\n@everyone\n````x")
    inner = block[len(FENCE) + 1 : -len(FENCE)]
    assert "``" not in inner
    assert block.startswith(FENCE + "\n") and block.endswith("\n" + FENCE)


def test_defuse_keeps_single_backticks() -> None:
    assert defuse_backticks("`a` b") == "`a` b"


def test_fit_code_block_cuts_whole_lines_and_says_so() -> None:
    text = "".join(f"line {i}\n" for i in range(1000))
    block, cut = fit_code_block(text, 500, "(rest attached)")
    assert cut
    assert len(block) <= 500
    assert block.endswith("(rest attached)")
    assert "line 0\nline 1\n" in block


def test_fit_code_block_cuts_one_huge_line() -> None:
    block, cut = fit_code_block("x" * 5000, 300, "more")
    assert cut and len(block) <= 300


def test_inline_values_are_one_short_line_without_backticks() -> None:
    value = inline("a`b\nc" + "z" * 300)
    assert "`" not in value and "\n" not in value and len(value) == 100
