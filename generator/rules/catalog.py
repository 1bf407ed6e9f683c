"""Every rule code, what it checks, and its layer. Codes are stable: never reuse one."""

from __future__ import annotations

from dataclasses import replace

from generator.diagnostics import Finding

# ray-gitops's own judgement: warnings on a manifest written by hand, errors on what a
# spec renders and what an overlay builds from it (the repository ray-gitops keeps)
STRICT_IN_REPOSITORY = frozenset({"RG012", "RG018", "RG022", "RG090", "RG091", "RG092", "RG093",
                               "RG094"})

CODES: dict[str, str] = {
    # YAML
    "RG001": "YAML syntax error",
    "RG002": "duplicate key in a mapping",
    "RG003": "tab in indentation",
    "RG004": "a limit is exceeded: file size, nesting depth, alias expansion",
    "RG005": "binary or non-UTF-8 file",
    "RG006": "a document that is not a mapping",
    # the spec schema
    "RG007": "a KubeRay manifest placed among the specs (use `ray-gitops import`)",
    "RG008": "unknown apiVersion or kind",
    "RG009": "unknown field",
    "RG010": "wrong type, missing field or invalid value",
    "RG011": "invalid or over-long name or label",
    "RG013": "negative or malformed quantity",
    # references
    "RG014": "a reference to a spec that does not exist",
    "RG015": "two specs of one kind with one name",
    # KubeRay's controller rules (ray-operator utils/validation.go)
    "RG012": "warning: worker group replicas outside minReplicas..maxReplicas (the operator clamps), or min above max before 1.6",
    "RG016": "group `resources` set together with num-cpus/num-gpus/memory/resources in rayStartParams (validateRayGroupResources)",
    "RG017": "rayStartParams.labels (validateRayGroupLabels; use the group's `labels`)",
    "RG018": "warning: rayVersion does not match the image tag",
    "RG019": "autoscalerOptions.version v2 with a restartPolicy other than Never (ValidateRayClusterSpec)",
    "RG020": "RAY_enable_autoscaler_v2 set to 1 or true without enableInTreeAutoscaling (ValidateRayClusterSpec)",
    "RG021": "autoscalerOptions.version together with RAY_enable_autoscaler_v2, autoscaling on (ValidateRayClusterSpec)",
    "RG022": "warning: the Ray container is not the first container",
    "RG023": "a pod template without containers (ValidateRayClusterSpec)",
    "RG024": "redis-username in the head's rayStartParams or a REDIS_USERNAME env (ValidateRayClusterSpec)",
    "RG025": "the ray.io/ft-enabled annotation (any value) together with gcsFaultToleranceOptions (ValidateRayClusterSpec)",
    "RG026": "RAY_REDIS_ADDRESS without GCS fault tolerance (ValidateRayClusterSpec)",
    "RG027": "Redis settings duplicated outside gcsFaultToleranceOptions (ValidateRayClusterSpec)",
    "RG028": "a suspended worker group with the autoscaler, or without the RayJobDeletionPolicy gate (ValidateRayClusterSpec)",
    "RG029": "KUBERAY_GEN_AUTOSCALER_START_CMD in autoscalerOptions.env (ValidateRayClusterSpec, 1.7)",
    "RG031": "authOptions: token mode without a parsable rayVersion >= 2.52; Kubernetes token auth without token mode, below Ray 2.55, with secretName, or on a RayJob or RayService (ValidateRayClusterSpec)",
    "RG032": "worker group priority without autoscaler v2 or Ray >= 2.56 (validateWorkerGroupPriority, 1.7)",
    "RG033": "worker group idleTimeoutSeconds without autoscaler v2 (validateWorkerGroupIdleTimeout, 1.6+)",
    "RG034": "a pod template the API server rejects: duplicate container or volume names, a "
             "mount of no volume, a path mounted twice",
    "RG039": "duplicate worker group names (KubeRay's webhook rejects them; without it the operator mixes the groups' pods)",
    "RG036": "a Ray container without an image (the pod cannot start)",
    # fault tolerance, state, secrets (issue 3)
    "RG040": "a Redis address with a namespace suffix (addresses stay namespace-relative)",
    "RG041": "a claim larger than its volume",
    "RG042": "access modes the volume's source cannot serve",
    "RG043": "a group that asks Ray for GPUs or TPUs its compute template does not have",
    "RG044": "a literal password or token in a spec (reference a Secret)",
    "RG045": "a file outside the repository",
    "RG046": "a PersistentVolume without a claim mounted or used for Redis",
    # RayService and RayJob (validation.go ValidateRayServiceSpec, ValidateRayJobSpec)
    "RG035": "a RayCluster upgradeStrategy in a cluster that a RayService or RayJob creates (ValidateRayClusterUpgradeOptions, 1.6+)",
    "RG050": "RayJob suspend without shutdownAfterJobFinishes",
    "RG051": "RayJob ttlSecondsAfterFinished without shutdownAfterJobFinishes (validateDeletionConfiguration)",
    "RG052": "RayJob deletionRules together with shutdownAfterJobFinishes",
    "RG053": "RayJob with neither rayClusterSpec nor clusterSelector (ValidateRayJobSpec)",
    "RG054": "RayJob on an existing cluster with suspend, SidecarMode or (1.6+) backoffLimit (ValidateRayJobSpec)",
    "RG055": "RayJob InteractiveMode with backoffLimit",
    "RG056": "RayJob SidecarMode with a submitter or a head restartPolicy other than Never",
    "RG057": "RayJob runtimeEnvYAML that is not a YAML mapping (UnmarshalRuntimeEnvYAML)",
    "RG058": "RayJob DeleteWorkers deletion rule with the autoscaler",
    "RG060": "a head service name inside a RayService",
    "RG061": "an unknown RayService upgrade type",
    "RG062": "incremental upgrade without autoscaling or its options; step above max surge from 1.7 (ValidateClusterUpgradeOptions, with the RayServiceIncrementalUpgrade gate)",
    "RG063": "negative rayClusterDeletionDelaySeconds",
    # Ray Serve config (serveConfigV2)
    "RG070": "a Serve config that fails Ray Serve's schema (unknown or misspelled key, wrong type)",
    "RG071": "duplicate Serve application names",
    "RG072": "duplicate or malformed route prefixes",
    "RG073": "a malformed import_path",
    "RG074": "duplicate deployment names within an application",
    "RG075": "num_replicas other than a number >= 1 or 'auto'",
    "RG076": "autoscaling_config with num_replicas, or min_replicas above max_replicas",
    "RG077": "a negative resource in ray_actor_options",
    "RG078": "a Serve config that is not a mapping (or not YAML)",
    # KubeRay release by release (validation.go of 1.5.2, 1.6.2, 1.7.0), and the CRDs' CEL rules
    "RG037": "a CRD validation rule (x-kubernetes-validations, CEL) fails",
    "RG038": "a field the target KubeRay release does not have (the error names the release that added it)",
    "RG047": "worker group minReplicas or maxReplicas negative, or min above max (ValidateRayClusterSpec, 1.6+)",
    "RG048": "a group `labels` key or value that is not a valid Kubernetes label (validateRayGroupLabels)",
    "RG049": "a negative idleTimeoutSeconds (validateWorkerGroupIdleTimeout, ValidateRayClusterSpec, 1.6+)",
    "RG059": "RayJob negative TTL or backoffLimit, non-positive activeDeadlineSeconds or preRunningDeadlineSeconds (ValidateRayJobSpec)",
    "RG064": "RayJob deletionStrategy: legacy policies incomplete, bad rules, duplicates, TTL order (validateDeletionRules, validateLegacyDeletionPolicies)",
    "RG065": "RayJob clusterSelector without a non-empty ray.io/cluster (ValidateRayJobSpec)",
    "RG066": "RayService ray.io/initializing-timeout that is not a positive duration (validateInitializingTimeout)",
    "RG067": "GCS fault tolerance backend: rocksdb with Redis fields or managed env and mounts, redis with storage (validateGcsFaultToleranceBackend, 1.7)",
    "RG068": "networkPolicy rules that its mode ignores, unknown or non-DNS-1123 group names (validateNetworkPolicy, 1.7)",
    "RG069": "tlsOptions with operator-managed TLS env or mounts set by hand (validateTLSOptions, 1.7)",
    "RG079": "historyServerOptions without collector options, image or storage settings (validateCollectorOptions, 1.7)",
    "RG083": "RayCronJob schedule that robfig/cron's ParseStandard refuses (1.6: a TZ= prefix must name a zone; 1.7: no TZ at all), or a timeZone that is not IANA (ValidateRayCronJobSpec)",
    # will it fit (capacity: Ray's node shapes against what Ray work asks for)
    "RG130": "a rayStartParams entry `ray start` refuses, as the operator and bash hand it "
             "over: an unknown option, a wrong type, a value bash splits, a bad resources "
             "JSON (the node never starts)",
    "RG110": "a Serve deployment whose ray_actor_options no node of its cluster can hold (its replicas stay pending)",
    "RG111": "placement_group_bundles that no node can hold (a bundle, or all of them with STRICT_PACK), too few nodes for STRICT_SPREAD, ray_actor_options outside the first bundle, or max_replicas_per_node with bundles",
    "RG112": "warning: the Serve deployments at their largest do not fit their cluster at maxReplicas",
    "RG113": "a RayJob whose entrypoint resources no node of its cluster (its own, or the one its clusterSelector names) can hold: the job never starts",
    "RG114": "a pod that fits no node pool its nodeSelector, affinity and tolerations allow (it stays Pending)",
    "RG116": "warning: a Serve accelerator_type that no group able to hold the replica is known to have",
    "RG115": "warning: the pods at maxReplicas need more nodes than the node pools' maxNodes",
    "RG117": "an autoscaling cluster with a group the autoscaler of its Ray can not read (no "
             "CPU count, a value int() or its quantity parser refuses, rayStartParams "
             "resources it can not parse): the autoscaler exits and the cluster never scales",
    # Kueue (queue:): Kueue's webhooks, and queueing that would not happen
    "RG120": "suspend set on a queued RayCluster, RayService or RayJob (Kueue owns it)",
    "RG121": "a queue on a RayJob on an existing cluster, a RayCronJob's job, or a RayService before Kueue 0.17 (Kueue would not queue it)",
    "RG122": "a queued RayJob with shutdownAfterJobFinishes: false (Kueue refuses it)",
    "RG123": "a queued cluster that autoscales where the Kueue release refuses it (without queue.elastic; an elastic RayJob before 0.16; an elastic MultiKueue RayCluster from 0.19.1)",
    "RG124": "a queued cluster with more worker groups than the Kueue release's pod sets hold, or a worker group named head (Kueue refuses it)",
    # warnings: ray-gitops's own judgement on manifests the operator accepts (errors with --strict)
    "RG090": "warning: RAY_enable_autoscaler_v2 set to a value the operator reads as off (True, TRUE)",
    "RG091": "warning: autoscalerOptions without enableInTreeAutoscaling",
    "RG092": "warning: a RayJob with both rayClusterSpec and clusterSelector",
    "RG093": "warning: duplicate env variable names",
    "RG094": "warning: redis-username in a worker group's rayStartParams (ignored)",
    "RG095": "warning: ray.io/v1alpha1, deprecated since KubeRay 1.7",
    "RG096": "warning: a RayCronJob without the RayCronJob feature gate (accepted, never scheduled)",
    "RG097": "warning: NewClusterWithIncrementalUpgrade without the RayServiceIncrementalUpgrade gate",
    # overlays
    "RG080": "an overlay that does not build",
    "RG081": "an overlay that points outside the repository",
    "RG082": "a delivery environment without an overlay",
    "RG087": "an overlay patch whose target selects no object: kustomize applies it to nothing",
    "RG086": "a file of rendered/ that is stale, missing or stray (check)",
    "RG085": "a reference to a Redis, PersistentVolume or cluster in another namespace",
    "RG084": "a spec file whose name cannot name its folder in rendered/ (or clashes with another, ignoring case)",
    # output schemas
    "RG030": "a rendered or given object fails its Kubernetes or KubeRay schema",
    # policy (warnings; errors with --strict)
    "RG100": "image tagged `latest` or not tagged",
    "RG101": "Redis without persistence",
    "RG102": "a PersistentVolume that is deleted with its claim (reclaimPolicy Delete)",
    "RG104": "a field behind a feature gate that is off: networkPolicy, tlsOptions, historyServerOptions, the rocksdb backend, deletionStrategy (the operator rejects it)",
}


def strict(finding: Finding) -> Finding:
    """A finding on what the repository renders or builds: judgement becomes an error."""
    return replace(finding, severity="error") if finding.code in STRICT_IN_REPOSITORY else finding
