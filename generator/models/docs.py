"""What each spec field means: the descriptions editors show on hover (the spec schema).

By model, then by field (as written in YAML); ``COMMON`` holds the fields that mean the
same wherever they stand. A test holds every field of the schema to a description.
"""

from __future__ import annotations

from typing import Any

COMMON: dict[str, str] = {
    "apiVersion": "Always ray-gitops/v1alpha1.",
    "kind": "The spec kind: ComputeTemplate, RayCluster, RayService, RayJob, RayCronJob, Redis "
            "or PersistentVolume.",
    "metadata": "The object's name, and optionally namespace (else the overlay's), labels and "
                "annotations.",
    "spec": "What the object is; the fields depend on its kind.",
    "name": "A DNS-1035 name: lower-case letters, digits and '-', starting with a letter.",
    "image": "A container image, pinned to a version (a tag or a digest).",
    "env": "Env variables: a literal value, or a reference (secretKeyRef, configMapKeyRef, "
           "fieldRef, resourceFieldRef). Never a literal secret.",
    "cpu": "CPU, as a Kubernetes quantity: 2, 500m.",
    "memory": "Memory: a bare number means GiB (4, 0.5); a string is a Kubernetes quantity (4Gi, 512Mi).",
    "size": "A size, as a Kubernetes quantity (10Gi).",
    "storageClassName": "The StorageClass that provisions the volume.",
    "readOnly": "Mount read-only.",
    "path": "An absolute path.",
    "type": "The type; see the allowed values.",
    "key": "The key in the Secret or ConfigMap.",
    "items": "Only these keys, each to a path in the volume (key: path).",
    "defaultMode": "File permission bits, in octal as written (0644).",
    "suspend": "Suspended: no pods run (KubeRay's suspend).",
    "labels": "Labels (ray-gitops.io/ is reserved).",
    "annotations": "Annotations.",
    "enabled": "On (the default) or off.",
    "tolerations": "Taints the pods tolerate.",
    "nodeSelector": "Node labels the pods must run on (also the place for a GPU model, such as "
                    "nvidia.com/gpu.product).",
    "persistentVolume": "A PersistentVolume spec of this repository, by name: its claim is used.",
}

