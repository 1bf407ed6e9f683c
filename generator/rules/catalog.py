"""Every rule code, what it checks, and its layer. Codes are stable: never reuse one."""

from __future__ import annotations

CODES: dict[str, str] = {
    # layer 1: YAML
    "RG001": "YAML syntax error",
    "RG002": "duplicate key in a mapping",
    "RG003": "tab in indentation",
    "RG004": "a limit is exceeded: file size, nesting depth, alias expansion",
    "RG005": "binary or non-UTF-8 file",
    "RG006": "a document that is not a mapping",
    # layer 2: spec schema
    "RG007": "a KubeRay manifest placed among the specs (use `ray-gitops import`)",
    "RG008": "unknown apiVersion or kind",
    "RG009": "unknown field",
    "RG010": "wrong type, missing field or invalid value",
    "RG011": "invalid or over-long name or label",
    "RG013": "negative or malformed quantity",
    # layer 3: references
    "RG014": "a reference to a spec that does not exist",
    "RG015": "two specs of one kind with one name",
    # layer 4: KubeRay's controller rules (kuberay/FACTS.md §1)
    "RG012": "worker group replicas outside minReplicas..maxReplicas, or min above max",
    "RG016": "group `resources` set together with num-cpus/num-gpus/memory/resources in rayStartParams",
    "RG017": "rayStartParams.labels (use the group's `labels`)",
    "RG018": "rayVersion does not match the image tag",
    "RG019": "autoscaler v2 with a restartPolicy other than Never",
    "RG020": "RAY_enable_autoscaler_v2 without enableInTreeAutoscaling",
    "RG021": "autoscalerOptions.version together with RAY_enable_autoscaler_v2",
    "RG022": "the Ray container is not the first container",
    "RG023": "a pod template without containers",
    "RG024": "redis-username in rayStartParams or a REDIS_USERNAME env",
    "RG025": "the ray.io/ft-enabled annotation together with gcsFaultToleranceOptions",
    "RG026": "RAY_REDIS_ADDRESS without GCS fault tolerance",
    "RG027": "Redis settings duplicated outside gcsFaultToleranceOptions",
    "RG028": "a suspended worker group with the autoscaler",
    "RG029": "KUBERAY_GEN_AUTOSCALER_START_CMD in autoscalerOptions.env",
    "RG031": "authOptions needs a newer Ray",
    "RG032": "worker group priority needs autoscaler v2 and Ray >= 2.56",
    "RG033": "worker group idleTimeoutSeconds needs autoscaler v2",
    "RG034": "duplicate group, container, volume or env names",
    # fault tolerance, state, secrets (issue 3)
    "RG040": "a Redis address with a namespace suffix (addresses stay namespace-relative)",
    "RG041": "a claim larger than its volume",
    "RG042": "access modes the volume's source cannot serve",
    "RG044": "a literal password or token in a spec (reference a Secret)",
    "RG045": "a file outside the repository",
    "RG046": "a PersistentVolume without a claim mounted or used for Redis",
    # layer 5: output schemas
    "RG030": "a rendered or given object fails its Kubernetes or KubeRay schema",
    # layer 7: policy (warnings; errors with --strict)
    "RG100": "image tagged `latest` or not tagged",
    "RG101": "Redis without persistence",
    "RG102": "a PersistentVolume that is deleted with its claim (reclaimPolicy Delete)",
    "RG104": "a field behind an alpha feature gate that is off by default",
}
