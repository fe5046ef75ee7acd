"""The scope catalogue, modelled on Klaviyo's published vocabulary, and the access presets.

Scopes are stored as ``<resource>:read`` / ``<resource>:write`` strings. The UI speaks of levels per resource:
``none``, ``read`` and ``full`` (every level the resource offers: read + write, or write alone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

READ = "read"
WRITE = "write"
NONE_LEVEL = "none"
READ_LEVEL = "read"
FULL_LEVEL = "full"


@dataclass(frozen=True)
class Resource:
    name: str
    levels: tuple[str, ...] = (READ, WRITE)

    @property
    def label(self) -> str:
        return self.name.replace("-", " ").capitalize()

    @property
    def ui_levels(self) -> tuple[str, ...]:
        """Return the choices the scope matrix offers for this resource."""
        offered = [NONE_LEVEL]
        if READ in self.levels:
            offered.append(READ_LEVEL)
        if WRITE in self.levels:
            offered.append(FULL_LEVEL)
        return tuple(offered)

    def scopes_for(self, level: str) -> list[str]:
        """Return the scope strings a UI level grants; raise ValueError for a level not offered."""
        if level not in self.ui_levels:
            raise ValueError(f"{self.name} does not offer {level!r} access.")
        if level == NONE_LEVEL:
            return []
        if level == READ_LEVEL:
            return [f"{self.name}:{READ}"]
        return [f"{self.name}:{lvl}" for lvl in self.levels]

    def level_in(self, scopes: Iterable[str]) -> str:
        """Return the UI level that ``scopes`` give this resource."""
        granted = {s.split(":", 1)[1] for s in scopes if s.split(":", 1)[0] == self.name}
        if not granted:
            return NONE_LEVEL
        if FULL_LEVEL in self.ui_levels and granted >= set(self.levels):
            return FULL_LEVEL
        return READ_LEVEL if READ in granted else NONE_LEVEL


_READ_WRITE = [
    "campaigns", "catalogs", "conversations", "coupon-codes", "coupons", "custom-objects", "events",
    "flows", "forms", "images", "lists", "metrics", "profiles", "push-tokens", "reviews", "segments",
    "subscriptions", "tags", "templates", "tracking-settings", "web-feeds", "webhooks",
]  # fmt: skip

CATALOGUE: tuple[Resource, ...] = tuple(
    sorted(
        [Resource("accounts", (READ,)), Resource("data-privacy", (WRITE,))]
        + [Resource(name) for name in _READ_WRITE],
        key=lambda r: r.name,
    )
)
RESOURCES: dict[str, Resource] = {r.name: r for r in CATALOGUE}

ALL_SCOPES: frozenset[str] = frozenset(f"{r.name}:{lvl}" for r in CATALOGUE for lvl in r.levels)
FULL_ACCESS: frozenset[str] = ALL_SCOPES
READ_ONLY: frozenset[str] = frozenset(s for s in ALL_SCOPES if s.endswith(f":{READ}"))

ACCESS_FULL = "full"
ACCESS_READ_ONLY = "read_only"
ACCESS_CUSTOM = "custom"
PRESETS: dict[str, frozenset[str]] = {ACCESS_FULL: FULL_ACCESS, ACCESS_READ_ONLY: READ_ONLY}


def normalize(scopes: Iterable[str]) -> list[str]:
    """Return the scopes sorted and de-duplicated; raise ValueError for an unknown scope or none."""
    result = sorted(set(scopes))
    unknown = [s for s in result if s not in ALL_SCOPES]
    if unknown:
        raise ValueError(f"Unknown scope: {', '.join(unknown)}.")
    if not result:
        raise ValueError("A key needs at least one scope.")
    return result


def scopes_from_levels(levels: Mapping[str, str]) -> list[str]:
    """Turn ``{resource: level}`` from the scope matrix into scope strings (ValueError if unknown)."""
    scopes: list[str] = []
    for name, level in levels.items():
        if name not in RESOURCES:
            raise ValueError(f"Unknown resource: {name}.")
        scopes.extend(RESOURCES[name].scopes_for(level))
    return sorted(scopes)


def access_of(scopes: Iterable[str]) -> str:
    """Return the preset that ``scopes`` match (``full``, ``read_only``) or ``custom``."""
    granted = frozenset(scopes)
    for name, preset in PRESETS.items():
        if granted == preset:
            return name
    return ACCESS_CUSTOM


def summary(scopes: Iterable[str]) -> str:
    """Describe access in a few words: Full access, Read-only, or Custom: N scopes."""
    scopes = list(scopes)
    access = access_of(scopes)
    if access == ACCESS_FULL:
        return "Full access"
    if access == ACCESS_READ_ONLY:
        return "Read-only"
    return f"Custom: {len(scopes)} scope{'s' if len(scopes) != 1 else ''}"


def levels_of(scopes: Iterable[str]) -> list[tuple[Resource, str]]:
    """Return every resource of the catalogue with the level ``scopes`` give it."""
    scopes = list(scopes)
    return [(resource, resource.level_in(scopes)) for resource in CATALOGUE]
