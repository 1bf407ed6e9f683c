"""Redis for GCS fault tolerance: StatefulSet, Service, ConfigMap, NetworkPolicy.

KubeRay's samples are demo-grade (a plaintext ``requirepass`` in a ConfigMap,
``protected-mode no``, no network restriction). Here:
- the password comes only from a Secret, through an env var; ``redis-server -``
  (PID 1) reads its config from stdin, where the shell appends ``requirepass``
  from that variable, byte by byte escaped, so it is in no file and in no
  process's arguments, and any bytes work;
- probes authenticate with REDISCLI_AUTH, not ``-a <password>``;
- a NetworkPolicy admits port 6379 from the head pods of the clusters that use
  the Redis and from KubeRay's Redis cleanup Job (raycluster_controller.go,
  buildRedisCleanupJob), nothing else;
- non-root, read-only root filesystem, no capabilities, no service account token.
"""

from __future__ import annotations

from typing import Any

from generator.kuberay.kinds import REDIS_SPEC, VOLUME_SPEC
from generator.models.parse import Spec
from generator.models.redis import Redis
from generator.render.base import Context, Origins, Rendered, metadata
from generator.render.labels import CLUSTER_LABEL, object_labels
from generator.render.waves import CONFIG, REDIS, wave

PORT = 6379
REDIS_UID = 999  # the redis user of the official image
DATA = "/data"
CONF_DIR = "/etc/redis"

REDIS_CONF = """\
# Rendered by ray-gitops. No password here: the container appends requirepass
# from the Secret-backed REDIS_PASSWORD env var when it starts.
port 6379
bind 0.0.0.0
protected-mode yes
dir /data
appendonly {appendonly}
appendfsync everysec
appendfilename "appendonly.aof"
auto-aof-rewrite-percentage 100
auto-aof-rewrite-min-size 64mb
save {save}
dbfilename dump.rdb
pidfile /data/redis.pid
"""

# The shell execs redis-server, which becomes PID 1 (it gets SIGTERM and saves), with its
# config on stdin from a here-document: redis.conf, then requirepass with every byte of the
# password written as a \xHH escape, so quotes, backslashes and newlines in it cannot end
# the value or add config lines. The password goes from the environment through printf (a
# shell builtin) into od's stdin: it is in no file and in no process's arguments.
START = f"""exec redis-server - <<EOF
$(cat {CONF_DIR}/redis.conf)
requirepass "$(printf '%s' "$REDIS_PASSWORD" | od -An -v -tx1 | tr -d ' \\n' | sed 's/../\\\\x&/g')"
EOF"""
PING = 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'


def render_redis(spec: Spec, ctx: Context) -> list[Rendered]:
    model: Redis = spec.model
    name = spec.name
    labels = object_labels(spec.app, name, "redis", model.metadata.labels)
    selector = {"app.kubernetes.io/component": "redis", "app.kubernetes.io/instance": name}
    persistence = model.spec.persistence
    persistent = persistence is not None and persistence.enabled
    annotations = model.metadata.annotations

    def meta(suffix: str, step: str) -> dict[str, Any]:
        return metadata(name + suffix, spec.namespace, labels, wave(annotations, step))

    conf = REDIS_CONF.format(appendonly="yes" if persistent else "no",
                             save="60 1000" if persistent else '""')
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("-config", CONFIG),
              "data": {"redis.conf": conf}}
    service = {
        "apiVersion": "v1", "kind": "Service", "metadata": meta("", REDIS),
        "spec": {"type": "ClusterIP", "selector": selector,
                 "ports": [{"name": "redis", "port": PORT, "targetPort": "redis",
                            "protocol": "TCP"}]},
    }
    origins = Origins()
    origins.add((), ("spec",))
    statefulset = {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("", REDIS),
        "spec": _statefulset_spec(model, name, spec, ctx, selector, labels),
    }
    policy = {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta("", REDIS),
        "spec": _policy_spec(model, spec, ctx, selector),
    }
    policy_origins = Origins()
    policy_origins.add((), ("spec", "allowedClusters") if model.spec.allowed_clusters else ())
    return [
        Rendered(config, spec, origins),
        Rendered(service, spec, origins),
        Rendered(statefulset, spec, origins),
        Rendered(policy, spec, policy_origins),
    ]


