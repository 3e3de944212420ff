"""The playground's overlay listing parsed and drawn as a table (pure functions):
what the kernel and the tools print, and what a student could make them print."""

from __future__ import annotations

import base64
import io
import tarfile

from bot.render.overlay import grid, mount_heading, mount_table
from bot.sandbox.models import OverlayMountView
from bot.sandbox.overlay_listing import opaque_dirs, overlay_mounts, parse_listing, sections

MOUNTINFO = (
    "67 50 0:51 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X,"
    "upperdir=/var/lib/docker/overlay2/1/diff,workdir=/var/lib/docker/overlay2/1/work\n"
    "52 67 0:56 / /overlay rw,relatime - tmpfs playground rw,size=65536k,mode=755,uid=1000,gid=1000\n"
    "56 52 0:57 / /overlay/merged rw,relatime - overlay overlay"
    " rw,lowerdir=lower1:lower2,upperdir=upper,workdir=work,redirect_dir=nofollow,uuid=on,userxattr\n"
    "58 52 0:58 / /overlay/my\\040dir rw - overlay overlay ro,lowerdir=/overlay/a:/overlay/b\n"
)


def stat_lines(*records: str) -> bytes:
    return b"".join(r.encode() + b"\0" for r in records)


def test_overlay_mounts_below_the_work_area_only() -> None:
    mounts = overlay_mounts(MOUNTINFO, "/overlay")
    assert [m.mountpoint for m in mounts] == ["/overlay/merged", "/overlay/my dir"]  # not the root one
    first, second = mounts
    assert first.lowers == ("/overlay/lower1", "/overlay/lower2")  # relative: from the work area
    assert (first.upper, first.work) == ("/overlay/upper", "/overlay/work")
    assert first.other == ("redirect_dir=nofollow", "uuid=on", "userxattr")
    assert second.upper is None and second.lowers == ("/overlay/a", "/overlay/b")  # read-only
    assert overlay_mounts("garbage\n12 3 - overlay\n", "/overlay") == []


def test_sections_and_listings_are_read_as_untrusted() -> None:
    good = stat_lines("81a4 0 0 4 ./a", "2000 0 0 0 ./b", "41ed 0 0 40 ./dir", "81a4 0 0 1 ./new\nline")
    output = "=== 0\r\n" + base64.b64encode(good).decode() + "\r\n=== 1\r\nnot base64!\r\n=== 2\r\n\r\n"
    found = sections(output)
    assert set(found) == {"0", "2"}  # the broken section is left out, not believed
    listing = parse_listing("/overlay/upper", found["0"], frozenset({"dir"}))
    assert [(e.path, e.kind, e.size, e.opaque) for e in listing.entries] == [
        ("a", "file", 4, False),
        ("b", "whiteout", 0, False),
        ("dir", "dir", 40, True),
        ("new\nline", "file", 1, False),
    ]
    odd = stat_lines("zz 0 0 4 ./x", "81a4 0 0 4 /etc/passwd", "2000 1 3 0 ./null")
    assert [(e.path, e.kind) for e in parse_listing("/u", odd).entries] == [("null", "device")]
    assert not parse_listing("/u", None).readable


def test_opaque_directories_from_tar_xattrs() -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, headers in (
            ("./", {"SCHILY.xattr.user.overlay.impure": "y"}),
            ("./dir/", {"SCHILY.xattr.user.overlay.opaque": "y"}),
            ("./.hidden/", {"SCHILY.xattr.trusted.overlay.opaque": "y"}),
            ("./plain/", {}),
        ):
            info = tarfile.TarInfo(name)
            info.type, info.pax_headers = tarfile.DIRTYPE, headers
            tar.addfile(info)
    assert opaque_dirs(raw.getvalue()) == {"dir", ".hidden"}
    assert opaque_dirs(b"not a tar") == frozenset() and opaque_dirs(None) == frozenset()


def sample_view() -> OverlayMountView:
    """Two lowers; through merged: a changed (copied up), b deleted (whiteout), dir
    removed and made again (opaque), x new."""
    lower1 = stat_lines("81a4 0 0 4 ./a", "41ed 0 0 60 ./dir", "81a4 0 0 5 ./dir/c")
    lower2 = stat_lines("81a4 0 0 4 ./b")
    upper = stat_lines("81a4 0 0 12 ./a", "2000 0 0 0 ./b", "41ed 0 0 40 ./dir", "81a4 0 0 3 ./x")
    merged = stat_lines("81a4 0 0 12 ./a", "41ed 0 0 40 ./dir", "81a4 0 0 3 ./x")
    return OverlayMountView(
        mountpoint="/overlay/merged",
        lowers=(parse_listing("/overlay/lower1", lower1), parse_listing("/overlay/lower2", lower2)),
        upper=parse_listing("/overlay/upper", upper, frozenset({"dir"})),
        workdir="/overlay/work",
        merged=parse_listing("/overlay/merged", merged),
        options=("userxattr",),
    )


def test_the_table_shows_copy_up_whiteout_and_opaque() -> None:
    view = sample_view()
    assert mount_heading(view) == (
        "overlay on /overlay/merged type overlay (lowerdir=/overlay/lower1:/overlay/lower2,"
        "upperdir=/overlay/upper,workdir=/overlay/work,userxattr)"
    )
    assert mount_table(view).splitlines() == [
        "PATH      lower1    lower2    upper                 merged",
        "a         file 4B   -         file 12B, copied up   file 12B",
        "b         -         file 4B   whiteout (c 0,0)      -",
        "dir/      dir       -         dir, opaque           dir",
        "dir/c     file 5B   -         -                     -",
        "x         -         -         file 3B, new          file 3B",
    ]
    assert [line.split()[0] for line in mount_table(view, under="dir").splitlines()] == [
        "PATH",
        "dir/",
        "dir/c",
    ]


def test_the_grid_for_the_picture() -> None:
    found = grid(sample_view())
    assert found.paths == ("a", "b", "dir", "dir/c", "x") and found.left_out == 0
    rows = {heading: cells for heading, cells in found.rows}
    assert list(rows) == ["merged", "upper", "lower1", "lower2"]  # merged on top, lowers top first
    merged = dict(zip(found.paths, rows["merged"], strict=True))
    assert merged["b"] is None and merged["dir/c"] is None  # hidden by the whiteout, the opaque dir
    a, folder, new = merged["a"], merged["dir"], merged["x"]
    assert a is not None and (a.text, a.source) == ("12B", 1)  # the copied-up file, from upper
    assert folder is not None and folder.source == 1 and new is not None and new.source == 1
    upper = dict(zip(found.paths, rows["upper"], strict=True))
    assert upper["b"] is not None and upper["b"].kind == "whiteout"
    dir_up = upper["dir"]
    assert dir_up is not None and (dir_up.kind, dir_up.text) == ("opaque", "opaque dir")
    lower2 = dict(zip(found.paths, rows["lower2"], strict=True))
    assert lower2["b"] is not None and lower2["b"].source == 3 and lower2["a"] is None
    # Many paths: those upper changed come first, then the shallowest; the rest are counted.
    few = grid(sample_view(), limit=4)
    assert few.paths == ("a", "b", "dir", "x") and few.left_out == 1  # dir/c: not in upper, deeper
    assert grid(sample_view(), under="dir").paths == ("dir", "dir/c")
