"""`validate PATH ...`: folders of each kind."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from tests.helpers import ROOT

Cli = Callable[..., Result]


def load(path: Path) -> dict[str, Any]:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert len(docs) == 1
    return docs[0]  # type: ignore[no-any-return]


def test_validate_folders_of_each_kind(cli: Cli) -> None:
    rendered = cli("validate", "--root", ROOT, ROOT / "rendered")
    assert rendered.exit_code == 0, rendered.output
    assert "file(s)" in rendered.output and "overlay" not in rendered.output
    overlays = cli("validate", "--root", ROOT, ROOT / "overlays")
    assert overlays.exit_code == 0, overlays.output
    assert "0 file(s) and 2 overlay(s)" in overlays.output


SAMPLES = Path(os.environ.get("KUBERAY_SAMPLES", ROOT.parent / "kuberay-samples"))
SAMPLE_GATES = ("RayCronJob=true,GCSFaultToleranceEmbeddedStorage=true,RayClusterHistoryServer=true,"
                "RayClusterMTLS=true,RayClusterNetworkPolicy=true")


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="KubeRay's ray-operator/config/samples are not "
                    "here: point KUBERAY_SAMPLES at a checkout's samples of v1.7.0")
def test_kuberays_own_samples(cli: Cli) -> None:
    """Every sample of KubeRay v1.7.0 validates at 1.7 with the gates it needs; at 1.5 the
    fields 1.5 lacks are named, with the release that added them."""
    at_17 = cli("validate", "--root", SAMPLES, "--feature-gates", SAMPLE_GATES, SAMPLES)
    assert at_17.exit_code == 0, at_17.output
    at_15 = cli("validate", "--root", SAMPLES, "--kuberay-version", "1.5", SAMPLES)
    assert at_15.exit_code == 1
    assert "'upgradeStrategy' is not in KubeRay 1.5" in at_15.output or "RG038" in at_15.output
    assert "RayCronJob is not served by KubeRay 1.5 (added in 1.6)" in at_15.output