def _statefulset_spec(model: Redis, name: str, spec: Spec, ctx: Context,
                      selector: dict[str, str], labels: dict[str, str]) -> dict[str, Any]:
    secret = model.spec.password_secret
    amounts = {"cpu": model.spec.resources.cpu, "memory": model.spec.resources.memory}
    probe = {"exec": {"command": ["sh", "-c", PING]}, "periodSeconds": 10, "timeoutSeconds": 5}
    container = {
        "name": "redis",
        "image": model.spec.image,
        "command": ["sh", "-c", START],
        "env": [{"name": "REDIS_PASSWORD",
                 "valueFrom": {"secretKeyRef": {"name": secret.name, "key": secret.key}}}],
        "ports": [{"name": "redis", "containerPort": PORT, "protocol": "TCP"}],
        "readinessProbe": {**probe, "initialDelaySeconds": 5},
        "livenessProbe": {**probe, "initialDelaySeconds": 30, "failureThreshold": 6},
        # memory limit = request: Redis must not be the pod the node kills first
        "resources": {"requests": dict(amounts), "limits": {"memory": amounts["memory"]}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "data", "mountPath": DATA},
                         {"name": "config", "mountPath": CONF_DIR, "readOnly": True}],
    }
    volumes: list[dict[str, Any]] = [{"name": "config", "configMap": {"name": f"{name}-config"}}]
    out: dict[str, Any] = {"serviceName": name, "replicas": 1, "selector": {"matchLabels": selector}}
    persistence = model.spec.persistence
    claim_templates = []
    if persistence is None or not persistence.enabled:
        volumes.insert(0, {"name": "data", "emptyDir": {}})
    elif persistence.persistent_volume:
        volume = ctx.index.get(VOLUME_SPEC, persistence.persistent_volume, spec.namespace)
        assert volume is not None
        volumes.insert(0, {"name": "data",
                           "persistentVolumeClaim": {"claimName": volume.model.claim_name}})
    else:
        claim_spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"]}
        if persistence.storage_class_name:
            claim_spec["storageClassName"] = persistence.storage_class_name
        claim_spec["resources"] = {"requests": {"storage": persistence.size}}
        claim_templates.append({"metadata": {"name": "data", "labels": dict(selector)},
                                "spec": claim_spec})
    pod_labels = {**selector, "app.kubernetes.io/part-of": labels["app.kubernetes.io/part-of"]}
    out["template"] = {
        "metadata": {"labels": dict(sorted(pod_labels.items()))},
        "spec": {
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": {"runAsNonRoot": True, "runAsUser": REDIS_UID,
                                "runAsGroup": REDIS_UID, "fsGroup": REDIS_UID,
                                "seccompProfile": {"type": "RuntimeDefault"}},
            "terminationGracePeriodSeconds": 30,
            "containers": [container],
            "volumes": volumes,
        },
    }
    if claim_templates:
        out["volumeClaimTemplates"] = claim_templates
        # keep the data when the StatefulSet goes (the default, said out loud)
        out["persistentVolumeClaimRetentionPolicy"] = {"whenDeleted": "Retain",
                                                       "whenScaled": "Retain"}
    return out


def _policy_spec(model: Redis, spec: Spec, ctx: Context, selector: dict[str, str]) -> dict[str, Any]:
    clusters = model.spec.allowed_clusters or ctx.index.clusters_using(spec)
    ingress: list[dict[str, Any]] = []
    if clusters:
        # Only the head talks to Redis (the GCS runs there); KubeRay's cleanup Job,
        # built from the head pod, must reach it too when a cluster is deleted.
        peer = {"podSelector": {"matchExpressions": [
            {"key": CLUSTER_LABEL, "operator": "In", "values": sorted(clusters)},
            {"key": "ray.io/node-type", "operator": "In", "values": ["head", "redis-cleanup"]},
        ]}}
        ingress.append({"from": [peer], "ports": [{"protocol": "TCP", "port": PORT}]})
    # no rule at all: the policy still selects the Redis pods, so it denies every ingress
    return {"podSelector": {"matchLabels": selector}, "policyTypes": ["Ingress"],
            "ingress": ingress}

RENDERERS = {REDIS_SPEC: render_redis}
