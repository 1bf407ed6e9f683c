"""KubeRay's vocabulary read as the operator's Go reads it."""

from __future__ import annotations

import pytest

from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import parse_generic
from generator.rules import check_object


# apimachinery's util/version ParseGeneric: two or more numeric fields, the first without a
# leading zero, then anything; whitespace around and a leading "v" are allowed
@pytest.mark.parametrize(("text", "parsed"), [
    ("2.52.0", (2, 52)), ("v2.52", (2, 52)), (" 2.52.0 ", (2, 52)), ("2.52.0-rc.1", (2, 52)),
    ("2.52.0+build", (2, 52)), ("2.52.0abc", (2, 52)), ("2.52.0.1", (2, 52, 0, 1)),
    ("0.1", (0, 1)), ("1.02.3", (1, 2, 3)), ("2.56.0", (2, 56)),
    ("02.52.0", None), ("2", None), ("v", None), ("", None), ("x2.52.0", None),
    ("2.52.0\nmore", None), ("1.18446744073709551616", None), (2.52, None),
])
def test_parse_generic_as_apimachinery(text: object, parsed: tuple[int, ...] | None) -> None:
    assert parse_generic(text) == parsed


def cluster(ray_version: str) -> dict[str, object]:
    return {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "c"},
            "spec": {"rayVersion": ray_version, "authOptions": {"mode": "token"},
                     "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {
                         "containers": [{"name": "ray-head", "image": "rayproject/ray:2.52.0"}]}}}}}


@pytest.mark.parametrize(("ray_version", "refused"), [
    ("2.52.0", False), ("v2.52", False), ("2.52", False), ("2.52.0-rc1", False),
    ("02.52.0", True), ("2.51.9", True), ("2", True),
])
def test_token_auth_reads_ray_version_as_the_operator_does(ray_version: str, refused: bool) -> None:
    codes = {f.code for f in check_object(cluster(ray_version), Target.of("1.7"))}
    assert ("RG031" in codes) is refused, codes


@pytest.mark.parametrize("text", ["1e999999999", "9e18Ei", "1e19"])
def test_an_amount_past_int64_is_no_amount(text: str) -> None:
    """1e999999999 overflowed the decimal arithmetic (an internal error): a ValueError."""
    from generator.kuberay.vocabulary import quantity_value

    with pytest.raises(ValueError):
        quantity_value(text)
    assert quantity_value("4Gi") == 4 * 2**30


def test_a_node_pool_past_int64_is_refused(cli: object, tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "specs").mkdir()
    (root / "ray-gitops.yaml").write_text('nodePools:\n  general: {cpu: "1e999999999", '
                                          'memory: 64Gi, maxNodes: 3}\n')
    result = cli("validate", "--no-cache", "--root", root)  # type: ignore[operator]
    assert result.exit_code == 1 and "error RG013" in result.output, result.output
    assert "more than a node can have" in result.output
