"""The admission policies agree with `validate`: every generated expression evaluated by a
real CEL implementation (cel-interpreter) on every corpus the tests have, for each KubeRay
release and its gates; for every object, the rule codes the policies refuse are exactly
the error codes `validate` gives among the rules they cover, and no expression fails to
evaluate (failurePolicy Fail would refuse the object)."""

from __future__ import annotations

import copy
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.kuberay.admission import NOT_COVERED, rules_for
from generator.kuberay.releases import Target
from generator.render.admission import evaluate, kinds, objects
from generator.rules import check_object
from generator.schemas.outputs import OutputSchemas
from tests.helpers import SHARED
from tests.rules import releases_test, workloads_test

RELEASES = {"1.5": "v1.5.2", "1.6": "v1.6.2", "1.7": "v1.7.0"}
GATES: list[dict[str, bool]] = [{}, {"RayJobDeletionPolicy": True}, {"RayCronJob": True},
                              {"RayServiceIncrementalUpgrade": True}]
REAL = Path(__file__).parents[1] / "corpus" / "real"


def targets() -> Iterator[Target]:
    for release in RELEASES:
        for gates in GATES:
            target = Target.of(release, gates) if all(
                g in Target.of(release).release.gates for g in gates) else None
            if target is not None:
                yield target


def policies(target: Target) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"].rsplit("-", 1)[-1]: o for o in objects(target, ["Deny"])
            if o["kind"] == "ValidatingAdmissionPolicy"}


def _documents(path: Path) -> Iterator[dict[str, Any]]:
    try:
        found = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, UnicodeDecodeError):
        return
    for document in found:
        if isinstance(document, dict) and str(document.get("apiVersion", "")).startswith("ray.io/v1"):
            yield document


