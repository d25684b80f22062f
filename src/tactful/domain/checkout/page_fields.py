"""Reading the fields of a page definition, collecting every problem instead of the first."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

_T = TypeVar("_T")
_E = TypeVar("_E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class PageProblem:
    """One thing wrong with a page definition; `field` is a path such as 'bumps[1].sku'."""

    field: str
    message: str


class PageError(ValueError):
    """A page definition is invalid: `problems` lists all of it, `field` names the first."""

    def __init__(self, field: str, message: str, more: Sequence[PageProblem] = ()) -> None:
        self.field = field
        self.message = message
        self.problems: tuple[PageProblem, ...] = (PageProblem(field, message), *more)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))

    @classmethod
    def of(cls, problems: Sequence[PageProblem]) -> PageError:
        """One error carrying every problem (at least one), in the order they were found."""
        first, *rest = problems
        return cls(first.field, first.message, rest)


class Problems:
    """Collects problems so one pass over a definition reports all of them."""

    def __init__(self) -> None:
        self.found: list[PageProblem] = []

    def add(self, field: str, message: str) -> None:
        """Note one problem."""
        self.found.append(PageProblem(field, message))

    def check(self, read: Callable[[], _T], fallback: _T) -> _T:
        """What `read` returns, or `fallback` once its PageError is noted."""
        try:
            return read()
        except PageError as exc:
            self.found.extend(exc.problems)
            return fallback

    def unknown_keys(self, data: Mapping[str, Any], known: Collection[str], prefix: str) -> None:
        """Note every key `data` has that tactful does not read (a typo would be ignored)."""
        for key in data:
            if key not in known:
                allowed = ", ".join(known)
                self.add(f"{prefix}{key}", f"unknown field; this part takes {allowed}")

    def raise_any(self, more: Iterable[PageProblem] = ()) -> None:
        """Raise one PageError with every problem noted (and `more`), if there is any."""
        problems = [*self.found, *more]
        if problems:
            raise PageError.of(problems)


def text(data: Mapping[str, Any], key: str, field: str) -> str:
    """A required non-empty text field."""
    value = opt_text(data, key, field)
    if value is None:
        raise PageError(field, "is required")
    return value


def opt_text(data: Mapping[str, Any], key: str, field: str) -> str | None:
    """An optional non-empty text field (numbers are read as text)."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise PageError(field, "must be non-empty text")
    return str(value).strip()


def whole(value: Any, field: str, low: int, high: int) -> int:
    """A whole number within bounds."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise PageError(field, f"must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise PageError(field, f"must be between {low} and {high}, got {value}")
    return value


def choice(kind: type[_E], value: Any, field: str) -> _E:
    """One member of an enumeration, by value."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise PageError(field, f"must be one of {allowed}, got {value!r}") from None


def entries(value: Any, field: str) -> Sequence[Any]:
    """A list field; absent means empty."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise PageError(field, "must be a list")
    return value


def mapping(value: Any, field: str) -> Mapping[str, Any]:
    """A nested mapping field."""
    if not isinstance(value, Mapping):
        raise PageError(field, "must be a mapping")
    return value
