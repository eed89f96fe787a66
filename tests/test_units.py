"""Byte-size arithmetic: Go's GOMEMLIMIT grammar, declared limits, GOMEMLIMIT from a ratio."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dfmemlint.golang.container_limit import parse_memory_limit
from dfmemlint.golang.gomemlimit import (
    NO_LIMIT,
    MemLimitStatus,
    judge_gomemlimit,
    parse_go_byte_count,
    read_gomemlimit,
)
from dfmemlint.golang.units import (
    MAX_INT64,
    LimitError,
    compute_gomemlimit,
    describe_bytes,
    format_fraction,
    format_size,
    ratio_fraction,
)

KiB = 2**10
MiB = 2**20
GiB = 2**30
TiB = 2**40

# Go releases whose parser is covered: 1.19-1.25 read digits with the runtime's atoi64,
# 1.26 and later with strconv.ParseInt.
OLD_GO = (19, 21, 25)
NEW_GO = (26, 27)
ALL_GO = OLD_GO + NEW_GO

# TestParseByteCount from the Go source, src/runtime/string_test.go (the table is the same in
# Go 1.21.13, 1.25.5, 1.26.0 and 1.27.3): (input, output, ok).
GO_TEST_PARSE_BYTE_COUNT: list[tuple[str, int, bool]] = [
    # Good numeric inputs.
    ("1", 1, True),
    ("12345", 12345, True),
    ("012345", 12345, True),
    ("98765432100", 98765432100, True),
    ("9223372036854775807", (1 << 63) - 1, True),
    # Good trivial suffix inputs.
    ("1B", 1, True),
    ("12345B", 12345, True),
    ("012345B", 12345, True),
    ("98765432100B", 98765432100, True),
    ("9223372036854775807B", (1 << 63) - 1, True),
    # Good binary suffix inputs.
    ("1KiB", 1 << 10, True),
    ("05KiB", 5 << 10, True),
    ("1MiB", 1 << 20, True),
    ("10MiB", 10 << 20, True),
    ("1GiB", 1 << 30, True),
    ("100GiB", 100 << 30, True),
    ("1TiB", 1 << 40, True),
    ("99TiB", 99 << 40, True),
    # Good zero inputs.
    ("-0", 0, True),
    ("0", 0, True),
    ("0B", 0, True),
    ("0KiB", 0, True),
    ("0MiB", 0, True),
    ("0GiB", 0, True),
    ("0TiB", 0, True),
    # Bad inputs.
    ("", 0, False),
    ("-1", 0, False),
    ("a12345", 0, False),
    ("a12345B", 0, False),
    ("12345x", 0, False),
    ("0x12345", 0, False),
    # Bad numeric inputs.
    ("9223372036854775808", 0, False),
    ("9223372036854775809", 0, False),
    ("18446744073709551615", 0, False),
    ("20496382327982653440", 0, False),
    ("18446744073709551616", 0, False),
    ("18446744073709551617", 0, False),
    ("9999999999999999999999", 0, False),
    # Bad trivial suffix inputs.
    ("9223372036854775808B", 0, False),
    ("9223372036854775809B", 0, False),
    ("18446744073709551615B", 0, False),
    ("20496382327982653440B", 0, False),
    ("18446744073709551616B", 0, False),
    ("18446744073709551617B", 0, False),
    ("9999999999999999999999B", 0, False),
    # Bad binary suffix inputs.
    ("1Ki", 0, False),
    ("05Ki", 0, False),
    ("10Mi", 0, False),
    ("100Gi", 0, False),
    ("99Ti", 0, False),
    ("22iB", 0, False),
    ("B", 0, False),
    ("iB", 0, False),
    ("KiB", 0, False),
    ("MiB", 0, False),
    ("GiB", 0, False),
    ("TiB", 0, False),
    ("-120KiB", 0, False),
    ("-891MiB", 0, False),
    ("-704GiB", 0, False),
    ("-42TiB", 0, False),
    ("99999999999999999999KiB", 0, False),
    ("99999999999999999MiB", 0, False),
    ("99999999999999GiB", 0, False),
    ("99999999999TiB", 0, False),
    ("555EiB", 0, False),
    # Mistaken SI suffix inputs.
    ("0KB", 0, False),
    ("0MB", 0, False),
    ("0GB", 0, False),
    ("0TB", 0, False),
    ("1KB", 0, False),
    ("05KB", 0, False),
    ("1MB", 0, False),
    ("10MB", 0, False),
    ("1GB", 0, False),
    ("100GB", 0, False),
    ("1TB", 0, False),
    ("99TB", 0, False),
    ("1K", 0, False),
    ("05K", 0, False),
    ("10M", 0, False),
    ("100G", 0, False),
    ("99T", 0, False),
    ("99999999999999999999KB", 0, False),
    ("99999999999999999MB", 0, False),
    ("99999999999999GB", 0, False),
    ("99999999999TB", 0, False),
    ("99999999999TiB", 0, False),
    ("555EB", 0, False),
]


@pytest.mark.parametrize("go_minor", ALL_GO)
@pytest.mark.parametrize(("value", "out", "ok"), GO_TEST_PARSE_BYTE_COUNT)
def test_go_own_parse_byte_count_table(value: str, out: int, ok: bool, go_minor: int) -> None:
    assert parse_go_byte_count(value, go_minor=go_minor) == (out if ok else None)


# (value, Go 1.19-1.25, Go 1.26+): the edges where the two parsers differ, and their neighbours.
VERSION_EDGES: list[tuple[str, int | None, int | None]] = [
    ("+512MiB", None, 512 * MiB),
    ("+0", None, 0),
    ("+1B", None, 1),
    ("+00512MiB", None, 512 * MiB),
    ("+9223372036854775807", None, 2**63 - 1),
    ("-MiB", 0, None),
    ("-KiB", 0, None),
    ("-GiB", 0, None),
    ("-TiB", 0, None),
    ("-0MiB", 0, 0),
    ("-0B", 0, 0),
    ("-00", 0, 0),
    ("-", None, None),
    ("+", None, None),
    ("-B", None, None),
    ("+B", None, None),
    ("+MiB", None, None),
    ("+-1", None, None),
    ("-+1", None, None),
    ("++1", None, None),
    ("--0", None, None),
    ("+-0", None, None),
    ("-9223372036854775808", None, None),
    ("-9223372036854775809", None, None),
    ("00512MiB", 512 * MiB, 512 * MiB),
    ("0000000000000000000000000001", 1, 1),
    # int64 boundaries, per unit: the largest count that fits, and one more.
    ("8388607TiB", 8388607 * TiB, 8388607 * TiB),
    ("8388608TiB", None, None),
    ("8589934591GiB", 8589934591 * GiB, 8589934591 * GiB),
    ("8589934592GiB", None, None),
    ("8796093022207MiB", 8796093022207 * MiB, 8796093022207 * MiB),
    ("8796093022208MiB", None, None),
    ("9007199254740991KiB", 9007199254740991 * KiB, 9007199254740991 * KiB),
    ("9007199254740992KiB", None, None),
    ("18014398509481984KiB", None, None),  # exactly 2**64 bytes: the uint64 overflow check
    # Characters that look like digits or spaces to Python but not to Go.
    ("\uff15\uff11\uff12MiB", None, None),  # fullwidth digits
    ("\u0665MiB", None, None),  # Arabic-Indic five
    ("512MiB\u00a0", None, None),  # no-break space
    ("512MiB\n", None, None),
    ("\x00", None, None),
]


@pytest.mark.parametrize(("value", "old", "new"), VERSION_EDGES)
def test_version_edges(value: str, old: int | None, new: int | None) -> None:
    for go_minor in OLD_GO:
        assert parse_go_byte_count(value, go_minor=go_minor) == old, go_minor
    for go_minor in NEW_GO:
        assert parse_go_byte_count(value, go_minor=go_minor) == new, go_minor


def test_default_go_minor_is_the_older_grammar() -> None:
    assert parse_go_byte_count("+1") is None
    assert parse_go_byte_count("-MiB") == 0


def test_before_go_1_19_there_is_no_gomemlimit() -> None:
    with pytest.raises(ValueError, match=r"1\.19"):
        parse_go_byte_count("1", go_minor=18)
    with pytest.raises(ValueError, match=r"1\.19"):
        read_gomemlimit("off", go_minor=18)


@pytest.mark.parametrize("go_minor", ALL_GO)
def test_read_gomemlimit(go_minor: int) -> None:
    assert NO_LIMIT == 2**63 - 1
    assert read_gomemlimit("", go_minor=go_minor) == NO_LIMIT
    assert read_gomemlimit("off", go_minor=go_minor) == NO_LIMIT
    assert read_gomemlimit("512MiB", go_minor=go_minor) == 512 * MiB
    for rejected in ("OFF", "Off", " off", "off ", "none", "-1", "512MB"):
        assert read_gomemlimit(rejected, go_minor=go_minor) is None


@settings(max_examples=300, derandomize=True)
@given(st.from_regex(r"\A[+-]?[0-9]{1,21}(([KMGT]i)?B)?\Z"))
def test_grammar_matches_the_brief(value: str) -> None:
    # The brief's statement of the grammar: ^[0-9]+(([KMGT]i)?B)?$ fitting in int64.
    digits = value.lstrip("+-")
    number = int(re.sub(r"\D", "", digits))
    unit = {"KiB": KiB, "MiB": MiB, "GiB": GiB, "TiB": TiB}.get(digits[-3:], 1)
    fits = number * unit <= MAX_INT64
    if value[0] not in "+-":
        expected = number * unit if fits else None
        assert parse_go_byte_count(value, go_minor=21) == expected
        assert parse_go_byte_count(value, go_minor=26) == expected
    elif value[0] == "-":
        expected = 0 if number == 0 else None
        assert parse_go_byte_count(value, go_minor=21) == expected
        assert parse_go_byte_count(value, go_minor=26) == expected
    else:
        assert parse_go_byte_count(value, go_minor=21) is None
        assert parse_go_byte_count(value, go_minor=26) == (number * unit if fits else None)


# --------------------------------------------------------------------------------------------
# judge_gomemlimit
# --------------------------------------------------------------------------------------------

# (value, status, bytes, suggestion, safe)
JUDGEMENTS: list[tuple[str, MemLimitStatus, int | None, str | None, bool]] = [
    ("", MemLimitStatus.EMPTY, None, None, False),
    ("off", MemLimitStatus.OFF, None, None, False),
    ("512MiB", MemLimitStatus.VALID, 512 * MiB, None, False),
    ("0", MemLimitStatus.VALID, 0, None, False),
    ("-0", MemLimitStatus.VALID, 0, None, False),
    ("-0MiB", MemLimitStatus.VALID, 0, None, False),
    ("00512MiB", MemLimitStatus.VALID, 512 * MiB, None, False),
    ("536870912", MemLimitStatus.VALID, 512 * MiB, None, False),
    ("1B", MemLimitStatus.VALID, 1, None, False),
    # The mistakes people make.
    ("512MB", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("512M", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("512Mi", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("512mib", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("512mb", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("512m", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("512MIB", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("2G", MemLimitStatus.MALFORMED, None, "2GiB", True),
    ("2GB", MemLimitStatus.MALFORMED, None, "2GiB", True),
    ("2gib", MemLimitStatus.MALFORMED, None, "2GiB", True),
    ("2Gi", MemLimitStatus.MALFORMED, None, "2GiB", True),
    ("64K", MemLimitStatus.MALFORMED, None, "64KiB", True),
    ("64KB", MemLimitStatus.MALFORMED, None, "64KiB", True),
    ("1T", MemLimitStatus.MALFORMED, None, "1TiB", True),
    ("1Ti", MemLimitStatus.MALFORMED, None, "1TiB", True),
    ("512b", MemLimitStatus.MALFORMED, None, "512B", True),
    ("512kb", MemLimitStatus.MALFORMED, None, "512KiB", True),
    ("1.5GiB", MemLimitStatus.MALFORMED, None, "1536MiB", True),
    ("1.5MiB", MemLimitStatus.MALFORMED, None, "1536KiB", True),
    ("1.5KiB", MemLimitStatus.MALFORMED, None, "1536B", True),
    ("0.5GiB", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("1.25G", MemLimitStatus.MALFORMED, None, "1280MiB", True),
    ("2.0GiB", MemLimitStatus.MALFORMED, None, "2GiB", True),
    ("1.3GiB", MemLimitStatus.MALFORMED, None, "1331MiB", False),  # 1331.2 MiB: rounds
    ("512 MiB", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("512 MB", MemLimitStatus.MALFORMED, None, "512MiB", True),
    (" 512MiB", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("512MiB\t", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("OFF", MemLimitStatus.MALFORMED, None, "off", True),
    ("Off", MemLimitStatus.MALFORMED, None, "off", True),
    (" off", MemLimitStatus.MALFORMED, None, "off", True),
    ("+512MiB", MemLimitStatus.VERSION_DEPENDENT, 512 * MiB, "512MiB", True),
    ("+512MB", MemLimitStatus.MALFORMED, None, "512MiB", True),
    ("+0", MemLimitStatus.VERSION_DEPENDENT, 0, "0", True),
    ("-MiB", MemLimitStatus.VERSION_DEPENDENT, 0, None, False),
    ("-KiB", MemLimitStatus.VERSION_DEPENDENT, 0, None, False),
    # No guess for these.
    ("-1", MemLimitStatus.MALFORMED, None, None, False),
    ("-512MiB", MemLimitStatus.MALFORMED, None, None, False),
    ("0x10", MemLimitStatus.MALFORMED, None, None, False),
    ("1e9", MemLimitStatus.MALFORMED, None, None, False),
    ("1_000", MemLimitStatus.MALFORMED, None, None, False),
    ("1.5", MemLimitStatus.MALFORMED, None, None, False),
    ("5 12MiB", MemLimitStatus.MALFORMED, None, None, False),
    ("garbage", MemLimitStatus.MALFORMED, None, None, False),
    ("512MiBs", MemLimitStatus.MALFORMED, None, None, False),
    ("512PiB", MemLimitStatus.MALFORMED, None, None, False),
    ("none", MemLimitStatus.MALFORMED, None, None, False),
    ("-", MemLimitStatus.MALFORMED, None, None, False),
    ("9223372036854775808", MemLimitStatus.MALFORMED, None, None, False),
    ("9999999999999999999MB", MemLimitStatus.MALFORMED, None, None, False),  # overflows
]


@pytest.mark.parametrize(("value", "status", "count", "suggestion", "safe"), JUDGEMENTS)
def test_judge_gomemlimit(
    value: str, status: MemLimitStatus, count: int | None, suggestion: str | None, safe: bool
) -> None:
    judgement = judge_gomemlimit(value)
    assert judgement.status is status
    assert judgement.bytes == count
    assert judgement.suggestion == suggestion
    assert judgement.suggestion_safe is safe
    if status in (MemLimitStatus.VALID, MemLimitStatus.OFF, MemLimitStatus.EMPTY):
        assert judgement.problem == ""
    else:
        assert judgement.problem
        assert "\n" not in judgement.problem
        assert judgement.problem.endswith(".")
        assert repr(value) in judgement.problem
        assert "malformed GOMEMLIMIT" in judgement.problem


def test_status_is_a_string() -> None:
    assert isinstance(MemLimitStatus.VERSION_DEPENDENT, str)
    assert MemLimitStatus.VERSION_DEPENDENT.value == "version-dependent"
    assert judge_gomemlimit("512MB").status.value == "malformed"


def test_version_dependent_problem_names_the_releases_that_crash() -> None:
    plus = judge_gomemlimit("+512MiB").problem
    assert "Go 1.26 and later read" in plus
    assert "Go 1.19 to 1.25 dies" in plus
    assert f"{512 * MiB:,}" in plus
    minus = judge_gomemlimit("-MiB").problem
    assert "Go 1.19 to 1.25 read" in minus
    assert "Go 1.26 and later dies" in minus


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("512 MiB", "whitespace"),
        ("1.5GiB", "whole number"),
        ("0x10", "decimal digits"),
        ("1e9", "exponent"),
        ("1_000", "separators"),
        ("-1", "negative"),
        ("9223372036854775808", "64-bit"),
        ("512MB", "'MB'"),
        ("OFF", "lowercase 'off'"),
        ("garbage", "whole number of bytes"),
    ],
)
def test_malformed_problem_says_why(value: str, reason: str) -> None:
    assert reason in judge_gomemlimit(value).problem


_ALPHABET = "0123456789KMGTiBb+- .ex_of"


@settings(max_examples=500, derandomize=True)
@given(st.text(alphabet=_ALPHABET, max_size=12))
def test_judge_is_consistent_with_the_parsers(value: str) -> None:
    judgement = judge_gomemlimit(value)
    old = read_gomemlimit(value, go_minor=25)
    new = read_gomemlimit(value, go_minor=26)
    if value in ("", "off"):
        assert judgement.status in (MemLimitStatus.EMPTY, MemLimitStatus.OFF)
    elif old is not None and new is not None:
        assert old == new
        assert judgement.status is MemLimitStatus.VALID
        assert judgement.bytes == old
    elif old is None and new is None:
        assert judgement.status is MemLimitStatus.MALFORMED
        assert judgement.bytes is None
    else:
        assert judgement.status is MemLimitStatus.VERSION_DEPENDENT
        assert judgement.bytes == (old if new is None else new)
    if judgement.suggestion is not None:
        # A suggestion is always a value every Go release accepts: fixing twice = fixing once.
        fixed = judge_gomemlimit(judgement.suggestion)
        assert fixed.status in (MemLimitStatus.VALID, MemLimitStatus.OFF)
        assert fixed.suggestion is None
    else:
        assert not judgement.suggestion_safe


@settings(max_examples=300, derandomize=True)
@given(
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(["", "B", "KiB", "MiB", "GiB", "TiB"]),
    st.sampled_from(["{n}{u}", "{n}{lower}", "{n} {u}", "+{n}{u}", "{n}{short}", "{n}{si}"]),
)
def test_safe_suggestions_keep_the_binary_amount(n: int, unit: str, template: str) -> None:
    multiplier = {"": 1, "B": 1, "KiB": KiB, "MiB": MiB, "GiB": GiB, "TiB": TiB}[unit]
    short = unit[:2] if len(unit) == 3 else unit  # Mi, Gi, ...
    si = unit[0] + "B" if len(unit) == 3 else unit  # MB, GB, ...
    value = template.format(n=n, u=unit, lower=unit.lower(), short=short, si=si)
    judgement = judge_gomemlimit(value)
    if judgement.status is MemLimitStatus.VALID:
        assert judgement.bytes == n * multiplier
        return
    assert judgement.suggestion is not None, value
    assert judgement.suggestion_safe
    assert parse_go_byte_count(judgement.suggestion) == n * multiplier


# --------------------------------------------------------------------------------------------
# parse_memory_limit
# --------------------------------------------------------------------------------------------

LIMITS: list[tuple[str, int]] = [
    # Go / IEC
    ("512MiB", 512 * 2**20),
    ("1GiB", 2**30),
    ("512KiB", 512 * 2**10),
    ("2TiB", 2 * 2**40),
    ("100B", 100),
    ("536870912", 512 * 2**20),
    ("512mib", 512 * 2**20),  # Docker accepts any case
    # Kubernetes
    ("512Mi", 512 * 2**20),
    ("1Gi", 2**30),
    ("1.5Gi", 3 * 2**29),
    ("0.5Gi", 2**29),
    ("256Ki", 256 * 2**10),
    ("1Ti", 2**40),
    ("1e9", 10**9),
    ("1E9", 10**9),
    ("5e8", 5 * 10**8),
    ("1.5e9", 15 * 10**8),
    ("+512Mi", 512 * 2**20),
    ("1E", 10**18),  # exa: Docker has no 'e'
    (".5Gi", 2**29),
    ("5.Gi", 5 * 2**30),
    # Docker
    ("512m", 512 * 2**20),
    ("1g", 2**30),
    ("2g", 2 * 2**30),
    ("1t", 2**40),
    ("1gb", 2**30),
    ("1GB", 2**30),
    ("512mb", 512 * 2**20),
    ("512MB", 512 * 2**20),
    ("1024kb", 2**20),
    ("1.5g", 3 * 2**29),
    ("512b", 512),
    # Whitespace
    (" 512Mi ", 512 * 2**20),
    ("512 MiB", 512 * 2**20),
]


@pytest.mark.parametrize(("text", "expected"), LIMITS)
def test_parse_memory_limit(text: str, expected: int) -> None:
    assert parse_memory_limit(text) == expected


@pytest.mark.parametrize(
    ("text", "number", "decimal", "binary"),
    [
        ("512M", "512", 512 * 10**6, 512 * 2**20),
        ("1G", "1", 10**9, 2**30),
        ("2T", "2", 2 * 10**12, 2 * 2**40),
        ("500K", "500", 500 * 10**3, 500 * 2**10),
        ("500k", "500", 500 * 10**3, 500 * 2**10),
        ("1024k", "1024", 1024 * 10**3, 1024 * 2**10),
        ("1.5G", "1.5", 15 * 10**8, 3 * 2**29),
        ("1P", "1", 10**15, 2**50),
    ],
)
def test_ambiguous_limits_are_refused_with_both_readings(
    text: str, number: str, decimal: int, binary: int
) -> None:
    with pytest.raises(LimitError) as info:
        parse_memory_limit(text)
    message = str(info.value)
    assert message.startswith(f"{text} is ambiguous")
    assert f"{decimal:,} bytes" in message
    assert f"{binary:,} bytes" in message
    letter = text[-1].upper()
    assert f"{number}{letter}i/{number}{letter}iB" in message
    assert "(Docker)" in message


def test_ambiguity_message_with_a_fraction_of_a_byte() -> None:
    # 0.0005M: 500 bytes for Kubernetes, 0.0005 * 2**20 = 524.288 bytes for Docker.
    with pytest.raises(
        LimitError, match=r"Kubernetes reads it as 500 bytes, Docker as 524\.288 bytes"
    ):
        parse_memory_limit("0.0005M")


def test_ambiguity_message_of_the_brief() -> None:
    with pytest.raises(LimitError) as info:
        parse_memory_limit("512M")
    mib = round(512 * 10**6 / 2**20, 1)  # 488.28125 MiB to one decimal
    assert str(info.value) == (
        f"512M is ambiguous: Kubernetes reads it as {512 * 10**6:,} bytes "
        f"({mib} MiB), Docker as {512 * 2**20:,} bytes (512 MiB); "
        "write 512Mi/512MiB or 512m (Docker) or 512e6 instead"
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "cannot read"),
        ("   ", "cannot read"),
        ("abc", "cannot read"),
        (".", "cannot read"),
        ("0", "more than 0"),
        ("0Mi", "more than 0"),
        ("-1", "more than 0"),
        ("-512Mi", "more than 0"),
        ("1.5", "not a whole number"),
        ("0.1Ki", "not a whole number"),
        ("1e-1", "not a whole number"),
        ("512mi", "Kubernetes spells it Mi"),
        ("512MI", "Kubernetes spells it Mi"),
        ("512x", "unknown unit 'x'"),
        ("1000n", "nano"),
        ("1e3Mi", "exponent cannot be combined"),
        ("1e99", "out of range"),
        ("10E", "more than Go can represent"),
        ("8Ei", "more than Go can represent"),
        ("0x10", "cannot read"),
        ("1_000", "cannot read"),
        ("5 12Mi", "cannot read"),
    ],
)
def test_bad_limits_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(LimitError, match=None) as info:
        parse_memory_limit(text)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


# --------------------------------------------------------------------------------------------
# compute_gomemlimit
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "ratio", "expected"),
    [
        (512 * 2**20, 0.8, 512 * 2**20 * 8 // 10 // 2**20 * 2**20),
        (512 * 2**20, 0.8, 409 * 2**20),
        (2**30, 0.8, 2**30 * 8 // 10 // 2**20 * 2**20),
        (256 * 2**20, 0.8, 256 * 2**20 * 8 // 10 // 2**20 * 2**20),
        (10**9, 0.8, 10**9 * 8 // 10 // 2**20 * 2**20),
        (10**9, 0.95, 10**9 * 95 // 100 // 2**20 * 2**20),
        (512 * 2**20, 0.95, 512 * 2**20 * 95 // 100 // 2**20 * 2**20),
        (2 * 2**20, 0.5, 2**20),
        # 90 MiB * 0.7 is exactly 63 MiB; in floats 94371840 * 0.7 = 66060287.99... -> 62 MiB.
        (90 * 2**20, 0.7, 63 * 2**20),
        (180 * 2**20, 0.35, 63 * 2**20),
    ],
)
def test_compute_gomemlimit(limit: int, ratio: float, expected: int) -> None:
    assert compute_gomemlimit(limit, ratio) == expected


def test_float_multiplication_would_get_it_wrong() -> None:
    # Keeps the 0.7 case above honest: naive float arithmetic loses a whole MiB there.
    assert int(90 * 2**20 * 0.7) // 2**20 == 62


@pytest.mark.parametrize(
    "ratio", [0, 0.0, -0.1, 0.951, 0.99, 1, 1.0, 1.01, 2, math.nan, math.inf, -math.inf]
)
def test_bad_ratio(ratio: float) -> None:
    # The one acceptable range (dfmemlint.golang.headroom): the message names it.
    with pytest.raises(LimitError, match=r"ratio must be (a number )?above 0 and at most 0\.95"):
        compute_gomemlimit(512 * 2**20, ratio)


def test_result_under_one_mib_is_refused() -> None:
    with pytest.raises(LimitError, match="under the 1 MiB"):
        compute_gomemlimit(2**20, 0.8)
    assert compute_gomemlimit(2 * 2**20, 0.5) == 2**20


def test_non_positive_limit_is_refused() -> None:
    with pytest.raises(LimitError):
        compute_gomemlimit(0, 0.8)


def test_ratio_fraction_is_the_decimal_as_written() -> None:
    assert ratio_fraction(0.8) == Fraction(4, 5)
    assert ratio_fraction(0.1) == Fraction(1, 10)
    assert ratio_fraction(0.95) == Fraction(19, 20)


@settings(max_examples=300, derandomize=True)
@given(
    st.integers(min_value=2**20, max_value=2**50),
    st.integers(min_value=1, max_value=950),
)
def test_compute_gomemlimit_is_exact(limit: int, permille: int) -> None:
    ratio = permille / 1000
    exact = Fraction(limit) * Fraction(permille, 1000)
    whole_mib = math.floor(exact) // 2**20
    if whole_mib == 0:
        with pytest.raises(LimitError):
            compute_gomemlimit(limit, ratio)
        return
    result = compute_gomemlimit(limit, ratio)
    assert result == whole_mib * 2**20
    assert result <= exact < result + 2**20
    assert judge_gomemlimit(format_size(result)).bytes == result


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"),
        (1, "1B"),
        (123, "123B"),
        (1024, "1KiB"),
        (1536, "1536B"),
        (3 * 1024, "3KiB"),
        (409 * 2**20, "409MiB"),
        (2**30, "1GiB"),
        (1536 * 2**20, "1536MiB"),
        (2**40, "1TiB"),
        (2048 * 2**40, "2048TiB"),
        (2**20 + 2**10, "1025KiB"),
        (10**9, "1000000000B"),
    ],
)
def test_format_size(n: int, text: str) -> None:
    assert format_size(n) == text
    assert parse_go_byte_count(text, go_minor=21) == n
    assert parse_go_byte_count(text, go_minor=26) == n


def test_format_size_refuses_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_size(-1)


@settings(max_examples=200, derandomize=True)
@given(st.integers(min_value=0, max_value=MAX_INT64))
def test_format_size_is_valid_everywhere_and_shortest(n: int) -> None:
    text = format_size(n)
    judgement = judge_gomemlimit(text)
    assert judgement.status is MemLimitStatus.VALID
    assert judgement.bytes == n
    assert len(text) <= len(f"{n}B")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (123, "123 bytes"),
        (1536, "1,536 bytes (1.5 KiB)"),
        (512 * 2**20, "536,870,912 bytes (512 MiB)"),
        # The number the seed called "430 MiB": 84 % of 512 MiB.
        (450971566, "450,971,566 bytes (430.1 MiB)"),
        (512 * 10**6, "512,000,000 bytes (488.3 MiB)"),
        (2**30, "1,073,741,824 bytes (1,024 MiB)"),
        (2**40, "1,099,511,627,776 bytes (1 TiB)"),
        (-(2**20), "-1,048,576 bytes (-1 MiB)"),
        # One byte under a unit boundary must not read as the boundary itself.
        (2**20 - 1, "1,048,575 bytes (1,023.9 KiB)"),
        (3 * 2**20 - 1, "3,145,727 bytes (2.9 MiB)"),
    ],
)
def test_describe_bytes(n: int, text: str) -> None:
    assert describe_bytes(n) == text


def test_format_fraction() -> None:
    assert format_fraction(Fraction(4294967296, 10)) == "429,496,729.6"
    assert format_fraction(Fraction(7)) == "7"
    assert format_fraction(Fraction(1, 8)) == "0.125"
    assert format_fraction(Fraction(1, 3)) == "0.333333…"


@pytest.mark.parametrize(
    ("ratio", "percent"),
    [(0.8, "80"), (0.875, "87.5"), (0.05, "5"), (0.95, "95"), (0.333, "33.3"), (1e-05, "0.001"),
     (0.123456789, "12.3456789")],
)
def test_format_percent(ratio: float, percent: str) -> None:
    from dfmemlint.golang.units import format_percent

    assert format_percent(ratio) == percent


@given(st.floats(min_value=1e-9, max_value=0.95, allow_nan=False, allow_infinity=False))
@settings(max_examples=300)
def test_format_percent_is_the_exact_percentage(ratio: float) -> None:
    """Without the fractions module, the same text as the exact arithmetic gives."""
    from dfmemlint.golang.units import format_fraction, format_percent

    assert format_percent(ratio) == format_fraction(Fraction(repr(ratio)) * 100)


@given(st.text(alphabet="0123456789.-+_ eExXbBoOMGTKiB\t'\"a\u00e9\u0663\u00a0", max_size=10))
def test_each_cheap_test_passes_every_value_of_its_shape(value: str) -> None:
    """A malformed shape's pattern is tried only when its cheap test passes: that test must pass
    every value the pattern matches, and the unit shape must read as its pattern does."""
    from dfmemlint.golang import gomemlimit

    for may_be, shape, _ in gomemlimit._MALFORMED_SHAPES:
        if re.fullmatch(shape, value):
            assert may_be(value), (shape, value)
    unit = re.fullmatch(r"[+-]?[0-9]+(?P<unit>[A-Za-z]+)", value)
    shaped = any(re.fullmatch(s, value) for _, s, _ in gomemlimit._MALFORMED_SHAPES)
    plain = gomemlimit.unquoted(value) is None and value.strip().lower() != "off"
    reason = gomemlimit._malformed_reason(value)
    if plain and not shaped:
        assert (unit is not None) is ("is not one of the case-sensitive" in reason)
        if unit is not None:
            assert repr(unit["unit"]) in reason