def corpus(release: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(SHARED.glob(f"kuberay/releases/{RELEASES[release]}/samples/**/*.yaml")):
        out += [(f"sample {path.name}", d) for d in _documents(path)]
    for path in sorted(REAL.glob("*.yaml")):
        out += [(f"real {path.name}", d) for d in _documents(path)]
    return out


def cases() -> list[tuple[str, str, dict[str, bool], Callable[[], Any], Callable[[Any], Any]]]:
    """Each rule's breaking case (and, for workloads, its near miss), from the rule tests."""
    out = [(code, release, gates, make, breaks)
           for code, releases, gates, make, breaks, _ in releases_test.ERRORS + releases_test.WARNINGS
           for release in releases]
    for code, (make, breaks, near) in workloads_test.CASES.items():
        out += [(code, "1.7", {}, make, breaks), (code, "1.7", {}, make, near)]
    return out


def admitted(obj: dict[str, Any], target: Target) -> dict[str, Any] | None:
    """The object as the policies see it: after the API server's schema validation (an
    object the schema refuses never reaches them), defaults applied."""
    schemas = OutputSchemas("1.30", target)
    if schemas.validate(obj, prepare=True):
        return None
    return schemas.prepared(obj)


def disagreement(raw: dict[str, Any], target: Target) -> tuple[set[str], set[str], list[str]] | None:
    kind = str(raw.get("kind"))
    found = policies(target).get(kind.lower())
    obj = admitted(raw, target)
    if found is None or obj is None:
        return None
    covered = {rule.code for rule in rules_for(kind, target)}
    ours = {f.code for f in check_object(obj, target) if f.severity == "error" and f.code in covered}
    refused = evaluate(found, obj)
    errors = [r.message for r in refused if r.error]
    theirs = {r.code for r in refused}
    if ours != theirs or errors:
        return ours, theirs, errors
    return None


@pytest.mark.parametrize("target", list(targets()), ids=lambda t: f"{t.release.version}-"
                         + "-".join(k for k, v in t.gates if v))
def test_the_policies_agree_with_validate_on_the_corpora(target: Target) -> None:
    found = corpus(target.release.version)
    wrong = [(name, d) for name, obj in found if (d := disagreement(obj, target))]
    assert not wrong, wrong[:5]
    assert found  # the real corpus is in the repository; the samples beside it


@pytest.mark.parametrize(("code", "release", "gates", "make", "breaks"), cases(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_the_policies_agree_with_validate_on_each_rules_breaking_case(code, release, gates,
                                                                      make, breaks) -> None:
    obj = copy.deepcopy(make())
    breaks(obj)
    target = Target.of(release, gates)
    assert disagreement(obj, target) is None, disagreement(obj, target)


def test_the_policies_refuse_what_they_cover():
    """Not vacuous: most breaking cases of covered rules are refused by the policies."""
    refused = set()
    for code, release, gates, make, breaks in cases():
        obj = copy.deepcopy(make())
        breaks(obj)
        target = Target.of(release, gates)
        found = policies(target).get(str(obj["kind"]).lower())
        if found and any(r.code == code for r in evaluate(found, obj)):
            refused.add(code)
    covered = {r.code for target in targets() for kind in kinds(target)
               for r in rules_for(kind, target)}
    assert refused == covered, sorted(covered - refused)  # every covered rule is exercised
    assert not covered & set(NOT_COVERED)


def rewalks(text: str) -> list[str]:
    """Comprehensions (all, exists, exists_one, filter, map) nested inside another one that
    walk anything but a part of the outer one's element: those revisit a list per element
    (quadratic). ``g.labels.all(...)`` inside ``groups.all(g, ...)`` visits each label once."""
    text = re.sub(r"'(?:[^'\\]|\\.)*'", "''", text)  # regexes in strings hold parentheses
    out, stack = [], []  # (iteration variable, or None for a plain parenthesis)
    for token in re.finditer(r"([\w.\[\]]*)\.(?:all|exists|exists_one|filter|map)\((\w+),|\(|\)",
                             text):
        if token.group(0) == ")":
            stack.pop()
            continue
        variable = token.group(2)
        if variable:
            outer = [v for v in stack if v]
            if outer and not token.group(1).startswith(f"{outer[-1]}."):
                out.append(token.group(0))
        stack.append(variable)
    return out


def test_every_expression_walks_each_list_element_once():
    """The cost bound: a comprehension inside another walks only a part of the outer one's
    element (a group's labels), never a list again per element, so each expression visits
    each element of the object a bounded number of times and its cost is linear in the
    object's size."""
    assert rewalks("a.all(g, g.b.exists(e, (e == 'x(')))") == []
    assert rewalks("a.all(g, a.exists(h, h == g))") == ["a.exists(h,"]
    for target in targets():
        for policy in policies(target).values():
            for text in [v["expression"] for v in policy["spec"]["validations"]] + [
                    v["expression"] for v in policy["spec"]["variables"]]:
                assert rewalks(text) == [], text


def test_the_policies_are_valid_kubernetes_objects():
    import kubernetes_validate

    for target in targets():
        for obj in objects(target, ["Deny", "Audit"]):
            kubernetes_validate.validate(obj, "1.30", strict=True)


# --- rendering, settings and delivery ------------------------------------------------------

ROOT = Path(__file__).parents[2]


def load(path: Path) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return found


def test_this_repository_renders_its_policies_and_applies_them_first():
    """ray-gitops.yaml turns admission on (Deny), dev only warns and audits: the policies of
    each environment render into their folder, and delivery applies them before it."""
    prod = load(ROOT / "rendered/admission/validatingadmissionpolicybinding-ray-gitops-rayjob.yaml")
    dev = load(ROOT / "rendered/admission-dev/validatingadmissionpolicybinding-ray-gitops-rayjob.yaml")
    assert prod["spec"]["validationActions"] == ["Deny"]
    assert dev["spec"]["validationActions"] == ["Warn", "Audit"]
    flux = load(ROOT / "rendered/flux/kustomization-ray-dev.yaml")
    assert flux["spec"]["dependsOn"] == [{"name": "ray-admission-dev"}]
    guard = load(ROOT / "rendered/flux/kustomization-ray-admission-dev.yaml")
    assert guard["spec"]["path"] == "./rendered/admission-dev" and guard["spec"]["wait"] is True
    argo = load(ROOT / "rendered/argocd/application-ray-admission-prod.yaml")
    assert argo["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-1"
    assert argo["spec"]["source"]["path"] == "rendered/admission"
    assert "argocd.argoproj.io/sync-wave" not in load(
        ROOT / "rendered/argocd/application-ray-prod.yaml")["metadata"].get("annotations", {})


def test_an_application_is_as_healthy_as_argo_cd_says():
    """Waves of Applications wait on the Application health that argocd-cm now defines."""
    import lupa.lua51 as lua51

    from generator.render.health import APPLICATION_LUA

    cm = load(ROOT / "rendered/argocd/configmap-argocd-cm.yaml")
    assert cm["data"]["resource.customizations.health.argoproj.io_Application"] == APPLICATION_LUA
    runtime = lua51.LuaRuntime(unpack_returned_tuples=True)
    check = runtime.eval(f"function(obj) {APPLICATION_LUA} end")

    def status(app: dict[str, Any]) -> str:
        return str(check(runtime.table_from(app, recursive=True))["status"])

    assert status({"status": {"health": {"status": "Healthy"}}}) == "Healthy"
    assert status({"status": {"health": {"status": "Degraded", "message": "x"}}}) == "Degraded"
    assert status({}) == "Progressing"


@pytest.mark.parametrize(("config", "message"), [
    ("kubernetesVersion: \"1.29\"\nadmission: {}\n", "needs Kubernetes 1.30"),
    ("admission:\n  validationActions: [Deny, Warn]\n", "not both Deny and Warn"),
    ("admission:\n  validationActions: [Audit, Audit]\n", "each at most once"),
    ("environments:\n  dev:\n    admission:\n      validationActions: [Block]\n", "validationActions"),
])
def test_admission_settings_the_api_server_would_refuse(config, message, make_repo, cli):
    repo = make_repo({}, config=config)
    result = cli("render", "--root", repo)
    assert result.exit_code == 1 and message in result.output, result.output
    assert "ray-gitops.yaml:" in result.output


def test_policies_follow_the_release_and_its_gates(make_repo, cli):
    """1.5 has no RayCronJob and no 1.6 rules; a gate on changes what RG028 says."""
    repo = make_repo({}, config="kuberayVersion: \"1.5\"\nadmission: {}\n")
    assert cli("render", "--root", repo).exit_code == 0
    found = sorted(p.name for p in (repo / "rendered" / "admission").glob("*.yaml"))
    assert "validatingadmissionpolicy-ray-gitops-raycronjob.yaml" not in found
    text = (repo / "rendered/admission/validatingadmissionpolicy-ray-gitops-raycluster.yaml").read_text()
    assert "RG047" not in text and "RG011" in text and "KubeRay 1.5 refuses it" in text
    assert subprocess.run(["kubectl", "kustomize", str(repo / "rendered" / "admission")],
                          capture_output=True, check=False).returncode == 0
    off = make_repo({}, config="admission: {enabled: false}\n")
    assert cli("render", "--root", off).exit_code == 0
    assert not (off / "rendered" / "admission").exists()


def test_the_readme_says_what_the_policies_cover_and_leave():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Admission policies"):text.index("### Ray versions")]
    said = set(re.findall(r"RG\d{3}", section[section.index("**What they check.**"):
                                              section.index("**Standard CEL only**")]))
    covered = {r.code for target in targets() for kind in kinds(target)
               for r in rules_for(kind, target)}
    assert said == covered
    for code, why in NOT_COVERED.items():
        assert f"- {code}: {why}" in section
