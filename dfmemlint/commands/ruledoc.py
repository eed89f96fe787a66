"""``dfmemlint rule CODE`` prints a rule's page; ``dfmemlint rules`` lists the catalog."""

from __future__ import annotations

import json

import click

from dfmemlint.commands.options import Command, error, format_option
from dfmemlint.config import invalid_value
from dfmemlint.reporters.sarif import rule_page, rule_url
from dfmemlint.rules.catalog import BY_CODE, CATALOG, RuleInfo


def find_rule(text: str) -> RuleInfo | None:
    """The rule named by its code (any case) or by its name."""
    wanted = text.strip()
    by_name = {rule.name: rule for rule in CATALOG}
    return BY_CODE.get(wanted.upper()) or by_name.get(wanted.lower())


@click.command(
    "rule", cls=Command, short_help="Show a rule's reference page (dfmemlint rule DFM004)."
)
@click.argument("code")
def rule(code: str) -> int:
    """Show the reference page of a rule (by code, e.g. DFM004, or name)."""
    info = find_rule(code)
    if info is None:
        error(f"{invalid_value('CODE')}: unknown rule {code!r} (`dfmemlint rules` lists them)")
        return 2
    click.echo(rule_page(info.code), nl=False)
    return 0


@click.command(
    "rules", cls=Command, short_help="List every rule: code, name, severities, summary."
)
@format_option(["text", "json"])
def rules(output_format: str) -> int:
    """List every rule: code, name, every severity it can report (the default first) and
    summary."""
    if output_format == "json":
        listing = [
            {
                "code": info.code,
                "name": info.name,
                "severity": info.severity.label,
                "severities": [severity.label for severity in info.severities],
                "summary": info.summary,
                "url": rule_url(info.code),
            }
            for info in CATALOG
        ]
        click.echo(json.dumps(listing, indent=2))
        return 0
    header = ("CODE", "NAME", "SEVERITY", "SUMMARY")
    rows = [header, *((r.code, r.name, r.severity_labels, r.summary) for r in CATALOG)]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[3]]))
    return 0
