"""Printing shared by several commands."""

from __future__ import annotations

from collections.abc import Sequence

import click

from publisher.models import Finding


def print_findings(findings: Sequence[Finding]) -> None:
    """Explain each finding on stderr: words, learner, rule and the fix."""
    from publisher.preview import describe_finding

    for finding in findings:
        click.echo("  " + describe_finding(finding), err=True)
    if findings:
        click.echo(
            "  If a finding is a false alarm, queue the post again with "
            "--ack KEY='reason' for that finding.",
            err=True,
        )
