"""`validate PATH ...`: folders of each kind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result

from generator.kuberay.releases import LATEST, RELEASES
from tests.helpers import ROOT, SHARED

Cli = Callable[..., Result]


def test_validate_folders_of_each_kind(cli: Cli) -> None:
    rendered = cli("validate", "--no-cache", "--root", ROOT, ROOT / "rendered")
    assert rendered.exit_code == 0, rendered.output
    assert "file(s)" in rendered.output and "overlay" not in rendered.output
    overlays = cli("validate", "--no-cache", "--root", ROOT, ROOT / "overlays")
    assert overlays.exit_code == 0, overlays.output
    assert "0 file(s) and 2 overlay(s)" in overlays.output


RELEASE_SAMPLES = SHARED / "kuberay" / "releases"


@pytest.mark.skipif(not RELEASE_SAMPLES.is_dir(), reason="KubeRay's samples are in ../shared "
                    "(kuberay/releases/<tag>/samples), which is not beside this clone")
@pytest.mark.parametrize("version", list(RELEASES))
def test_kuberays_own_samples(cli: Cli, version: str) -> None:
    """Every sample of each release validates at its own release, with the gates it needs
    (its samples exercise every gated feature: all of the release's gates on)."""
    release = RELEASES[version]
    samples = RELEASE_SAMPLES / release.tag / "samples"
    count = len(list(samples.glob("*.yaml")))
    assert count > 50, f"{samples}: {count} samples"
    gates = ",".join(f"{gate}=true" for gate in release.gates)
    found = cli("validate", "--root", samples, "--kuberay-version", version,
                "--feature-gates", gates, samples)
    assert found.exit_code == 0, found.output
    assert f"ok: {count} file(s)" in found.output


@pytest.mark.skipif(not RELEASE_SAMPLES.is_dir(), reason="KubeRay's samples are in ../shared, "
                    "which is not beside this clone")
def test_newer_samples_at_an_older_release_name_what_it_lacks(cli: Cli) -> None:
    """v1.7.0's samples at 1.5: the fields 1.5 lacks are named, with the release that added
    them, and its gates off refuse what they guard."""
    samples = RELEASE_SAMPLES / RELEASES[LATEST].tag / "samples"
    at_15 = cli("validate", "--root", samples, "--kuberay-version", "1.5", samples)
    assert at_15.exit_code == 1
    assert "'upgradeStrategy' is not in KubeRay 1.5" in at_15.output or "RG038" in at_15.output
    assert "RayCronJob is not served by KubeRay 1.5 (added in 1.6)" in at_15.output