DOCS: dict[str, dict[str, str]] = {
    "Metadata": {
        "namespace": "The namespace; leave it out to let each overlay set one.",
        "labels": "Labels of the rendered objects (ray-gitops.io/ is reserved).",
    },
    "ComputeTemplateSpec": {
        "gpu": "GPUs per pod (0 for none).",
        "gpuAccelerator": "The extended resource name of the GPUs (default nvidia.com/gpu); not a "
                          "GPU model.",
        "extendedResources": "Other extended resources per pod, by name (vpc.amazonaws.com/efa: 1).",
        "ephemeralStorage": "Local ephemeral storage per pod (20Gi).",
        "hugePages": "Huge pages per pod, by page size (2Mi: 1Gi).",
        "requests": "Requests below the limits (cpu: 500m): what the scheduler reserves.",
        "unlimited": "Resources requested without a limit (cpu, memory, ephemeralStorage).",
    },
    "Requests": {"ephemeralStorage": "Local ephemeral storage requested."},
    "ClusterBody": {
        "rayVersion": "The Ray version (default: rayVersion of ray-gitops.yaml); it names the "
                      "default image rayproject/ray:<version>.",
        "image": "The Ray image of every group that sets none (default rayproject/ray:<rayVersion>).",
        "head": "The head group.",
        "workerGroups": "The worker groups.",
        "autoscaling": "The Ray autoscaler: on when given (enabled: false turns it off).",
        "faultTolerance": "GCS fault tolerance: the head's state in Redis.",
        "upgradeStrategy": "Recreate (the default: a changed spec recreates the pods) or None.",
        "restartGeneration": "Bump to restart every pod of the cluster.",
        "headServiceType": "The head Service's type: ClusterIP, NodePort or LoadBalancer.",
        "headServiceAnnotations": "Annotations of the head Service.",
        "authOptions": "Ray's token authentication (mode: token needs Ray >= 2.52).",
        "headService": "The head Service, as KubeRay writes headGroupSpec.headService (metadata, "
                       "spec); a RayService names its own.",
    },
    "AuthOptions": {
        "mode": "disabled or token.",
        "secretName": "The Secret holding the token (KubeRay >= 1.6; default: one the operator makes).",
        "enableK8sTokenAuth": "Kubernetes tokens as Ray tokens (KubeRay >= 1.6, Ray >= 2.55; "
                              "RayCluster only).",
    },
    "HeadGroup": {
        "computeTemplate": "The ComputeTemplate spec of the pods, by name.",
        "image": "This group's Ray image (default: the cluster's).",
        "imagePullPolicy": "Always, IfNotPresent or Never.",
        "rayStartParams": "Flags of `ray start` (num-cpus, dashboard-host, ...), as strings.",
        "rayResources": "Ray logical resources the node advertises (KubeRay's group `resources`).",
        "rayLabels": "Ray node labels (KubeRay's group `labels`).",
        "volumes": "Volumes of the pod, mounted into the Ray container where mountPath is given.",
        "labels": "Pod labels (ray-gitops.io/ is reserved).",
        "annotations": "Pod annotations.",
        "serviceAccountName": "The pods' ServiceAccount.",
        "ports": "The Ray container's ports, exactly as written (the head Service exposes "
                 "them); unset: the operator's default ports on the head, none on a worker.",
        "containerName": "The Ray container's name (default ray-head, ray-worker).",
        "command": "The Ray container's command (KubeRay appends its ray start).",
        "args": "The Ray container's args.",
        "envFrom": "Env from whole ConfigMaps or Secrets, as Kubernetes writes envFrom.",
        "livenessProbe": "The Ray container's liveness probe, as Kubernetes writes it "
                         "(default: KubeRay's).",
        "readinessProbe": "The Ray container's readiness probe (default: KubeRay's).",
        "startupProbe": "The Ray container's startup probe.",
        "lifecycle": "The Ray container's lifecycle hooks (preStop, postStart).",
        "securityContext": "The Ray container's securityContext, as Kubernetes writes it.",
        "podSecurityContext": "The pod's securityContext, as Kubernetes writes it.",
        "sidecars": "More containers of the pod, after the Ray container, as Kubernetes writes "
                    "them (a log shipper, a proxy).",
        "initContainers": "Init containers, as Kubernetes writes them.",
        "affinity": "The pod's affinity, as Kubernetes writes it.",
        "topologySpreadConstraints": "How the pods spread over zones or nodes.",
        "priorityClassName": "The pods' PriorityClass.",
        "schedulerName": "The scheduler of the pods (volcano, yunikorn, ...).",
        "hostNetwork": "The pods use the node's network.",
        "dnsPolicy": "ClusterFirst, ClusterFirstWithHostNet, Default or None.",
        "restartPolicy": "The pods' restartPolicy (autoscaler v2 needs Never or unset).",
        "imagePullSecrets": "Secrets to pull images with, by name.",
        "podTemplate": "The rest of the pod template, merged last as a strategic merge patch "
                       "(containers, volumes, env by name), for what has no field here.",
    },
    "Port": {"name": "The port's name (at most 15 characters; unnamed, the head Service calls "
                     "it <port>-port).",
             "containerPort": "The port number.", "protocol": "TCP (default), UDP or SCTP.",
             "hostPort": "The port on the node.", "hostIP": "The node's address to bind."},
    "WorkerGroup": {
        "name": "The group's name (KubeRay's groupName).",
        "replicas": "Pods at start (default 1).",
        "minReplicas": "The fewest pods (default: 0 with autoscaling, else replicas).",
        "maxReplicas": "The most pods (default: replicas, or minReplicas if larger).",
        "numOfHosts": "Hosts per replica, for multi-host groups (TPU slices); default 1.",
        "idleTimeoutSeconds": "Seconds an idle worker waits before scale-down (autoscaler v2).",
    },
    "Autoscaling": {
        "version": "The autoscaler: v1 or v2.",
        "idleTimeoutSeconds": "Seconds an idle worker waits before scale-down.",
        "upscalingMode": "Default, Aggressive or Conservative.",
        "image": "The autoscaler's image (default: the head's).",
        "cpu": "CPU of the autoscaler container (default 500m).",
        "memory": "Memory of the autoscaler container (default 512Mi).",
        "env": "Env variables of the autoscaler container.",
        "imagePullPolicy": "The autoscaler container's image pull policy.",
        "securityContext": "The autoscaler container's securityContext, as Kubernetes writes it.",
        "envFrom": "The autoscaler container's envFrom, as Kubernetes writes it.",
        "command": "The autoscaler container's command (KubeRay 1.7).",
        "args": "The autoscaler container's args (KubeRay 1.7).",
        "volumeMounts": "The autoscaler container's volume mounts.",
        "resources": "The autoscaler container's resources, as Kubernetes writes them (instead of "
                     "cpu and memory).",
    },
    "FaultTolerance": {
        "redis": "A Redis spec of this repository, by name.",
        "external": "A Redis ray-gitops does not render: its address and Secrets.",
        "method": "options (gcsFaultToleranceOptions, the default) or legacy (the "
                  "ray.io/ft-enabled annotation).",
        "externalStorageNamespace": "The GCS storage namespace in Redis (default: the cluster's UID).",
        "deletionTimeoutSeconds": "How long the operator waits for the Redis cleanup when the "
                                  "cluster is deleted (default 300).",
    },
    "ExternalRedis": {
        "address": "host:port, namespace-relative (redis:6379).",
        "passwordSecret": "The Secret key that holds the Redis password.",
        "usernameSecret": "The Secret key that holds the Redis username.",
    },
    "Volume": {
        "name": "The volume's name.",
        "mountPath": "Where the volume is mounted in the Ray container.",
        "subPath": "A path inside the volume to mount instead of its root.",
        "mountPropagation": "None, HostToContainer or Bidirectional.",
        "persistentVolumeClaim": "An existing PersistentVolumeClaim, by name.",
        "persistentVolume": "A PersistentVolume spec of this repository: its claim is mounted.",
        "configMap": "A ConfigMap: an existing one by name, or one built from files (files:).",
        "secret": "A Secret, by name.",
        "hostPath": "A path of the node.",
        "emptyDir": "An empty folder for the pod's life.",
        "ephemeral": "A claim made and deleted with the pod.",
        "source": "Any other volume source, as the pod writes it ({csi: {...}}, {nfs: ...}, "
                  "{projected: ...}).",
    },
    "ConfigMapSource": {
        "name": "The ConfigMap's name.",
        "files": "Files of this repository (paths relative to the spec file), built into the "
                 "ConfigMap by kustomize; a change rolls the pods.",
    },
    "SecretSource": {"name": "The Secret's name."},
    "HostPathSource": {"type": "Directory, File, DirectoryOrCreate or FileOrCreate."},
    "HostPathVolumeSource": {"type": "Directory or DirectoryOrCreate."},
    "EmptyDirSource": {"medium": "'' (disk) or Memory.", "sizeLimit": "The most it may hold."},
    "EphemeralSource": {"accessMode": "The claim's access mode (default ReadWriteOnce)."},
    "EnvSource": {
        "secretKeyRef": "A key of a Secret.",
        "configMapKeyRef": "A key of a ConfigMap.",
        "fieldRef": "A field of the pod (status.podIP).",
        "resourceFieldRef": "A resource of a container (limits.memory).",
    },
    "KeyRef": {"name": "The Secret's or ConfigMap's name.", "optional": "The pod starts without it."},
    "SecretKeyRef": {"name": "The Secret's name (managed outside the repository)."},
    "ResourceFieldRef": {"resource": "limits.cpu, requests.memory, ...",
                         "containerName": "The container (default: this one).",
                         "divisor": "The unit of the value (1Mi, 1m)."},
    "Toleration": {"key": "The taint's key.", "operator": "Equal (default) or Exists.",
                   "value": "The taint's value.", "effect": "NoSchedule, PreferNoSchedule or NoExecute.",
                   "tolerationSeconds": "How long a NoExecute taint is tolerated."},
    "RayServiceSpec": {
        "cluster": "The cluster the Serve applications run on.",
        "serveConfig": "Ray Serve's config, as `serve build` writes it (applications, http_options).",
        "serveConfigFile": "A file holding the Serve config (a path relative to the spec file).",
        "upgradeStrategy": "How a change of the cluster reaches it: NewCluster (default), "
                           "NewClusterWithIncrementalUpgrade, None, or OperatorDefault (none "
                           "rendered: the operator's ENABLE_ZERO_DOWNTIME decides).",
        "excludeHeadPodFromServeSvc": "Keep the head out of the Serve Service.",
        "serveService": "The Serve Service, as KubeRay writes serveService (metadata, spec).",
        "rayClusterDeletionDelaySeconds": "How long the old cluster lives after an upgrade.",
    },
    "ServiceUpgrade": {
        "type": "NewCluster, NewClusterWithIncrementalUpgrade, None or OperatorDefault.",
        "maxSurgePercent": "Incremental: the most extra capacity at a time, in percent.",
        "stepSizePercent": "Incremental: traffic moved at each step, in percent.",
        "intervalSeconds": "Incremental: seconds between steps.",
        "gatewayClassName": "Incremental: the Gateway API class that routes the traffic.",
    },
    "RayJobSpec": {
        "entrypoint": "The command the job runs (none with submissionMode InteractiveMode).",
        "runtimeEnv": "Ray's runtime environment (pip, env_vars, working_dir), as a mapping.",
        "submitterPodTemplate": "The submitter Job's pod, as KubeRay writes it.",
        "submitterConfig": "The submitter's settings (backoffLimitOfSubmitter), as KubeRay "
                           "writes them.",
        "cluster": "A cluster of the job's own.",
        "clusterSelector": "A RayCluster spec of this repository to run on, by name.",
        "shutdownAfterJobFinishes": "Delete the job's cluster when the job ends.",
        "ttlSecondsAfterFinished": "Seconds before that deletion.",
        "activeDeadlineSeconds": "The longest the job may run.",
        "backoffLimit": "Retries, each with a new cluster.",
        "submissionMode": "K8sJobMode, HTTPMode, InteractiveMode or SidecarMode.",
        "entrypointResources": "Resources the entrypoint needs on the head.",
        "jobId": "The job's Ray id (default: generated).",
        "metadata": "Job metadata, as strings.",
        "deletionStrategy": "KubeRay's deletionStrategy, as KubeRay writes it: onSuccess and "
                            "onFailure, or deletionRules.",
    },
    "EntrypointResources": {"numCpus": "CPUs.", "numGpus": "GPUs.",
                            "resources": "Custom Ray resources, by name."},
    "RayCronJobSpec": {
        "schedule": "When: standard cron (five fields, or @daily and the like); no TZ=.",
        "timeZone": "An IANA time zone (KubeRay 1.7); default: the operator's.",
        "job": "The RayJob each run creates (named <name>-<unix minute>).",
    },
    "RedisSpec": {
        "image": "The Redis image (default redis:7.4.6).",
        "passwordSecret": "The Secret key that holds the password (managed outside the repository).",
        "persistence": "Append-only persistence on a claim (without it, a restart loses the state).",
        "resources": "CPU and memory of the Redis container.",
        "allowedClusters": "The clusters the NetworkPolicy admits (default: those that use it).",
    },
    "RedisResources": {"cpu": "CPU requested (default 250m).",
                       "memory": "Memory requested and limited (default 512Mi)."},
    "Persistence": {"size": "The claim's size.",
                    "persistentVolume": "A PersistentVolume spec to keep the data on."},
    "PersistentVolumeSpec": {
        "accessModes": "ReadWriteOnce (default), ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.",
        "reclaimPolicy": "Retain (default: the disk outlives its claim) or Delete.",
        "volumeMode": "Filesystem (default) or Block.",
        "mountOptions": "Mount options.",
        "csi": "A CSI volume (a cloud disk, for one).",
        "nfs": "An NFS export.",
        "hostPath": "A path of the node.",
        "claim": "The PersistentVolumeClaim bound to the volume (made by default).",
    },
    "CsiSource": {"driver": "The CSI driver (pd.csi.storage.gke.io, ...).",
                  "volumeHandle": "The volume's id for its driver.", "fsType": "ext4, xfs, ...",
                  "volumeAttributes": "Attributes for the driver."},
    "NfsSource": {"server": "The NFS server.", "path": "The export's path."},
    "Claim": {"name": "The claim's name (default: the volume's).",
              "size": "The claim's size (default: the volume's)."},
}
DOCS["Monitoring"] = {
    "enabled": "Render a PodMonitor for the head and the workers (default true).",
    "interval": "How often Prometheus scrapes (30s); default: Prometheus's.",
    "labels": "Labels of the PodMonitor, for your Prometheus's podMonitorSelector.",
}
DOCS["Queue"] = {
    "name": "The Kueue LocalQueue (the kueue.x-k8s.io/queue-name label); a string alone names it.",
    "priorityClass": "A Kueue WorkloadPriorityClass (the kueue.x-k8s.io/priority-class label).",
    "elastic": "Autoscale under Kueue with workload slices (Kueue's ElasticJobsViaWorkloadSlices).",
    "multiKueue": "Run on a MultiKueue worker cluster (spec.managedBy: kueue.x-k8s.io/multikueue).",
}
QUEUE_DOC = "Queue it with Kueue: a LocalQueue's name, or {name, priorityClass, elastic, multiKueue}."
DOCS["RayServiceSpec"]["queue"] = QUEUE_DOC
DOCS["RayJobSpec"]["queue"] = QUEUE_DOC
DOCS["ClusterBody"]["monitoring"] = "Ray's metrics for Prometheus: {enabled: true} renders a PodMonitor."
DOCS["RayClusterSpec"] = {**DOCS["ClusterBody"], "queue": QUEUE_DOC}
DOCS["WorkerGroup"] = {**DOCS["HeadGroup"], **DOCS["WorkerGroup"]}


def describe(schema: dict[str, Any], model: type) -> None:
    """Fill in the description of each property of ``model``'s schema (pydantic hook)."""
    own = DOCS.get(model.__name__, {})
    for name, prop in schema.get("properties", {}).items():
        text = own.get(name) or COMMON.get(name)
        if text and "description" not in prop:
            prop["description"] = text
