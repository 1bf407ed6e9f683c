"""KubeRay's rules as CEL, for ValidatingAdmissionPolicies: the operator's verdict given by
the API server itself, at ``kubectl apply`` and at sync time, with no webhook.

Each entry is one rule of ``validation.go`` (or of the webhook) that CEL can say, written
as an expression that is true when the object is accepted. The expressions use only
standard CEL (field selection, ``has``, ``in``, ``size``, ``all``/``exists``/``filter``,
``matches``), which every API server with ValidatingAdmissionPolicy v1 (Kubernetes 1.30)
evaluates. Where the cluster is, by kind, is a policy variable (``variables.cluster``), and
so are the head container's env and the object's annotations, so that the same
expression serves a RayCluster, a RayService, a RayJob and a RayCronJob.

Cost: a comprehension inside another walks only a part of the outer one's element (a
group's labels), never a list again per element (``tests/render/admission_test.py`` holds
every expression to it), so an expression visits each element of the object a bounded
number of times and its cost is linear in the object's size.

Rules that need more than CEL has here (Go duration parsing, YAML inside strings, version
comparisons, quadratic uniqueness checks, Ray's own rules) stay with ``validate``; the
README lists them (``NOT_COVERED``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

from generator.kuberay.kinds import KINDS, RAY_CLUSTER, RAY_CRON_JOB, RAY_JOB, RAY_SERVICE
from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import (
    AUTOSCALER_START_CMD_ENV,
    AUTOSCALER_V2_ENV,
    EXTERNAL_STORAGE_NAMESPACE,
    FT_ENABLED,
    INT32_MAX,
    LABEL_KEY,
    LABEL_VALUE,
    RAY_CLUSTER_LABEL,
    RAY_REDIS_ADDRESS,
    RAY_RESOURCE_PARAMS,
    REDIS_PASSWORD,
    REDIS_USERNAME,
)

CLUSTER, JOB, SERVICE, OBJECT = "cluster", "job", "service", "object"
# the codes the policies decide, and those they leave to `validate` (with why)
NOT_COVERED = {
    "RG031": "compares rayVersion as the operator parses versions",
    "RG032": "compares rayVersion as the operator parses versions",
    "RG034": "pod rules the API server applies when the operator creates the pods",
    "RG036": "the Ray container's image (the API server refuses the pod itself)",
    "RG039": "duplicate worker group names: a quadratic walk, over the cost budget",
    "RG057": "runtimeEnvYAML is YAML inside a string",
    "RG064": "deletion rules: duplicates and TTL order",
    "RG066": "a Go duration in an annotation",
    "RG067": "GCS fault tolerance backends (1.7)",
    "RG068": "network policy rules (1.7)",
    "RG069": "TLS options (1.7)",
    "RG079": "history server options (1.7)",
    "RG083": "cron schedules and IANA time zones",
}


@dataclass(frozen=True)
class CelRule:
    code: str
    scope: str  # CLUSTER, JOB (a RayJob's spec or a RayCronJob's jobTemplate), SERVICE, OBJECT
    expression: str  # true when the operator accepts the object
    message: str
    since: str = "1.5"
    kinds: tuple[str, ...] = ()  # OBJECT rules: the kinds they apply to


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _cases(word: str) -> str:
    """Every spelling of ``word`` in upper and lower case (strings.EqualFold in Go)."""
    spelled = {"".join(p) for p in product(*((c.lower(), c.upper()) for c in word))}
    return "[" + ", ".join(_quote(s) for s in sorted(spelled)) + "]"


C = "variables.cluster"
H = f"{C}.headGroupSpec"
ENV = "variables.headEnv"
ANN = "variables.annotations"
WORKERS = f"(has({C}.workerGroupSpecs) ? {C}.workerGroupSpecs : [])"
J = "variables.job"
S = "object.spec"


def _env(name: str) -> str:
    return f"{ENV}.exists(e, e.name == {_quote(name)})"


def _annotation(name: str) -> str:
    return f"({_quote(name)} in {ANN} ? {ANN}[{_quote(name)}] : '')"


def _param(group: str, name: str) -> str:
    """A rayStartParams entry that is set and not empty."""
    return (f"(has({group}.rayStartParams) && {_quote(name)} in {group}.rayStartParams && "
            f"{group}.rayStartParams[{_quote(name)}] != '')")


def _every_group(test: Callable[[str], str]) -> str:
    """``test`` on the head group and on every worker group."""
    return f"({test(H)}) && {WORKERS}.all(g, {test('g')})"


def _pod(group: str) -> str:
    return f"{group}.template.spec"


def _restart_never(group: str) -> str:
    pod = _pod(group)
    return (f"!(has({group}.template) && has({pod}) && has({pod}.restartPolicy)) || "
            f"{pod}.restartPolicy in ['', 'Never']")


def _containers(group: str) -> str:
    pod = _pod(group)
    return f"has({group}.template) && has({pod}) && has({pod}.containers) && size({pod}.containers) > 0"


AUTOSCALING = f"(has({C}.enableInTreeAutoscaling) && {C}.enableInTreeAutoscaling == true)"
OPTIONS_V2 = f"(has({C}.autoscalerOptions) && has({C}.autoscalerOptions.version) && " \
             f"{C}.autoscalerOptions.version == 'v2')"
ENV_V2 = "variables.envV2"
FT_OPTIONS = f"has({C}.gcsFaultToleranceOptions)"
SHUTDOWN = f"(has({J}.shutdownAfterJobFinishes) && {J}.shutdownAfterJobFinishes == true)"
SELECTOR = f"(has({J}.clusterSelector) && size({J}.clusterSelector) > 0)"
SUSPENDED = f"(has({J}.suspend) && {J}.suspend == true)"
MODE = f"(has({J}.submissionMode) ? {J}.submissionMode : 'K8sJobMode')"
RETRIES = f"(has({J}.backoffLimit) && {J}.backoffLimit > 0)"


def _field_at_least(name: str, minimum: int) -> str:
    return f"!has({J}.{name}) || {J}.{name} >= {minimum}"


CLUSTER_RULES = [
    CelRule("RG023", CLUSTER, _every_group(_containers),
            "a Ray pod template needs at least one container"),
    CelRule("RG016", CLUSTER, _every_group(
        lambda g: f"!(has({g}.resources) && size({g}.resources) > 0) || !(" + " || ".join(
            _param(g, p) for p in RAY_RESOURCE_PARAMS) + ")"),
            "a group sets `resources` and also num-cpus, num-gpus, memory or resources in "
            "rayStartParams: set one of them"),
    CelRule("RG017", CLUSTER, _every_group(
        lambda g: f"!(has({g}.rayStartParams) && 'labels' in {g}.rayStartParams)"),
            "rayStartParams.labels is not allowed: set Ray node labels in the group's `labels`"),
    CelRule("RG024", CLUSTER, f"!{_param(H, 'redis-username')} && !{_env(REDIS_USERNAME)}",
            "redis-username in the head's rayStartParams or a REDIS_USERNAME env is not "
            "allowed: use gcsFaultToleranceOptions.redisUsername"),
    CelRule("RG025", CLUSTER, f"!({FT_OPTIONS} && {_annotation(FT_ENABLED)} != '')",
            f"use gcsFaultToleranceOptions or the {FT_ENABLED} annotation, not both"),
    CelRule("RG026", CLUSTER, f"!{_env(RAY_REDIS_ADDRESS)} || {FT_OPTIONS} || "
            f"{_annotation(FT_ENABLED)} in {_cases('true')}",
            f"{RAY_REDIS_ADDRESS} is set but GCS fault tolerance is not enabled"),
    CelRule("RG027", CLUSTER, f"!{FT_OPTIONS} || !({_param(H, 'redis-password')} || "
            f"{_env(REDIS_PASSWORD)} || {_env(RAY_REDIS_ADDRESS)} || "
            f"{_annotation(EXTERNAL_STORAGE_NAMESPACE)} != '')",
            "a Redis setting of gcsFaultToleranceOptions is set again outside it (the head's "
            "redis-password, REDIS_PASSWORD or RAY_REDIS_ADDRESS env, the "
            f"{EXTERNAL_STORAGE_NAMESPACE} annotation)"),
    CelRule("RG020", CLUSTER, f"!{ENV_V2} || {AUTOSCALING}",
            f"{AUTOSCALER_V2_ENV} turns autoscaler v2 on, which needs enableInTreeAutoscaling: true"),
    CelRule("RG021", CLUSTER, f"!({AUTOSCALING} && {_env(AUTOSCALER_V2_ENV)} && "
            f"has({C}.autoscalerOptions) && has({C}.autoscalerOptions.version))",
            f"set autoscalerOptions.version or the {AUTOSCALER_V2_ENV} env, not both"),
    CelRule("RG019", CLUSTER, f"!({AUTOSCALING} && {OPTIONS_V2}) || ({_every_group(_restart_never)})",
            "autoscaler v2 needs restartPolicy Never (or unset) in every group"),
    CelRule("RG029", CLUSTER, f"!(has({C}.autoscalerOptions) && has({C}.autoscalerOptions.env) && "
            f"{C}.autoscalerOptions.env.exists(e, e.name == {_quote(AUTOSCALER_START_CMD_ENV)}))",
            f"{AUTOSCALER_START_CMD_ENV} is managed by KubeRay", since="1.7"),
    CelRule("RG049", CLUSTER, f"(!(has({C}.autoscalerOptions) && has({C}.autoscalerOptions."
            f"idleTimeoutSeconds)) || {C}.autoscalerOptions.idleTimeoutSeconds >= 0) && "
            f"{WORKERS}.all(g, !has(g.idleTimeoutSeconds) || g.idleTimeoutSeconds >= 0)",
            "idleTimeoutSeconds must not be negative", since="1.6"),
    CelRule("RG033", CLUSTER, f"{OPTIONS_V2} || {ENV_V2} || {WORKERS}.all(g, "
            "!has(g.idleTimeoutSeconds) || g.idleTimeoutSeconds < 0)",
            "a worker group's idleTimeoutSeconds needs autoscaler v2 (autoscalerOptions.version: v2)",
            since="1.6"),
    CelRule("RG047", CLUSTER, f"{WORKERS}.all(g, (has(g.minReplicas) ? g.minReplicas : 0) >= 0 && "
            f"(has(g.maxReplicas) ? g.maxReplicas : {INT32_MAX}) >= 0 && "
            f"(has(g.minReplicas) ? g.minReplicas : 0) <= (has(g.maxReplicas) ? g.maxReplicas : "
            f"{INT32_MAX}))",
            "a worker group's minReplicas and maxReplicas must not be negative, and "
            "maxReplicas must be >= minReplicas", since="1.6"),
]


LABELS_RULE = CelRule("RG048", CLUSTER, _every_group(
    lambda g: f"!has({g}.labels) || {g}.labels.all(k, k.matches({_quote(LABEL_KEY.pattern)}) && "
              f"{g}.labels[k].matches({_quote(LABEL_VALUE.pattern)}))"),
    "a group's labels must be valid Kubernetes label keys and values")


def _suspend_rule(gated: bool) -> CelRule:
    suspended = f"{WORKERS}.exists(g, has(g.suspend) && g.suspend == true)"
    if not gated:
        return CelRule("RG028", CLUSTER, f"!{suspended}", "a worker group can be suspended only "
                       "with the RayJobDeletionPolicy feature gate")
    return CelRule("RG028", CLUSTER, f"!({suspended} && {AUTOSCALING})",
                   "a worker group cannot be suspended while the autoscaler is on")


JOB_RULES = [
    CelRule("RG050", JOB, f"!{SUSPENDED} || {SHUTDOWN}", "suspend needs shutdownAfterJobFinishes: true"),
    CelRule("RG051", JOB, f"!has({J}.ttlSecondsAfterFinished) || {J}.ttlSecondsAfterFinished <= 0 "
            f"|| {SHUTDOWN}", "a TTL (ttlSecondsAfterFinished) needs shutdownAfterJobFinishes: true"),
    CelRule("RG053", JOB, f"has({J}.rayClusterSpec) || {SELECTOR}",
            "give one of rayClusterSpec and clusterSelector (found neither)"),
    CelRule("RG065", JOB, f"!{SELECTOR} || ({_quote(RAY_CLUSTER_LABEL)} in {J}.clusterSelector && "
            f"{J}.clusterSelector[{_quote(RAY_CLUSTER_LABEL)}] != '')",
            f"clusterSelector needs a non-empty {RAY_CLUSTER_LABEL}"),
    CelRule("RG054", JOB, f"!{SELECTOR} || (!{SUSPENDED} && {MODE} != 'SidecarMode')",
            "a job on an existing cluster (clusterSelector) cannot be suspended or use SidecarMode"),
    CelRule("RG054", JOB, f"!{SELECTOR} || !{RETRIES}",
            "retries create new clusters: no backoffLimit with clusterSelector", since="1.6"),
    CelRule("RG055", JOB, f"{MODE} != 'InteractiveMode' || !{RETRIES}",
            "InteractiveMode takes no backoffLimit"),
    CelRule("RG056", JOB, f"{MODE} != 'SidecarMode' || (!has({J}.submitterPodTemplate) && "
            f"!has({J}.submitterConfig) && (!has({J}.rayClusterSpec) || "
            f"{_restart_never(J + '.rayClusterSpec.headGroupSpec')}))",
            "SidecarMode takes no submitterPodTemplate or submitterConfig, and needs the head's "
            "restartPolicy Never"),
    CelRule("RG059", JOB, f"({_field_at_least('ttlSecondsAfterFinished', 0)}) && "
            f"({_field_at_least('activeDeadlineSeconds', 1)}) && ({_field_at_least('backoffLimit', 0)})",
            "ttlSecondsAfterFinished and backoffLimit must be >= 0, activeDeadlineSeconds > 0"),
    CelRule("RG059", JOB, _field_at_least("preRunningDeadlineSeconds", 1),
            "preRunningDeadlineSeconds must be > 0", since="1.6"),
]


def _deletion_rules(gated: bool) -> list[CelRule]:
    if not gated:
        return [CelRule("RG104", JOB, f"!has({J}.deletionStrategy)", "deletionStrategy needs "
                        "the operator's RayJobDeletionPolicy feature gate")]
    d = f"{J}.deletionStrategy"
    rules = f"(has({d}) && has({d}.deletionRules) && size({d}.deletionRules) > 0)"
    legacy = f"(has({d}.onSuccess) || has({d}.onFailure))"
    autoscaling = f"(has({J}.rayClusterSpec) && has({J}.rayClusterSpec.enableInTreeAutoscaling) && " \
                  f"{J}.rayClusterSpec.enableInTreeAutoscaling == true)"
    by_legacy = f"(!{rules} && has({d}.onSuccess) && has({d}.onFailure) && " \
                f"has({d}.onSuccess.policy) && has({d}.onFailure.policy) && " \
                f"'DeleteWorkers' in [{d}.onSuccess.policy, {d}.onFailure.policy])"
    by_rules = f"({rules} && !{legacy} && !{SELECTOR} && {d}.deletionRules.exists(r, " \
               "has(r.condition) && has(r.condition.jobStatus) != has(r.condition.jobDeploymentStatus) " \
               "&& (!has(r.condition.ttlSeconds) || r.condition.ttlSeconds >= 0) && " \
               "r.policy == 'DeleteWorkers'))"
    return [CelRule("RG052", JOB, f"!({rules} && {SHUTDOWN})",
                    "deletionRules cannot be combined with shutdownAfterJobFinishes"),
            CelRule("RG058", JOB, f"!has({d}) || !{autoscaling} || !({by_legacy} || {by_rules})",
                    "the DeleteWorkers deletion policy cannot be used with the autoscaler")]


def _incremental_rule(target: Target) -> CelRule:
    """validateRayServiceIncrementalUpgrade, with its gate on."""
    o = f"{S}.upgradeStrategy.clusterUpgradeOptions"
    surge = f"(has({o}.maxSurgePercent) ? {o}.maxSurgePercent : 100)"
    order = f" && {o}.stepSizePercent <= {surge}" if target.since("1.7") else ""
    return CelRule("RG062", SERVICE, f"!(has({S}.upgradeStrategy) && has({S}.upgradeStrategy.type) && "
                   f"{S}.upgradeStrategy.type == 'NewClusterWithIncrementalUpgrade') || "
                   f"(has({S}.rayClusterConfig) && has({S}.rayClusterConfig.enableInTreeAutoscaling) && "
                   f"{S}.rayClusterConfig.enableInTreeAutoscaling == true && has({o}) && "
                   f"has({o}.gatewayClassName) && {o}.gatewayClassName != '' && "
                   f"{surge} >= 0 && {surge} <= 100 && has({o}.stepSizePercent) && "
                   f"{o}.stepSizePercent >= 0 && {o}.stepSizePercent <= 100{order} && "
                   f"has({o}.intervalSeconds) && {o}.intervalSeconds > 0)",
                   "NewClusterWithIncrementalUpgrade needs the cluster's autoscaler and "
                   "clusterUpgradeOptions with gatewayClassName, maxSurgePercent and "
                   "stepSizePercent within 0..100" + (" (step at most the surge)" if order else "")
                   + ", and intervalSeconds > 0")


OWNED = f"!(has({C}.upgradeStrategy) && has({C}.upgradeStrategy.type))"
OBJECT_RULES = [
    CelRule("RG060", SERVICE, f"!(has({S}.rayClusterConfig) && has({S}.rayClusterConfig.headGroupSpec) && "
            f"has({S}.rayClusterConfig.headGroupSpec.headService) && "
            f"has({S}.rayClusterConfig.headGroupSpec.headService.metadata) && "
            f"has({S}.rayClusterConfig.headGroupSpec.headService.metadata.name) && "
            f"{S}.rayClusterConfig.headGroupSpec.headService.metadata.name != '')",
            "a RayService names its head service itself (<name>-head-svc): leave it unset"),
    CelRule("RG061", SERVICE, f"!(has({S}.upgradeStrategy) && has({S}.upgradeStrategy.type)) || "
            f"{S}.upgradeStrategy.type in ['NewCluster', 'NewClusterWithIncrementalUpgrade', 'None']",
            "unknown upgrade type; expected NewCluster, NewClusterWithIncrementalUpgrade or None"),
    CelRule("RG063", SERVICE, f"!has({S}.rayClusterDeletionDelaySeconds) || "
            f"{S}.rayClusterDeletionDelaySeconds >= 0", "rayClusterDeletionDelaySeconds must be >= 0"),
    CelRule("RG035", OBJECT, f"!has({S}.rayClusterConfig) || {OWNED.replace(C, S + '.rayClusterConfig')}",
            "a RayService creates its cluster: the RayCluster upgradeStrategy is refused there",
            since="1.6", kinds=(RAY_SERVICE,)),
    CelRule("RG035", OBJECT, f"!has({S}.rayClusterSpec) || {OWNED.replace(C, S + '.rayClusterSpec')}",
            "a RayJob creates its cluster: the RayCluster upgradeStrategy is refused there",
            since="1.6", kinds=(RAY_JOB,)),
    CelRule("RG035", OBJECT, f"!({_quote('ray.io/originated-from-crd')} in variables.labels && "
            f"variables.labels[{_quote('ray.io/originated-from-crd')}] in ['RayJob', 'RayService']) "
            f"|| {OWNED.replace(C, S)}",
            "upgradeStrategy cannot be set on a RayCluster a RayService or RayJob creates",
            since="1.6", kinds=(RAY_CLUSTER,)),
]


def name_rule(kind: str, target: Target) -> CelRule:
    """ValidateRayClusterMetadata and its forms: a DNS-1035 label, and a bounded length."""
    found = KINDS[kind]
    limit = found.max_name if target.since(found.named_since) else 63
    return CelRule("RG011", OBJECT, "!has(object.metadata.name) || (object.metadata.name.matches("
                   f"'^[a-z]([-a-z0-9]*[a-z0-9])?$') && size(object.metadata.name) <= {limit})",
                   f"a {kind} name must be a DNS-1035 label (lower-case letters, digits, '-', "
                   f"starting with a letter) of at most {limit} characters", kinds=(kind,))


def rules_for(kind: str, target: Target) -> list[CelRule]:
    """Every rule the policy for ``kind`` holds, at the target release and gates."""
    gated = target.enabled("RayJobDeletionPolicy")
    out = [name_rule(kind, target)]
    out += [*CLUSTER_RULES, LABELS_RULE, _suspend_rule(gated)]
    if kind in (RAY_JOB, RAY_CRON_JOB):
        out += [*JOB_RULES, *_deletion_rules(gated)]
    if kind == RAY_SERVICE:
        out += [r for r in OBJECT_RULES if r.scope == SERVICE]
        if target.enabled("RayServiceIncrementalUpgrade"):
            out.append(_incremental_rule(target))
    out += [r for r in OBJECT_RULES if r.scope == OBJECT and kind in r.kinds]
    return [r for r in out if target.since(r.since)]
