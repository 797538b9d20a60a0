"""Typed errors: everything below the CLI raises these; the CLI turns them into one line and an exit code."""

from __future__ import annotations

import enum


class LapseError(Exception):
    """An expected failure with a message fit to show a person as it is."""

    exit_code = 2


class UsageError(LapseError):
    """The command line asked for something that cannot be done."""


class ConfigError(LapseError):
    """A configuration file is unreadable or does not follow the config schema."""


class InputError(LapseError):
    """An input document (snapshot, baseline, stack export) is unreadable or malformed."""


class ProviderErrorKind(enum.StrEnum):
    AUTH = "auth"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"
    TIMEOUT = "timeout"
    INVALID_RESPONSE = "invalid-response"
    MISSING_DEPENDENCY = "missing-dependency"


class ProviderError(LapseError):
    """A provider could not be read; becomes a ScanError (LAP901), never ends the run."""

    def __init__(self, provider: str, kind: ProviderErrorKind, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.kind = kind
        self.reason = message
        #: the HTTP status behind the failure, when there was one
        self.status = status
