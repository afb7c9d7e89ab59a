"""margin restore: bring a damaged project back from a backup, losing nothing the log holds."""

from __future__ import annotations

from pathlib import Path

import click

from tui.context import safe, settings


@click.command()
@click.argument("backup", required=False)
@click.option("--list", "only_list", is_flag=True, help="Only list the backups and whether each can be used.")
@click.option("--cut-log", is_flag=True, help="Cut a log damaged in the middle at the damage (a copy is kept).")
@click.option(
    "--sources",
    type=click.Path(path_type=Path, file_okay=False),
    help="A folder of original transcripts to recover missing or changed texts from.",
)
@click.option("--from-log", is_flag=True, help="With no usable backup: rebuild from the log alone.")
@click.pass_context
def restore(ctx, backup, only_list, cut_log, sources, from_log):
    """Put BACKUP (default: the newest usable one) back; the log then replays every later change.

    The current files are first copied into damaged/<time>/. Source texts that are
    missing or changed are put back from a copy with the right checksum.

    \b
    Examples:
      margin restore
      margin restore --list
      margin restore 20261126T101500123456Z-open
      margin restore --cut-log --sources ~/interviews
    """
    from store import restore as restoring
    from store.errors import BadInput, Refused

    if only_list and backup is not None:
        raise BadInput("--list lists every backup and restores none: give BACKUP or --list, not both")
    directory = settings(ctx).project_dir
    found = restoring.candidates(directory)
    click.echo(f"Backups in {directory}/backups, newest last:" if found else "No backups found.")
    for candidate in found:
        state = "usable" if candidate.good else f"damaged: {candidate.problem}"
        click.echo(safe(f"  {candidate.path.name}  {state}"))
    if only_list:
        return
    report = restoring.restore(directory, backup, cut_log=cut_log, sources=sources, from_log=from_log)
    for line in report.lines:
        click.echo(safe(line))
    if report.missing:
        raise Refused(
            f"still missing or changed: {'; '.join(report.missing)}; "
            "rerun with --sources FOLDER holding the original transcripts, or import them again"
        )


def register(cli: click.Group) -> None:
    cli.add_command(restore)
