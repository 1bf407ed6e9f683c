"""Command-line declarations only: each command calls a function that returns an exit code.

Commands import what they need when they run, so that ``ray-gitops validate``
in a pre-commit hook costs little more than starting Python.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from generator.commands.output import emit_report
from generator.diagnostics import Result
from generator.errors import Exit, InvalidInput, RayGitopsError
from generator.kuberay.kinds import SPEC_NAMES
from generator.kuberay.releases import LATEST, RELEASES
from generator.report import formats

# each command's formats are those its reporter table has (report/formats.py)
FORMATS = click.Choice(formats.DIAGNOSTICS)


def common(fn: Callable[..., int]) -> Callable[..., None]:
    """--format, --quiet, --debug, and one place that turns outcomes into exit codes."""

    @click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
                  help="How to print findings.")
    @click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
    @click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
    @wraps(fn)
    def wrapper(*args: Any, debug: bool, **kwargs: Any) -> None:
        sys.exit(guarded(fn, debug, *args, **kwargs))

    return wrapper


def guarded(fn: Callable[..., int], debug: bool, *args: Any, **kwargs: Any) -> int:
    """The one place that turns an outcome into an exit code."""
    try:
        return int(fn(*args, **kwargs))
    except InvalidInput as exc:
        emit_report(Result(exc.diagnostics), kwargs.get("fmt", "text"))
        return exc.exit
    except RayGitopsError as exc:
        click.echo(f"ray-gitops: {exc}", err=True)
        return exc.exit
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the one place that catches everything
        if debug:
            traceback.print_exc()
        else:
            click.echo(f"ray-gitops: internal error: {type(exc).__name__}: {exc} "
                       "(run with --debug for the traceback)", err=True)
        return Exit.ERROR


ROOT = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
                    help="Repository root (default: the nearest folder with ray-gitops.yaml).")
STRICT = click.option("--strict", is_flag=True, help="Policy warnings become errors.")
JOBS = click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                    help="Processes to check and render in when many spec files need it "
                         "(default: one per core).")
NO_CACHE = click.option("--no-cache", is_flag=True,
                        help="Check every spec file again, ignoring .ray-gitops/ (also: "
                             "RAY_GITOPS_NO_CACHE=1).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ray-gitops")
def main() -> None:
    """Ray on Kubernetes, declared in git: validate specs, render KubeRay manifests."""


@main.command()
@ROOT
@STRICT
@NO_CACHE
@JOBS
@common
def render(root: Path | None, fmt: str, quiet: bool, strict: bool, no_cache: bool,
           jobs: int | None) -> int:
    """Compile specs/ into rendered/ (writes nothing unless everything is valid)."""
    from generator.commands import render as command

    return command.run(root, fmt, quiet, strict, not no_cache, jobs)


@main.command()
@ROOT
@STRICT
@NO_CACHE
@JOBS
@common
def check(root: Path | None, fmt: str, quiet: bool, strict: bool, no_cache: bool,
           jobs: int | None) -> int:
    """Exit 1, with a diff, when rendered/ is not what specs/ produce."""
    from generator.commands import check as command

    return command.run(root, fmt, quiet, strict, not no_cache, jobs)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@ROOT
@STRICT
@click.option("--skip-overlays", is_flag=True,
              help="Do not build the overlays (no kustomize needed).")
@click.option("--kuberay-version", default=None, metavar="VERSION",
              help=f"The operator release to validate for: {', '.join(RELEASES)} (default: "
                   f"kuberayVersion in ray-gitops.yaml, else {LATEST}).")
@click.option("--feature-gates", default=None, metavar="Name=true,...",
              help="The operator's feature gates, in its own flag syntax (over featureGates "
                   "in ray-gitops.yaml and the release's defaults).")
@NO_CACHE
@common
def validate(paths: tuple[Path, ...], root: Path | None, fmt: str, quiet: bool,
             strict: bool, skip_overlays: bool, kuberay_version: str | None,
             feature_gates: str | None, no_cache: bool) -> int:
    """Validate specs and overlays (all by default), or the given spec files, overlay
    folders, rendered manifests and plain KubeRay manifests."""
    from generator.commands import validate as command

    return command.run(paths, root, fmt, quiet, strict, skip_overlays, kuberay_version,
                       feature_gates, not no_cache)


@main.command()
@click.option("--base", default="HEAD", show_default=True, help="The git revision to compare with.")
@click.option("--env", default=None, help="Compare what overlays/ENV builds (with kustomize).")
@click.option("--each-env", is_flag=True,
              help="The bases, then what each overlay builds: one report (a pull-request comment).")
@click.option("--format", "fmt", type=click.Choice(formats.CHANGES),
              default="text", show_default=True, help="markdown is ready for a pull-request comment.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the capacity chart (before, after, peak) as an SVG image.")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@ROOT
def diff(base: str, env: str | None, each_env: bool, fmt: str, quiet: bool, chart: Path | None,
         debug: bool, root: Path | None) -> None:
    """Per object: what changed against BASE, what KubeRay will do with it, and the
    capacity the pods request before, after and at the peak of the rollout."""
    from generator.commands import diff as command

    sys.exit(guarded(command.run, debug, root, base, fmt, quiet, env, each_env, chart))


@main.command()
@click.option("--env", default=None, help="What overlays/ENV builds (with kustomize), not the bases.")
@click.option("--format", "fmt", type=click.Choice(formats.CAPACITY), default="text",
              show_default=True, help="How to print the report.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
@ROOT
def capacity(env: str | None, fmt: str, quiet: bool, debug: bool, root: Path | None) -> None:
    """CPU, memory and GPUs the pods request: per object and in total, at minReplicas, at
    maxReplicas and at the peak of a RayService upgrade."""
    from generator.commands import capacity as command

    sys.exit(guarded(command.run, debug, root, fmt, quiet, env))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pr", type=int, required=True, help="The pull request's number.")
@click.option("--repository", default=None, help="owner/name (default: $GITHUB_REPOSITORY).")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def comment(file: Path, pr: int, repository: str | None, debug: bool) -> None:
    """Post FILE as the pull request's ray-gitops comment, or update the earlier one
    (GITHUB_TOKEN, GITHUB_API_URL; the GitHub Action runs it)."""
    from generator.commands import comment as command

    sys.exit(guarded(command.run, debug, file, pr, repository))


@main.command()
@click.argument("folder", type=click.Path(file_okay=True, path_type=Path))
@click.option("--install", default=None,
              help="What the CI workflow pip-installs (default: ray-gitops==<this version>).")
@click.option("--action", default=None,
              help="The GitHub Action the workflow uses (default: ray-gitops/ray-gitops@v<version>).")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def init(folder: Path, install: str | None, action: str | None, quiet: bool, debug: bool) -> None:
    """Scaffold a GitOps repository in FOLDER (new or empty): settings, an example spec,
    dev and prod overlays, pre-commit hooks and a CI workflow."""
    from generator.commands import init as command

    sys.exit(guarded(command.run, debug, folder, quiet, install, action))


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the specs to this new file (default: standard output).")
@click.option("--quiet", "-q", is_flag=True, help="No notes on what could not be carried over.")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def import_(files: tuple[Path, ...], output: Path | None, quiet: bool, debug: bool) -> None:
    """Turn KubeRay manifests (ray.io/v1), KubeRay APIServer JSON payloads and legacy
    cluster.ray.io/v1 RayClusters into spec documents."""
    from generator.commands import import_ as command

    sys.exit(guarded(command.run, debug, files, output, quiet))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@ROOT
@click.option("--kuberay-version", "kuberay", required=True,
              help=f"The operator release to move to ({', '.join(RELEASES)}).")
@click.option("--ray-version", "ray", default=None,
              help="The Ray release to move to (rayVersion, Ray image tags, Serve's names).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when something would change.")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def migrate(paths: tuple[Path, ...], root: Path | None, kuberay: str, ray: str | None,
            check: bool, debug: bool) -> None:
    """Move specs, ray-gitops.yaml and KubeRay manifests (PATHS; default: the specs) to
    another KubeRay release (and Ray): print a diff, rewrite, and say what will behave
    differently."""
    from generator.commands import migrate as command

    sys.exit(guarded(command.run, debug, paths, root, kuberay, ray, check))


@main.command()
@click.option("--kind", type=click.Choice(SPEC_NAMES), default=None, help="One spec kind only.")
@click.option("--debug", is_flag=True, help="Show a traceback on internal errors.")
def schema(kind: str | None, debug: bool) -> None:
    """Print the spec JSON Schema (draft 7, for editors)."""
    from generator.commands import schema as command

    sys.exit(guarded(command.run, debug, kind))
