"""Team coding commands: `margin agreement`, `margin merge DIR`, `margin conflicts`, and
through git `margin git-setup`, `margin sync [REMOTE]` and the merge driver `margin merge-file`."""

from __future__ import annotations

import contextlib

import os
import shutil
from pathlib import Path

import click

from store.errors import BadInput
from tui.commands.analysis_options import emit_table
from tui.complete import complete_codes, complete_documents
from tui.context import deliver, error_line, open_project, plural, safe, settings

AGREEMENT_COLUMNS = [
    "code_path", "document", "unit", "coders", "units", "agreed",
    "percent_agreement", "cohen_kappa", "krippendorff_alpha",
]  # fmt: skip
SHORT = {"percent_agreement": "percent", "cohen_kappa": "kappa", "krippendorff_alpha": "alpha"}  # the terminal's titles
LIST_COLUMNS = ["code_path", "document", "start", "end", "coded_by", "text"]


@click.command("agreement")
@click.option("--coders", default=None, metavar="A,B[,C...]", help="The coders to compare (default: every coder with codings).")
@click.option("--unit", default="character", show_default=True, metavar="character|word|sentence|turn", help="What is coded or not.")
@click.option("--code", shell_complete=complete_codes, help="Only this code and its sub-codes (each its own row).")
@click.option("--doc", "documents", multiple=True, shell_complete=complete_documents, help="Only this document (repeatable).")
@click.option("--attr", "attrs", multiple=True, metavar="KEY=VALUE", help="Only documents with this attribute (repeatable).")
@click.option("--partial", is_flag=True, help="Also documents only some of the coders coded (the others missing there; for α).")
@click.option("--per-document", is_flag=True, help="Also a row per code and document (CSV and JSON always have them).")
@click.option("--qualcoder", is_flag=True, help="Put QualCoder's κ in the cohen_kappa column (to compare with a QualCoder project).")
@click.option("--list", "as_list", is_flag=True, help="List the disagreeing passages instead of the figures.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV with fixed columns (see below).")
@click.option("--json", "as_json", is_flag=True, help="JSON: a list of objects, one per row.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None, help="Write to FILE (default: standard output).")
@click.pass_context
def agreement(ctx, coders, unit, code, documents, attrs, partial, per_document, qualcoder, as_list, as_csv, as_json, output):
    """Intercoder agreement per code and over all codes: percentage agreement, Cohen's κ
    (two coders) and Krippendorff's α (nominal), over the documents every coder coded.

    \b
    Columns: code_path, document, unit, coders, units, agreed, percent_agreement,
    cohen_kappa, krippendorff_alpha (code_path empty: all codes; document empty: the
    total over documents; κ empty for more than two coders or when undefined).
    Examples:
      margin agreement --coders alice,bob
      margin agreement --unit word --attr round=1 --csv -o agreement.csv
      margin agreement --coders alice,bob --code Trust --list
    """
    from store.analysis.scope import named_scope
    from store.team.agreement import compare

    project = open_project(ctx, readonly=True)
    names = [n.strip() for n in coders.split(",") if n.strip()] if coders else None
    scope = named_scope(project, documents=documents, code=code, attrs=attrs)
    result = compare(project, names, unit, scope, partial=partial, passages=as_list)
    if not result.documents:
        click.echo(_none_compared(project, result.coders, partial), err=True)
    if as_list:
        _emit_list(project, result, as_csv, as_json, output)
        return
    machine = as_csv or as_json or (output is not None and output.suffix.lower() in (".csv", ".json"))
    paths = {c: project.codebook.path(project.state.codes[c]) for c in result.codes}
    names = {d.id: d.name for d in result.documents}
    suffix = output.suffix.lower() if output is not None else ""
    as_text = (as_csv or suffix == ".csv") and not (as_json or suffix == ".json")  # CSV, as emit_table chooses
    rows = [_row(paths, names, result, row, machine, qualcoder, as_text) for row in result.rows if machine or per_document or row.document is None]
    if as_text:
        from store.exporters.tabular import to_csv

        deliver(to_csv(AGREEMENT_COLUMNS, rows), output)  # every cell text already: what emit_table writes, in one pass
        return
    title = f"Agreement of {', '.join(result.coders)} by {unit} over {plural(len(result.documents), 'document')}"
    header = AGREEMENT_COLUMNS
    if not machine:  # the title names the unit and the coders: the terminal's width goes to the codes
        kept = [i for i, name in enumerate(header) if name not in ("unit", "coders")]
        header, rows = [SHORT.get(header[i], header[i]) for i in kept], [[row[i] for i in kept] for row in rows]
    emit_table(header, rows, as_csv, as_json, output, title=title)


def _none_compared(project, coders: list[str], partial: bool) -> str:
    """Why no document was compared: a coder who coded nothing at all, or no document
    coded by every coder (then --partial may help, unless it was given)."""
    ids = {project.coder_named(n).id: n for n in coders}
    coded = {c.coder for c in project.state.codings.values() if c.coder in ids}
    idle = [n for i, n in ids.items() if i not in coded]
    if idle:
        return f"{', '.join(idle)} coded nothing yet, so there is nothing to compare; choose other --coders."
    if partial:
        return f"No document was coded by two of {', '.join(coders)}; choose other --coders or documents."
    return f"No document was coded by all of {', '.join(coders)}; try --partial or other --coders."


def _row(paths: dict, names: dict, result, row, machine: bool, qualcoder: bool, as_text: bool = False) -> list:
    from store.team.agreement import cohen_kappa, krippendorff_alpha, percent_agreement, qualcoder_kappa

    t = row.tally
    kappa = qualcoder_kappa(t) if qualcoder else cohen_kappa(t)
    figures = [percent_agreement(t), kappa, krippendorff_alpha(t)]
    code = paths[row.code] if row.code else ""
    document = names[row.document] if row.document else ""
    if machine:
        figures = ["" if f is None else format(f, ".12g") for f in figures]
        if as_text:
            return [code, document, result.unit, ",".join(result.coders), str(t.units), str(t.agreed), *figures]
        return [code, document, result.unit, ",".join(result.coders), t.units, t.agreed, *figures]
    return ["(all codes)" if not code else code, document, result.unit, ",".join(result.coders), t.units, t.agreed, *figures]


def _emit_list(project, result, as_csv: bool, as_json: bool, output) -> None:
    from store.text import one_line
    from tui.cells import cut, fit_path, width as cells

    rows = []
    for d in result.disagreements:
        text = project.text(d.document)[d.start : d.end]
        rows.append([
            project.codebook.path(project.state.codes[d.code]), project.state.documents[d.document].name,
            d.start, d.end, ",".join(d.coders), text,
        ])  # fmt: skip
    if as_csv or as_json or output is not None:
        emit_table(LIST_COLUMNS, rows, as_csv, as_json, output)
        return
    width = shutil.get_terminal_size((100, 24)).columns
    lines = [f"{len(rows)} disagreeing passages ({result.unit}s), {', '.join(result.coders)}:"]
    for path, document, start, end, coded_by, text in rows:
        line = f"{document} {start}-{end}  {fit_path(path, max(16, width // 3))}  only {coded_by}: "
        if cells(line) + 20 <= width:
            lines.append(line + cut(one_line(text), width - cells(line)))  # the passage takes what the line has left
        else:  # a narrow terminal: the passage on a line of its own
            lines += [cut(line.rstrip(), width), "  " + cut(one_line(text), max(1, width - 2))]
    deliver(safe("\n".join(lines)) + "\n", None)


def _same_folder(one: Path, other: Path) -> bool:
    """Whether two paths are one folder (however spelt: relative, through a link)."""
    try:
        return os.path.samefile(one, other)
    except OSError:  # the project's folder is missing: opening it says so
        return False


@click.command("merge")
@click.argument("directory", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--unrelated", is_flag=True, help="Merge a project that is not a copy of this one (its documents arrive as new ones).")
@click.pass_context
def merge_(ctx, directory, unrelated):
    """Merge another copy of this project (a folder) into this one, entity by entity.

    \b
    Changes made on one side are kept; the same thing changed differently on both sides
    is settled by a rule (the later version) and listed, the other version kept (a memo
    is never overwritten, a deleted code the other side used comes back). The list is also
    kept as a project memo. Running it again with the same folder changes nothing.
    Example:
      margin merge /media/usb/study-bob
    """
    from store.project import Project
    from store.team.sync import merge_folder

    from store.errors import Refused

    if _same_folder(directory, settings(ctx).project_dir):
        raise BadInput(f"{directory} is this project's own folder; give another copy of the project")
    project = open_project(ctx)
    with _other_copy(directory) as theirs:
        if not unrelated and theirs.meta.get("id") != project.meta.get("id"):
            raise Refused(f"{directory} holds another project ({theirs.meta.get('name', '')!r}), not a copy of this one; "
                          "check the folder, or pass --unrelated to merge it anyway")
        report = merge_folder(project, theirs)
    for line in report.lines():
        click.echo(safe(line))


@contextlib.contextmanager
def _other_copy(directory: Path):
    """The other copy, open read-only; its damage said as its own (trial: "project.json
    cannot be read ...: run `margin restore`" read as if this project were damaged, and
    sent the researcher to restore a healthy one)."""
    from store.errors import ProjectCorrupt
    from store.project import Project

    try:
        theirs = Project.open(directory, readonly=True)
    except ProjectCorrupt as error:
        said = error.message.split("; the newest backup")[0].split("; run `margin restore")[0]
        raise ProjectCorrupt(f"the other copy, {directory}: {said}; repair it there (margin -p {directory} restore), then merge again") from None
    with theirs:
        yield theirs


@click.command("conflicts")
@click.option("--settled", "settled", metavar="N", type=int, default=None, help="Mark list N settled (removes it; undo brings it back).")
@click.pass_context
def conflicts(ctx, settled):
    """List what merges could not settle alone (each list numbered), or mark one settled.

    
    Each line names the code, memo or coding and what happened; the version kept is in the
    project, the other is in the list (a memo's other text is a "conflicting copy" memo).
    Examples:
      margin conflicts
      margin conflicts --settled 1
    """
    from store.errors import BadInput as Bad
    from store.team.sync import conflict_memos, twin_codes
    from store.text import plural

    project = open_project(ctx, readonly=settled is None)
    memos = conflict_memos(project)
    if settled is not None:
        if not memos:
            raise Bad(f"there is no conflict list {settled}: none is left to settle (`margin conflicts` lists them)")
        if not 1 <= settled <= len(memos):
            raise Bad(f"there is no conflict list {settled}; `margin conflicts` numbers them 1 to {len(memos)}")
        project.memos.delete(memos[settled - 1])
        click.echo(f"Conflict list {settled} settled.")
        return
    twins = twin_codes(project.state.codes)
    if not memos and not twins:
        click.echo("No conflicts.")
    for n, memo in enumerate(memos, 1):
        click.echo(f"{n}. merged {memo.created[:16].replace('T', ' ')}")
        click.echo(safe(memo.text))
    if twins:
        click.echo("Made in both copies under one name (a git pull by hand keeps both): `margin sync` joins them")
        for group in twins:
            click.echo(safe(f"- code {project.codebook.path(project.state.codes[group[0]])}: {plural(len(group), 'code')}"))


@click.command("sync")
@click.argument("remote", required=False)
@click.pass_context
def sync_(ctx, remote):
    """Sync this copy with the team's git remote: save, commit as you, bring in the
    others' work (merged entity by entity), send yours.

    \b
    The project folder must be a git clone (git clone PATH). The report says what came
    in; what was changed on both sides is settled by a rule and listed (`margin conflicts`).
    Examples:
      margin sync
      margin sync origin
    """
    from store.team.gitsync import sync

    project = open_project(ctx)
    for line in sync(project, remote).lines():
        click.echo(safe(line))


@click.command("git-setup")
@click.pass_context
def git_setup(ctx):
    """Install Margin's merge driver in this clone, so that a `git pull` or `git merge`
    run by hand merges the project's files entity by entity (never conflict markers).

    \b
    Writes .gitattributes (commit it, it is shared) and sets merge.margin.driver in the
    clone's .git/config (git does not carry config: run this once in every clone).
    Example:
      git clone /srv/git/study.git study && cd study && margin git-setup
    """
    from store.team import driver, git
    from store.project import find_project

    folder = find_project(settings(ctx).project_dir)
    if not git.available():
        raise BadInput("git is not installed; install it (apt install git) and run `margin git-setup` again")
    if not git.is_clone(folder):
        raise BadInput(f"{folder} is not the top of a git clone; run `git init` there or clone the team's repository")
    for line in driver.setup(folder):
        click.echo(safe(line))


@click.command("merge-file", hidden=True)
@click.argument("ancestor", type=click.Path(path_type=Path))
@click.argument("ours", type=click.Path(path_type=Path))
@click.argument("theirs", type=click.Path(path_type=Path))
@click.argument("name", required=False, default="")
def merge_file(ancestor, ours, theirs, name):
    """Git's merge driver for Margin files (installed by `margin git-setup`): %O %A %B %P."""
    from store.team.driver import merge_file as run

    status = run(ancestor, ours, theirs, name, Path.cwd())
    if status:
        click.echo(f"Error: {error_line(f'{name or ours} is not a Margin project file')}; merge it by hand or `margin restore`", err=True)
    raise SystemExit(status)


def register(cli: click.Group) -> None:
    cli.add_command(agreement)
    cli.add_command(merge_)
    cli.add_command(conflicts)
    cli.add_command(sync_)
    cli.add_command(git_setup)
    cli.add_command(merge_file)
