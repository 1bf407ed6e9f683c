"""A Serve config as the Serve of the cluster's Ray reads it."""

from __future__ import annotations

import copy
from typing import Any

from generator.rules.serve import check_serve_config, releases

BASE: dict[str, Any] = {"applications": [{"name": "app", "import_path": "pkg.mod:app",
                                          "deployments": [{"name": "D", "num_replicas": 1}]}]}


def with_deployment(**fields: Any) -> dict[str, Any]:
    config = copy.deepcopy(BASE)
    config["applications"][0]["deployments"][0].update(fields)
    return config


def test_every_targeted_ray_has_its_schema() -> None:
    found = releases()
    assert found[0] == "2.9" and found[-1] == "2.60" and len(found) > 5
    assert [tuple(map(int, r.split("."))) for r in found] == sorted(
        tuple(map(int, r.split("."))) for r in found)


def test_a_field_an_older_ray_has_is_no_error_on_that_ray() -> None:
    """max_concurrent_queries: Ray 2.22 takes it (deprecated, renamed); Ray 2.52 ignores it.
    Either way a warning that names the new field, never an error."""
    config = with_deployment(max_concurrent_queries=5)
    old = check_serve_config(config, (2, 22, 0))
    assert [(f.severity, "use max_ongoing_requests" in f.message) for f in old] == [
        ("warning", True)]
    new = check_serve_config(config, (2, 52, 0))
    assert [f.severity for f in new] == ["warning"]
    assert "ignores it" in new[0].message and new[0].hint == "Serve renamed it max_ongoing_requests"


def test_unknown_keys_are_warnings_and_wrong_values_errors() -> None:
    typo = check_serve_config(with_deployment(num_replica=2), (2, 52, 0))
    assert [f.severity for f in typo] == ["warning"] and "num_replicas" in (typo[0].hint or "")
    wrong = check_serve_config(with_deployment(num_replicas="many"), (2, 52, 0))
    assert [f.severity for f in wrong] == ["error"]
    actor = check_serve_config(with_deployment(ray_actor_options={"num_cpu": 1}), (2, 52, 0))
    assert [f.severity for f in actor] == ["warning"]


def test_a_ray_older_than_the_oldest_schema_gets_the_oldest() -> None:
    assert check_serve_config(BASE, (2, 5, 0)) == []
    assert check_serve_config(BASE, None) == []
