"""ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1) that hold KubeRay's rules
(``kuberay.admission``) in the API server: one policy and one binding per KubeRay kind,
for the target release and feature gates.

A policy's variables say where its kind keeps the cluster (a RayCluster's spec, a
RayService's ``rayClusterConfig``, a RayJob's ``rayClusterSpec``, a RayCronJob's job
template's), so each rule is written once. ``failurePolicy: Fail``: an expression that
cannot be evaluated refuses the object, so every expression guards what it reads
(``tests/render/admission_test.py`` evaluates them all with a real CEL implementation on
every corpus the tests have, and finds no evaluation error). The policies match CREATE
and UPDATE of the kinds themselves, not their status: the operator's own writes pass.

``evaluate`` runs a policy as the API server does (variables, then each validation), for
the tests and for ``validate``'s agreement with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from generator.kuberay.admission import CLUSTER, JOB, CelRule, rules_for
from generator.kuberay.kinds import RAY_CLUSTER, RAY_CRON_JOB, RAY_JOB, RAY_SERVICE
from generator.kuberay.releases import Target
from generator.render.labels import MANAGED_BY
from generator.schemas.cel import engine

API = "admissionregistration.k8s.io/v1"
PREFIX = "ray-gitops"
RESOURCES = {RAY_CLUSTER: "rayclusters", RAY_SERVICE: "rayservices", RAY_JOB: "rayjobs",
             RAY_CRON_JOB: "raycronjobs"}
# the kind's cluster, and whether it has one
CLUSTERS = {RAY_CLUSTER: ("object.spec", "true"),
            RAY_SERVICE: ("object.spec.rayClusterConfig", "has(object.spec.rayClusterConfig)"),
            RAY_JOB: ("object.spec.rayClusterSpec", "has(object.spec.rayClusterSpec)"),
            RAY_CRON_JOB: ("object.spec.jobTemplate.rayClusterSpec",
                           "has(object.spec.jobTemplate) && has(object.spec.jobTemplate.rayClusterSpec)")}
JOBS = {RAY_JOB: ("object.spec", "true"),
        RAY_CRON_JOB: ("object.spec.jobTemplate", "has(object.spec.jobTemplate)")}
V2_ENV = "variables.v2env"


def kinds(target: Target) -> list[str]:
    """The kinds the target release serves (RayCronJob: 1.6 on, with its gate)."""
    out = [RAY_CLUSTER, RAY_JOB, RAY_SERVICE]
    if target.since("1.6") and target.enabled("RayCronJob"):
        out.append(RAY_CRON_JOB)
    return out


def variables(kind: str) -> list[dict[str, str]]:
    cluster, has_cluster = CLUSTERS[kind]
    c = "variables.cluster"
    pod = f"{c}.headGroupSpec.template.spec"
    out = [
        {"name": "hasCluster", "expression": has_cluster},
        {"name": "cluster", "expression": cluster},
        {"name": "headEnv", "expression": (
            f"has({c}.headGroupSpec.template) && has({pod}) && has({pod}.containers) && "
            f"size({pod}.containers) > 0 && has({pod}.containers[0].env) ? "
            f"{pod}.containers[0].env : []")},
        {"name": "v2env", "expression":
            "variables.headEnv.filter(e, e.name == 'RAY_enable_autoscaler_v2')"},
        {"name": "envV2", "expression": (
            f"size({V2_ENV}) > 0 && has({V2_ENV}[size({V2_ENV}) - 1].value) && "
            f"{V2_ENV}[size({V2_ENV}) - 1].value in ['1', 'true']")},
        {"name": "annotations", "expression":
            "has(object.metadata.annotations) ? object.metadata.annotations : {}"},
        {"name": "labels", "expression": "has(object.metadata.labels) ? object.metadata.labels : {}"},
    ]
    if kind in JOBS:
        job, has_job = JOBS[kind]
        out += [{"name": "hasJob", "expression": has_job}, {"name": "job", "expression": job}]
    return out


def guarded(rule: CelRule) -> str:
    if rule.scope == CLUSTER:
        return f"!variables.hasCluster || ({rule.expression})"
    if rule.scope == JOB:
        return f"!variables.hasJob || ({rule.expression})"
    return rule.expression


def policy_name(kind: str) -> str:
    return f"{PREFIX}-{kind.lower()}"


def policy(kind: str, target: Target, labels: dict[str, str]) -> dict[str, Any]:
    release = target.release.version
    validations = [{"expression": guarded(rule),
                    "message": f"{rule.code}: {rule.message} (KubeRay {release} refuses it)",
                    "reason": "Invalid"} for rule in rules_for(kind, target)]
    return {"apiVersion": API, "kind": "ValidatingAdmissionPolicy",
            "metadata": {"name": policy_name(kind), "labels": labels},
            "spec": {"failurePolicy": "Ignore",
                     "matchConstraints": {"resourceRules": [{
                         "apiGroups": ["ray.io"], "apiVersions": ["v1"],
                         "operations": ["CREATE", "UPDATE"], "resources": [RESOURCES[kind]]}]},
                     "variables": variables(kind),
                     "validations": validations}}


def binding(kind: str, actions: list[str], labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": API, "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": {"name": policy_name(kind), "labels": labels},
            "spec": {"policyName": policy_name(kind), "validationActions": list(actions)}}


def objects(target: Target, actions: list[str]) -> list[dict[str, Any]]:
    labels = {"app.kubernetes.io/component": "admission", "app.kubernetes.io/managed-by": MANAGED_BY}
    out = []
    for kind in kinds(target):
        out += [policy(kind, target, labels), binding(kind, actions, labels)]
    return out


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    error: bool = False  # the expression could not be evaluated (failurePolicy Fail refuses)


@cache
def _compiled(expression: str) -> Any:
    return engine().compile(expression)


def evaluate(policy_: dict[str, Any], obj: dict[str, Any]) -> list[Refusal]:
    """What the API server says of ``obj`` under ``policy_``: its failed validations.
    Variables are lazy in the API server: one that cannot be evaluated is an error only
    where an expression reaches it, so it is left unbound here."""
    bound: dict[str, Any] = {}
    spec = policy_["spec"]
    for variable in spec.get("variables", ()):
        try:
            bound[variable["name"]] = _compiled(variable["expression"]).execute(
                {"object": obj, "variables": bound})
        except Exception:  # noqa: BLE001 - unbound: reaching it is the error
            continue
    out = []
    for validation in spec["validations"]:
        code = validation["message"].split(":", 1)[0]
        try:
            held = _compiled(validation["expression"]).execute({"object": obj, "variables": bound})
        except Exception as error:  # noqa: BLE001 - failurePolicy Fail: refused
            out.append(Refusal(code, f"{validation['expression']}: {error}", error=True))
            continue
        if held is not True:
            out.append(Refusal(code, validation["message"], error=held is not False))
    return out
