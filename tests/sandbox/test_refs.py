import pytest

from bot.errors import BadName
from bot.sandbox.models import Owner
from bot.sandbox.refs import normalize, parse_own_name


@pytest.mark.parametrize(
    ("typed", "familiar"),
    [
        ("ubuntu", "ubuntu:latest"),
        ("ubuntu:22.04", "ubuntu:22.04"),
        ("library/ubuntu", "ubuntu:latest"),
        ("docker.io/library/ubuntu:latest", "ubuntu:latest"),
        ("index.docker.io/library/alpine", "alpine:latest"),
        ("tomcoolpxl/python-counter", "tomcoolpxl/python-counter:latest"),
        ("ghcr.io/owner/app:1.0", "ghcr.io/owner/app:1.0"),
        ("localhost:5000/x", "localhost:5000/x:latest"),
        ("  debian:bookworm ", "debian:bookworm"),
    ],
)
def test_references_read_as_the_cli_reads_them(typed: str, familiar: str) -> None:
    assert normalize(typed) == familiar


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("", "name.empty"),
        ("../x", "name.invalid"),
        ("Ubuntu", "name.uppercase"),
        ("a" * 300, "name.too_long"),
        ("ubuntu;rm -rf /", "name.invalid"),
        ("ubuntu:", "name.invalid"),
        ("-ubuntu", "name.invalid"),
    ],
)
def test_bad_references_are_refused_with_a_reason(typed: str, key: str) -> None:
    with pytest.raises(BadName) as caught:
        normalize(typed)
    assert caught.value.key == key


def test_own_names_are_scoped_per_owner() -> None:
    name = parse_own_name("myubuntu")
    assert str(name) == "myubuntu:latest"
    a = name.engine_ref(Owner(guild_id=1, user_id=2))
    b = name.engine_ref(Owner(guild_id=1, user_id=3))
    assert a != b and a.endswith("/myubuntu:latest")
    assert normalize(a) == a  # the engine name is itself a valid reference


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("MyUbuntu", "name.uppercase"),
        ("../x", "name.own_invalid"),
        ("a/b", "name.own_invalid"),
        ("x" * 65, "name.too_long"),
        ("ok:bad tag", "name.tag_invalid"),
        ("my ubuntu", "name.own_invalid"),
        ("`@everyone`", "name.own_invalid"),
    ],
)
def test_bad_own_names_are_refused(typed: str, key: str) -> None:
    with pytest.raises(BadName) as caught:
        parse_own_name(typed)
    assert caught.value.key == key
