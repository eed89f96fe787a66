"""Record: a typed, immutable named tuple that costs little to declare.

A record is declared exactly as a ``typing.NamedTuple``, and mypy checks it as one::

    class Token(Record):
        \"\"\"One word of an instruction.\"\"\"

        text: str
        start: int = 0

        @property
        def end(self) -> int:
            return self.start + len(self.text)

At run time it is the named tuple ``collections.namedtuple`` would build: a ``tuple`` subclass
with no instance dictionary, fields read by CPython's own accessor (``_collections._tuplegetter``,
the one ``collections.namedtuple`` uses), and ``_fields``, ``_field_defaults``, ``_make``,
``_replace``, ``_asdict``, ``__match_args__``, ``__getnewargs__``, ``repr``, equality, ordering,
hashing and pickling as the standard library defines them (CPython 3.11
``Lib/collections/__init__.py``, ``namedtuple``); ``tests/test_records.py`` holds the two side by
side. What it leaves out is the cost of declaring one, about 0.25 ms a class in
``typing.NamedTuple``, a fifth of the start-up of ``dfmemlint FILE`` over the ~40 records a lint
declares (``benchmarks/results.md``):

* ``typing.NamedTupleMeta.__new__`` (CPython 3.11 ``Lib/typing.py``) checks each annotation;
  every module here postpones annotations (PEP 563), so each is a string that ``ForwardRef``
  compiles. The annotations are checked by ``mypy --strict`` instead.
* ``collections.namedtuple`` writes each class's ``__new__`` as source text and compiles it. Here
  one ``__new__`` serves every record: positional arguments go straight to ``tuple.__new__``;
  keywords and defaults are bound as a function call binds them, with the same errors.

Errors: declaring a record raises ``TypeError`` for what ``typing.NamedTuple`` refuses (a field
without a default after one with a default, redefining a named-tuple attribute such as
``_fields`` or ``__new__``, another base class) and ``ValueError`` for what
``collections.namedtuple`` refuses (a field name starting with an underscore). Creating one
raises ``TypeError`` for missing, surplus, repeated or unknown arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Record"]

if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    try:
        from _collections import _tuplegetter
    except ImportError:  # pragma: no cover - not CPython: what collections.namedtuple does then
        from operator import itemgetter

        def _tuplegetter(index: int, doc: str) -> property:
            return property(itemgetter(index), doc=doc)

    # What the class body may hold besides fields, methods and constants: the compiler's own
    # names, which the new class gets anew (CPython 3.11 Lib/typing.py, _special).
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__", "__qualname__"})
    # Attributes the named tuple defines and a body may not replace (typing.py, _prohibited).
    _PROHIBITED = frozenset(
        {
            "__new__",
            "__init__",
            "__slots__",
            "__getnewargs__",
            "_fields",
            "_field_defaults",
            "_make",
            "_replace",
            "_asdict",
            "_source",
        }
    )

    class _NamedTuple(tuple):
        """The methods every record shares (collections.namedtuple's, written once)."""

        __slots__ = ()

        def __new__(cls, *args, **kwargs):
            if kwargs or len(args) != len(cls._fields):
                args = cls._bind(args, kwargs)
            return tuple.__new__(cls, args)

        @classmethod
        def _bind(cls, args, kwargs):
            fields = cls._fields
            name = f"{cls.__name__}.__new__()"
            if len(args) > len(fields):
                most = len(fields) + 1  # with the class
                least = most - len(cls._field_defaults)
                takes = f"{most}" if least == most else f"from {least} to {most}"
                raise TypeError(
                    f"{name} takes {takes} positional arguments but {len(args) + 1} were given"
                )
            for key in kwargs:
                if key not in fields:
                    raise TypeError(f"{name} got an unexpected keyword argument {key!r}")
                if fields.index(key) < len(args):
                    raise TypeError(f"{name} got multiple values for argument {key!r}")
            values = list(args)
            missing = []
            for field in fields[len(args) :]:
                if field in kwargs:
                    values.append(kwargs[field])
                elif field in cls._field_defaults:
                    values.append(cls._field_defaults[field])
                else:
                    missing.append(field)
            if missing:
                raise TypeError(
                    f"{name} missing {len(missing)} required positional argument"
                    f"{'s' if len(missing) > 1 else ''}: "
                    + " and ".join(
                        filter(None, [", ".join(map(repr, missing[:-1])), repr(missing[-1])])
                    )
                )
            return values

        @classmethod
        def _make(cls, iterable):
            result = tuple.__new__(cls, iterable)
            if len(result) != len(cls._fields):
                raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(result)}")
            return result

        def _replace(self, /, **kwargs):
            result = self._make(map(kwargs.pop, self._fields, self))
            if kwargs:
                raise ValueError(f"Got unexpected field names: {list(kwargs)!r}")
            return result

        def __repr__(self):
            values = zip(self._fields, self, strict=True)
            pairs = ", ".join(f"{name}={value!r}" for name, value in values)
            return f"{self.__class__.__name__}({pairs})"

        def _asdict(self):
            return dict(zip(self._fields, self, strict=True))

        def __getnewargs__(self):
            return tuple(self)

    class _RecordMeta(type):
        def __new__(mcls, typename, bases, namespace):
            if bases != (Record,):
                raise TypeError(f"record {typename} can only have Record as its base")
            annotations = namespace.get("__annotations__", {})
            fields = tuple(annotations)
            defaults = {}
            for field in fields:
                if field.startswith("_"):
                    raise ValueError(f"Field names cannot start with an underscore: {field!r}")
                if field in namespace:
                    defaults[field] = namespace[field]
                elif defaults:
                    raise TypeError(
                        f"non-default field {field} of record {typename} follows a default field"
                    )
            body = {"__doc__": f"{typename}({', '.join(fields)})"}
            for key, value in namespace.items():
                if key in _PROHIBITED:
                    raise TypeError(f"cannot overwrite attribute {key} of record {typename}")
                if key not in annotations:
                    body[key] = value
            body.update(
                __slots__=(),
                _fields=fields,
                _field_defaults=defaults,
                __match_args__=fields,
            )
            for index, field in enumerate(fields):
                body[field] = _tuplegetter(index, f"Alias for field number {index}")
            return type.__new__(type, typename, (_NamedTuple,), body)

    Record = type.__new__(_RecordMeta, "Record", (), {"__module__": __name__})
