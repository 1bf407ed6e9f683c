"""The autoscaler's reading of a group, at each Ray release where it changed.

The releases come from Ray's ``autoscaling_config.py`` of every minor release from 2.9 to
2.60 (their wheels compared; it changed in 2.32, 2.40, 2.41, 2.42, 2.43, 2.45, 2.48, 2.50,
2.51, 2.57 and 2.59, of which these change what a group is read as). The tests in
``tests/ray`` compare the whole reading with Ray's own on the oldest and newest.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from generator.capacity.autoscaler import Unreadable, parse_quantity, view


def group(limits: dict[str, str] | None = None, requests: dict[str, str] | None = None,
          **extra: Any) -> dict[str, Any]:
    resources = {k: v for k, v in (("limits", limits), ("requests", requests)) if v}
    return {"rayStartParams": {}, "template": {"spec": {"containers": [
        {"name": "ray-worker", "resources": resources}]}}, **extra}


def test_requests_are_read_from_2_41():
    requests_only = group(requests={"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": "1"})
    with pytest.raises(Unreadable, match="no CPU count"):
        view(requests_only, (2, 40, 0))
    assert view(requests_only, (2, 41, 0)) == {"CPU": 2, "GPU": 1, "memory": 4 * 2**30}


def test_the_group_resources_field_is_read_from_2_51_with_case():
    written = group({"cpu": "1"}, resources={"CPU": "4", "cpu": "8", "accelerator_type:L4": "1"})
    assert view(written, (2, 50)) == {"CPU": 1}
    assert view(written, (2, 51)) == {"CPU": 4, "cpu": 8, "accelerator_type:L4": 1}
    with_params = group({"cpu": "1"}, resources={"b": "2"}, rayStartParams={"resources": "'{\"a\": 1}'"})
    assert view(with_params, (2, 60)) == {"CPU": 1, "b": 2}  # the params' map is dropped


def test_tpus_from_2_32_and_their_selectors_until_2_48():
    tpu = group({"cpu": "8", "google.com/tpu": "4"})
    assert view(tpu, (2, 31)) == {"CPU": 8}
    with pytest.raises(Unreadable, match="node selectors"):
        view(tpu, (2, 47))
    assert view(tpu, (2, 48)) == {"CPU": 8, "TPU": 4}


def test_rayStartParams_may_be_absent_from_2_45():
    bare = group({"cpu": "1"})
    del bare["rayStartParams"]
    with pytest.raises(Unreadable, match="no rayStartParams"):
        view(bare, (2, 44))
    assert view(bare, (2, 45)) == {"CPU": 1}


def test_what_only_the_operator_counts():
    mig = group({"cpu": "8", "nvidia.com/mig-1g.5gb": "1", "aws.amazon.com/neuron": "1"})
    assert view(mig, None) == {"CPU": 8}  # no GPU, no Neuron cores


@pytest.mark.parametrize(("text", "value"), [
    ("500m", Decimal("0.5")), ("1Gi", Decimal(2**30)), ("1k", Decimal(1000)),
    ("1K", Decimal(1000)), ("3mi", Decimal(3) / 1024), ("1e3", Decimal(1000)), (2, Decimal(2)),
])
def test_ray_reads_quantities_its_own_way(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["1ki", "abc", "1Qi", ""])
def test_quantities_ray_refuses(text):
    with pytest.raises(Unreadable):
        parse_quantity(text)
