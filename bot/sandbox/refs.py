"""Image names as the docker CLI reads them, and the names students give their images.

Students type ``ubuntu`` and mean ``docker.io/library/ubuntu:latest``; the CLI
shows that back as ``ubuntu:latest``. We parse with the grammar of
distribution/reference and keep that "familiar" form. Student images are stored
on the engine under a per-owner repository so that two students can both own a
``myubuntu`` without seeing each other's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import BadName
from bot.sandbox.models import Owner

#: A reference longer than this is refused before parsing (distribution's limit is 255 for the name).
MAX_REFERENCE_LENGTH = 255
#: The longest name a student may give an image (before ":tag").
MAX_OWN_NAME_LENGTH = 64
DEFAULT_TAG = "latest"
#: Engine repository namespace for students' images.
OWN_NAMESPACE = "layerlab"

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    rf"^(?P<name>(?:(?P<domain>{_DOMAIN})/)?{_COMPONENT}(?:/{_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$"
)
_OWN_NAME = re.compile(rf"^{_COMPONENT}$")
_OWN_TAG = re.compile(rf"^{_TAG}$")


@dataclass(frozen=True, slots=True)
class Reference:
    repository: str  # familiar: "ubuntu", "tomcoolpxl/python-counter", "ghcr.io/x/y"
    tag: str | None
    digest: str | None

    def __str__(self) -> str:
        text = self.repository
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse(text: str) -> Reference:
    """Parse and normalise like ``docker`` does: ``ubuntu`` means ``ubuntu:latest``.

    Raises ``BadName`` with a key saying what is wrong.
    """
    text = text.strip()
    if not text:
        raise BadName("name.empty")
    if len(text) > MAX_REFERENCE_LENGTH:
        raise BadName("name.too_long", limit=MAX_REFERENCE_LENGTH)
    match = _REFERENCE.match(text)
    if not match:
        if _REFERENCE.match(text.lower()):
            raise BadName("name.uppercase", name=text)
        raise BadName("name.invalid", name=text)
    name, domain = match["name"], match["domain"]
    # As distribution/reference: a first component is a registry only if it
    # looks like a host (has "." or ":" or is "localhost").
    if domain and not ("." in domain or ":" in domain or domain == "localhost"):
        domain = None
    elif domain and any(c.isupper() for c in domain):
        raise BadName("name.uppercase", name=text)
    path = name[len(domain) + 1 :] if domain else name
    if domain in (None, "docker.io", "index.docker.io"):
        if path.startswith("library/") and path.count("/") == 1:
            path = path[len("library/") :]
        repository = path
    else:
        repository = f"{domain}/{path}"
    tag = match["tag"]
    digest = match["digest"]
    if tag is None and digest is None:
        tag = DEFAULT_TAG
    return Reference(repository=repository, tag=tag, digest=digest)


def normalize(text: str) -> str:
    return str(parse(text))


@dataclass(frozen=True, slots=True)
class OwnName:
    """A name a student gives one of their images: ``myubuntu`` or ``myubuntu:v2``."""

    name: str
    tag: str

    def __str__(self) -> str:
        return f"{self.name}:{self.tag}"

    def engine_repository(self, owner: Owner) -> str:
        return owner_prefix(owner) + self.name

    def engine_ref(self, owner: Owner) -> str:
        return f"{self.engine_repository(owner)}:{self.tag}"


def parse_own_name(text: str) -> OwnName:
    """Validate a student's image name (one path component, optional tag)."""
    text = text.strip()
    if not text:
        raise BadName("name.empty")
    name, _, tag = text.partition(":")
    tag = tag or DEFAULT_TAG
    if len(name) > MAX_OWN_NAME_LENGTH:
        raise BadName("name.too_long", limit=MAX_OWN_NAME_LENGTH)
    if not _OWN_NAME.match(name):
        if _OWN_NAME.match(name.lower()):
            raise BadName("name.uppercase", name=text)
        raise BadName("name.own_invalid", name=text)
    if not _OWN_TAG.match(tag):
        raise BadName("name.tag_invalid", name=text)
    return OwnName(name=name, tag=tag)


def own_name_of(owner: Owner, engine_ref: str) -> str | None:
    """``myubuntu:latest`` for the engine's name of one of this owner's images, else None."""
    prefix = owner_prefix(owner)
    if not engine_ref.startswith(prefix):
        return None
    name, _, tag = engine_ref[len(prefix) :].partition(":")
    return f"{name}:{tag or DEFAULT_TAG}"


def owner_prefix(owner: Owner) -> str:
    """Where one student's images live on the engine: ``layerlab/g<guild>-u<user>/``."""
    return f"{OWN_NAMESPACE}/g{owner.guild_id}-u{owner.user_id}/"
