"""The scope catalogue: the resources a host declares in ``APIKEYS_SCOPES``, and the access presets.

Scopes are stored as ``<resource>:read`` / ``<resource>:write``; the UI speaks of levels per resource
(``none``, ``read``, ``full``). A scope the catalogue no longer declares stays on its key, granting nothing
(``granted``). The setting's format: docs/integrate.md, "Settings".
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.signals import setting_changed
from django.dispatch import receiver

from apikeys import conf

READ = "read"
WRITE = "write"
LEVELS = (READ, WRITE)
NONE_LEVEL = "none"
READ_LEVEL = "read"
FULL_LEVEL = "full"
LEVEL_DESCRIPTIONS = {NONE_LEVEL: "No access", READ_LEVEL: "Read", FULL_LEVEL: "Full"}  # on a key's page

ACCESS_FULL = "full"
ACCESS_READ_ONLY = "read_only"
ACCESS_CUSTOM = "custom"


@dataclass(frozen=True)
class Resource:
    name: str
    levels: tuple[str, ...] = LEVELS
    title: str = ""

    @property
    def label(self) -> str:
        return self.title or self.name.replace("-", " ").capitalize()

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


def parse(entries) -> tuple[list[Resource], list[str]]:
    """Return the resources of an ``APIKEYS_SCOPES`` value and a list of what is wrong with it."""
    resources: list[Resource] = []
    problems: list[str] = []
    if isinstance(entries, str | bytes | Mapping) or not isinstance(entries, Iterable):
        return [], ["must be a list of resource names or dicts"]
    for entry in entries:
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            problems.append(f"{entry!r} is neither a resource name nor a dict with a 'name'")
            continue
        name, levels = entry["name"], tuple(entry.get("levels", LEVELS))
        if not name or ":" in name or name != name.strip():
            problems.append(f"{name!r} is not a valid resource name (no colon, no surrounding space)")
        elif any(resource.name == name for resource in resources):
            problems.append(f"{name!r} is declared twice")
        elif not levels or not set(levels) <= set(LEVELS) or len(set(levels)) != len(levels):
            problems.append(f"{name!r} has levels {list(levels)!r}: use 'read', 'write' or both")
        else:
            resources.append(
                Resource(name, tuple(lvl for lvl in LEVELS if lvl in levels), entry.get("label", ""))
            )
    if not resources and not problems:
        problems.append("declares no resource")
    return sorted(resources, key=lambda r: r.name), problems


@dataclass(frozen=True)
class Catalogue:
    resources: tuple[Resource, ...]

    @functools.cached_property
    def by_name(self) -> dict[str, Resource]:
        return {r.name: r for r in self.resources}

    @functools.cached_property
    def all_scopes(self) -> frozenset[str]:
        return frozenset(f"{r.name}:{lvl}" for r in self.resources for lvl in r.levels)

    @functools.cached_property
    def presets(self) -> dict[str, frozenset[str]]:
        read_only = frozenset(s for s in self.all_scopes if s.endswith(f":{READ}"))
        return {ACCESS_FULL: self.all_scopes, ACCESS_READ_ONLY: read_only}


@functools.cache
def catalogue() -> Catalogue:
    """Return the host's catalogue (``APIKEYS_SCOPES``; ``apikeys.checks`` reports a bad one at start-up)."""
    resources, _ = parse(conf.get("APIKEYS_SCOPES") or [])
    return Catalogue(tuple(resources))


@receiver(setting_changed)
def _forget_catalogue(setting, **kwargs):
    if setting == "APIKEYS_SCOPES":
        catalogue.cache_clear()


def __getattr__(name: str):
    """``CATALOGUE``, ``RESOURCES``, ``ALL_SCOPES``, ``FULL_ACCESS``, ``READ_ONLY``, ``PRESETS``: the current
    catalogue's, read from settings."""
    current = catalogue()
    values = {
        "CATALOGUE": lambda: current.resources,
        "RESOURCES": lambda: current.by_name,
        "ALL_SCOPES": lambda: current.all_scopes,
        "FULL_ACCESS": lambda: current.presets[ACCESS_FULL],
        "READ_ONLY": lambda: current.presets[ACCESS_READ_ONLY],
        "PRESETS": lambda: current.presets,
    }
    if name not in values:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return values[name]()


def normalize(scopes: Iterable[str]) -> list[str]:
    """Return the scopes sorted and de-duplicated; raise ValueError for an unknown scope or none."""
    result = sorted(set(scopes))
    unknown = [s for s in result if s not in catalogue().all_scopes]
    if unknown:
        raise ValueError(f"Unknown scope: {', '.join(unknown)}.")
    if not result:
        raise ValueError("A key needs at least one scope.")
    return result


def granted(scope: str, scopes: Iterable[str]) -> bool:
    """Return whether ``scopes`` grant ``scope``: stored on the key and still declared by the catalogue."""
    return scope in scopes and scope in catalogue().all_scopes


def unknown(scopes: Iterable[str]) -> list[str]:
    """Return the stored scopes the catalogue no longer declares (kept on the key, granting nothing)."""
    return sorted(s for s in scopes if s not in catalogue().all_scopes)


def scopes_from_levels(levels: Mapping[str, str]) -> list[str]:
    """Turn ``{resource: level}`` from the scope matrix into scope strings (ValueError if unknown)."""
    resources = catalogue().by_name
    scopes: list[str] = []
    for name, level in levels.items():
        if name not in resources:
            raise ValueError(f"Unknown resource: {name}.")
        scopes.extend(resources[name].scopes_for(level))
    return sorted(scopes)


def access_of(scopes: Iterable[str]) -> str:
    """Return the preset that ``scopes`` match (``full``, ``read_only``) or ``custom``."""
    held = frozenset(scopes)
    for name, preset in catalogue().presets.items():
        if held == preset:
            return name
    return ACCESS_CUSTOM


def summary(scopes: Iterable[str]) -> str:
    """Describe access in a few words: Full access, Read-only, or Custom: N resources (those granted)."""
    scopes = list(scopes)
    access = access_of(scopes)
    if access == ACCESS_FULL:
        return "Full access"
    if access == ACCESS_READ_ONLY:
        return "Read-only"
    granted = sum(1 for _, level in levels_of(scopes) if level != NONE_LEVEL)
    return f"Custom: {granted} resource{'s' if granted != 1 else ''}"


def levels_of(scopes: Iterable[str]) -> list[tuple[Resource, str]]:
    """Return every resource of the catalogue with the level ``scopes`` give it."""
    scopes = list(scopes)
    return [(resource, resource.level_in(scopes)) for resource in catalogue().resources]
