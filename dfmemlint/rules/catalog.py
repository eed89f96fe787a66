"""The rule catalog: codes, names and default severities (a public interface: never renumber)."""

from __future__ import annotations

from dfmemlint.records import Record
from dfmemlint.types import Severity


class RuleInfo(Record):
    code: str
    name: str
    severity: Severity  # the default
    summary: str
    #: The other severities the rule reports in some cases (its page says when).
    also: tuple[Severity, ...] = ()

    @property
    def severities(self) -> tuple[Severity, ...]:
        """Every severity the rule can report, the default first."""
        return (self.severity, *self.also)

    @property
    def severity_labels(self) -> str:
        """:attr:`severities` as ``dfmemlint rules`` and README's rule table show them:
        ``error, warning``."""
        return ", ".join(severity.label for severity in self.severities)


CATALOG: tuple[RuleInfo, ...] = (
    RuleInfo(
        "DFM000",
        "dockerfile-syntax",
        Severity.ERROR,
        "The file is not a Dockerfile BuildKit accepts.",
    ),
    RuleInfo(
        "DFM001",
        "gomemlimit-build-only",
        Severity.WARNING,
        "GOMEMLIMIT is set only at build time (RUN or ARG) and never reaches the running "
        "container.",
        (Severity.INFO,),
    ),
    RuleInfo(
        "DFM002",
        "gomemlimit-wrong-stage",
        Severity.WARNING,
        "ENV GOMEMLIMIT is set in a stage the final image does not inherit from.",
        (Severity.INFO,),
    ),
    RuleInfo(
        "DFM003",
        "env-cache-bust",
        Severity.WARNING,
        "An ENV of a runtime tuning variable is followed by RUN/COPY/ADD, so changing it rebuilds "
        "every later layer.",
    ),
    RuleInfo(
        "DFM004",
        "gomemlimit-malformed",
        Severity.ERROR,
        "GOMEMLIMIT has a value the Go runtime rejects: every Go process exits at start-up.",
    ),
    RuleInfo(
        "DFM005",
        "go-too-old",
        Severity.ERROR,
        "The Go toolchain that builds the shipped binary is older than Go 1.19, which ignores "
        "GOMEMLIMIT.",
        (Severity.WARNING,),
    ),
    RuleInfo(
        "DFM006",
        "gomemlimit-missing",
        Severity.WARNING,
        "The final image runs a Go binary and no GOMEMLIMIT reaches it at runtime.",
    ),
    RuleInfo(
        "DFM007",
        "gomemlimit-out-of-range",
        Severity.ERROR,
        "GOMEMLIMIT is 0, under 1 MiB, or too close to (or above) the declared container limit.",
        (Severity.WARNING,),
    ),
    RuleInfo(
        "DFM008",
        "gogc-off-unbounded",
        Severity.ERROR,
        "GOGC=off reaches runtime with no GOMEMLIMIT: the heap grows until the container is "
        "killed.",
    ),
    RuleInfo(
        "DFM009",
        "gomemlimit-misspelled",
        Severity.WARNING,
        "An ENV name is a near miss of GOMEMLIMIT (GOMEMLIMT, gomemlimit, GO_MEMLIMIT): it does "
        "nothing at run time.",
    ),
    RuleInfo(
        "DFM010",
        "downward-api-divisor",
        Severity.ERROR,
        "GOMEMLIMIT comes from the downward API with a divisor other than 1: Go reads the count "
        "as bytes.",
    ),
    RuleInfo(
        "DFM011",
        "downward-api-without-limit",
        Severity.WARNING,
        "GOMEMLIMIT comes from the downward API of a container without a memory limit: it is the "
        "node's memory.",
    ),
    RuleInfo(
        "DFM012",
        "duplicate-env-entry",
        Severity.WARNING,
        "A container's env list sets GOMEMLIMIT or GOGC more than once.",
    ),
    RuleInfo(
        "DFM013",
        "memory-millibytes",
        Severity.ERROR,
        "A memory limit or request uses the milli suffix: 512m is 0.512 bytes, not 512 MiB.",
    ),
    RuleInfo(
        "DFM014",
        "env-value-not-string",
        Severity.ERROR,
        "An unquoted GOMEMLIMIT/GOGC value is a YAML boolean or number, which the API server "
        "rejects.",
    ),
    RuleInfo(
        "DFM015",
        "yaml-syntax",
        Severity.ERROR,
        "A manifest, Compose file or env file that Kubernetes or Compose cannot read (not YAML,"
        " a key repeated in a Compose mapping).",
    ),
    RuleInfo(
        "DFM016",
        "gomemlimit-overrides-deployment",
        Severity.WARNING,
        "GOMEMLIMIT on the start command overrides the value the Compose service or Kubernetes "
        "container running the program sets.",
    ),
    RuleInfo(
        "DFM017",
        "dfmemlint-comment",
        Severity.ERROR,
        "A # dfmemlint: comment does not work: a memory-limit value the command line refuses "
        "(ambiguous, unreadable, out of bounds), an unknown rule code or setting, an ignore "
        "comment that suppresses nothing (misplaced or unused).",
        (Severity.WARNING,),
    ),
)

BY_CODE: dict[str, RuleInfo] = {rule.code: rule for rule in CATALOG}
