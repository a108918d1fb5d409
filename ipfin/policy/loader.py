"""Loading policy profiles from ``ipfin/policy/profiles/*.toml`` (no Django: domain code and the CLI use it).

``load_profiles()`` reads and validates every file once per directory (cached); a malformed file raises
:class:`ProfileInvalid` whose message names the file and the key path, e.g.
``baotou-2021.toml: parameters.compensation_ratio.value: must be a decimal string …``. Django validates all
profiles at start-up (:mod:`ipfin.policy.apps`), so a bad profile stops the server instead of a claim.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from ipfin.policy.schema import PolicyProfile, ProfileInvalid, UnknownProfile

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"

# A validator message may start with a key path relative to where the error is reported ("effective_to: …").
_RELATIVE_PATH = re.compile(r"^([A-Za-z_][\w-]*(?:\.[\w-]+)*): (.*)$", re.DOTALL)


def _key_path(loc: tuple[int | str, ...], message: str) -> tuple[str, str]:
    parts = [str(part) for part in loc]
    match = _RELATIVE_PATH.match(message)
    if match:
        parts.append(match[1])
        message = match[2]
    return ".".join(parts) or "(file)", message


def _errors(exc: ValidationError) -> list[tuple[str, str]]:
    found = []
    # Unknown keys first: a misspelt key ("vaule") is the cause of the "missing value" that follows it.
    ordered = sorted(exc.errors(include_url=False), key=lambda error: error["type"] != "extra_forbidden")
    for error in ordered:
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if error["type"] == "literal_error" and error["loc"][-1:] == ("unit",):
            message = f"unknown unit {error.get('input')!r}; expected one of {error['ctx']['expected']}"
        elif error["type"] == "extra_forbidden":
            message = "unknown key (not part of the profile schema)"
        found.append(_key_path(tuple(error["loc"]), message))
    return found


def parse_profile(data: Mapping[str, Any], *, file_name: str) -> PolicyProfile:
    """Validate already-parsed TOML ``data``; errors name ``file_name`` and the key path."""
    try:
        profile = PolicyProfile.model_validate(dict(data))
    except ValidationError as exc:
        errors = _errors(exc)
        key, reason = errors[0]
        if len(errors) > 1:
            reason += "; also " + "; ".join(f"{k}: {r}" for k, r in errors[1:])
        raise ProfileInvalid(file=file_name, key=key, reason=reason) from None
    expected = file_name.removesuffix(".toml")
    if profile.name != expected:
        raise ProfileInvalid(file=file_name, key="profile.name",
                             reason=f"{profile.name!r} must equal the file name {expected!r}")
    return profile


def load_profile_file(path: Path) -> PolicyProfile:
    """Read and validate one TOML file."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileInvalid(file=path.name, key="(TOML syntax)", reason=str(exc)) from None
    except OSError as exc:
        raise ProfileInvalid(file=path.name, key="(file)", reason=exc.strerror or str(exc)) from None
    return parse_profile(data, file_name=path.name)


@functools.cache
def _load_directory(directory: Path) -> Mapping[str, PolicyProfile]:
    profiles = {}
    for path in sorted(directory.glob("*.toml")):
        profile = load_profile_file(path)
        profiles[profile.name] = profile
    return MappingProxyType(profiles)


def load_profiles(directory: Path | str | None = None) -> Mapping[str, PolicyProfile]:
    """Every profile of ``directory`` (default: the packaged ``profiles/``) by name, validated and cached.

    The result is read-only; profiles are frozen. Call :func:`clear_cache` after editing files.
    """
    return _load_directory(Path(directory).resolve() if directory is not None else PROFILES_DIR)


def profile_names(directory: Path | str | None = None) -> list[str]:
    return sorted(load_profiles(directory))


def get_profile(name: str, directory: Path | str | None = None) -> PolicyProfile:
    """The profile called ``name``; :class:`UnknownProfile` (listing the known names) if there is none."""
    profiles = load_profiles(directory)
    try:
        return profiles[name]
    except KeyError:
        raise UnknownProfile(name=name, known=", ".join(sorted(profiles)) or "(none)") from None


def clear_cache() -> None:
    _load_directory.cache_clear()
