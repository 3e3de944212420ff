from bot.render.terminal import terminal_text


def test_crlf_and_progress_lines_fold_like_a_screen() -> None:
    raw = b"Reading package lists... 0%\rReading package lists... Done\r\nhi\r\n"
    assert terminal_text(raw) == "Reading package lists... Done\nhi\n"


def test_colours_and_controls_are_dropped() -> None:
    raw = b"\x1b[01;34mbin\x1b[0m  \x1b]0;title\x07tmp\x07\r\n"
    assert terminal_text(raw) == "bin  tmp\n"


def test_short_overwrite_keeps_the_rest_of_the_line() -> None:
    assert terminal_text(b"abcdef\rXY") == "XYcdef"


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    assert terminal_text(b"\xff\xfeok") == "\ufffd\ufffdok"
