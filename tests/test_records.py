"""Record builds the same named tuples as typing.NamedTuple, without typing's annotation check."""

from __future__ import annotations

import ast
import copy
import pickle
from pathlib import Path
from typing import NamedTuple

import pytest

import dfmemlint
from dfmemlint.records import Record


class Span(Record):
    """A piece of a line."""

    text: str
    start: int = 0
    tags: tuple[str, ...] = ()

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def shifted(self, by: int) -> Span:
        return self._replace(start=self.start + by)


class TypingSpan(NamedTuple):
    text: str
    start: int = 0
    tags: tuple[str, ...] = ()


def test_a_record_behaves_as_the_typing_named_tuple() -> None:
    span = Span("abc", 2)
    twin = TypingSpan("abc", 2)
    assert tuple(span) == tuple(twin) == ("abc", 2, ())
    assert span == Span(text="abc", start=2, tags=())
    assert hash(span) == hash(twin)
    assert Span._fields == TypingSpan._fields == ("text", "start", "tags")
    assert Span._field_defaults == TypingSpan._field_defaults == {"start": 0, "tags": ()}
    assert span._asdict() == twin._asdict()
    assert repr(span) == "Span(text='abc', start=2, tags=())"
    assert Span("x") < Span("y")
    text, start, tags = span
    assert (text, start, tags) == ("abc", 2, ())
    assert Span._make(["q", 1, ("t",)]) == Span(text="q", start=1, tags=("t",))
    assert isinstance(span, tuple)


def test_methods_properties_constants_and_docstrings_are_kept() -> None:
    span = Span("abc", 2)
    assert span.end == 5
    assert span.shifted(3) == Span("abc", 5)
    assert Span.__doc__ == "A piece of a line."
    assert Span.__module__ == __name__
    assert Span.__qualname__ == "Span"
    assert Span.__annotations__ == {"text": "str", "start": "int", "tags": "tuple[str, ...]"}
    with pytest.raises(AttributeError):
        span.text = "other"  # type: ignore[misc]


def test_a_record_pickles_by_its_module_and_name() -> None:
    span = Span("abc", 2, ("a",))
    for copied in (pickle.loads(pickle.dumps(span)), copy.copy(span), copy.deepcopy(span)):
        assert copied == span
        assert type(copied) is Span


def test_what_typing_refuses_is_refused() -> None:
    with pytest.raises(TypeError, match="non-default field b"):

        class Bad(Record):
            a: int = 0
            b: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="cannot overwrite attribute _replace"):

        class Replacing(Record):
            a: int

            def _replace(self) -> None:  # type: ignore[misc]
                pass

    with pytest.raises(TypeError, match="only have Record as its base"):

        class Mixed(Record, int):  # type: ignore[misc]
            a: int

    with pytest.raises(ValueError, match="underscore"):

        class Private(Record):
            _a: int  # type: ignore[misc]


def test_no_module_declares_a_typing_named_tuple() -> None:
    """typing.NamedTuple compiles every annotation string at import: records use Record."""
    offenders = []
    for path in Path(dfmemlint.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "typing"
                and any(alias.name == "NamedTuple" for alias in node.names)
                and path.name != "records.py"
            ):
                offenders.append(str(path))
    assert offenders == []


class TypingPoint(NamedTuple):
    x: int
    y: int


class Point(Record):
    x: int
    y: int


CALLS: list[tuple[tuple[object, ...], dict[str, object]]] = [
    ((), {}),
    (("a",), {}),
    (("a", 1), {}),
    (("a", 1, ("t",)), {}),
    (("a", 1, (), 4), {}),
    ((), {"text": "a"}),
    ((), {"start": 1}),
    (("a",), {"text": "b"}),
    (("a",), {"tags": ("t",), "start": 3}),
    (("a",), {"nope": 1}),
    ((), {"text": "a", "start": 1, "tags": (), "nope": 2}),
]


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_arguments_bind_as_the_standard_named_tuple_binds_them(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    """Same values, or the same error with the same words (the class name aside)."""

    def outcome(cls: type) -> object:
        try:
            return tuple(cls(*args, **kwargs))
        except TypeError as exc:
            return str(exc).replace(cls.__name__, "CLASS")

    assert outcome(Span) == outcome(TypingSpan)
    assert outcome(Point) == outcome(TypingPoint)


def test_make_and_replace_refuse_as_the_standard_ones_do() -> None:
    with pytest.raises(TypeError, match="Expected 3 arguments, got 1"):
        Span._make(["a"])
    with pytest.raises(ValueError, match=r"Got unexpected field names: \['nope'\]"):
        Span("a")._replace(nope=1)  # type: ignore[call-arg]
    assert Span("a")._replace(start=4) == Span("a", 4)
    assert Span.text.__doc__ == TypingSpan.text.__doc__ == "Alias for field number 0"
    assert Span.__match_args__ == TypingSpan.__match_args__
    assert Point.__doc__ == "Point(x, y)"
    assert TypingPoint.__doc__ == "TypingPoint(x, y)"
    match Span("a", 2):
        case Span(text, start):
            assert (text, start) == ("a", 2)
