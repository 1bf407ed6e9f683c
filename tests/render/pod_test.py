"""The Ray container as Kubernetes reads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.pipeline.build import build
from generator.project.repo import open_repo

CLUSTER = """\
apiVersion: ray-gitops/v1alpha1
kind: RayCluster
metadata: {name: ordered}
spec:
  head:
    computeTemplate: head-template
    env:
      ZONE: eu
      URL: http://$(ZONE).example.com/$(MY_POD_IP)
      MY_POD_IP: {fieldRef: status.podIP}
  workerGroups:
    - name: workers
      computeTemplate: default-template
      replicas: 1
      env: {B: "$(A)-b", A: a}
"""


def test_env_stays_in_the_order_written(make_repo: Callable[..., Path]) -> None:
    """Kubernetes expands $(NAME) only from entries above the one that refers to it: the
    order written is the order rendered (sorted, URL came before ZONE and kept the text)."""
    built = build(open_repo(make_repo({"ordered.yaml": CLUSTER})))
    assert built.result.ok, built.result.diagnostics
    [cluster] = [o.obj for o in built.objects if o.kind == "RayCluster"]
    head = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in head] == ["ZONE", "URL", "MY_POD_IP"]
    worker = cluster["spec"]["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in worker] == ["B", "A"]


def test_the_legacy_fault_tolerance_env_comes_first(make_repo: Callable[..., Path]) -> None:
    """RAY_REDIS_ADDRESS and REDIS_PASSWORD go above the user's env, which may refer to them."""
    spec = CLUSTER.replace("    env:\n      ZONE: eu\n", "    env:\n      ZONE: eu\n      "
                           "STORE: $(RAY_REDIS_ADDRESS)\n").replace(
        "  workerGroups:", "  faultTolerance: {redis: redis, method: legacy}\n  workerGroups:")
    redis = ("apiVersion: ray-gitops/v1alpha1\nkind: Redis\nmetadata: {name: redis}\n"
             "spec:\n  passwordSecret: {name: redis-password-secret, key: password}\n"
             "  persistence: {size: 8Gi}\n")
    built = build(open_repo(make_repo({"ordered.yaml": spec, "redis.yaml": redis})))
    assert built.result.ok, built.result.diagnostics
    [cluster] = [o.obj for o in built.objects if o.kind == "RayCluster"]
    head = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in head][:4] == ["RAY_REDIS_ADDRESS", "REDIS_PASSWORD", "ZONE", "STORE"]


def test_ports_are_rendered_exactly_as_written(make_repo: Callable[..., Path]) -> None:
    """The head Service exposes the head container's ports: written ports are those ports,
    unnamed ones too (the operator names them <port>-port); none written, the head gets the
    operator's defaults, 8000 among them, and a worker none."""
    spec = CLUSTER.replace("    env:\n      ZONE: eu\n", "    ports:\n      - {name: metrics, "
                           "containerPort: 8080}\n      - {containerPort: 8266}\n"
                           "    env:\n      ZONE: eu\n")
    built = build(open_repo(make_repo({"ordered.yaml": spec, "plain.yaml": CLUSTER.replace(
        "name: ordered", "name: plain")})))
    assert built.result.ok, built.result.diagnostics
    clusters = {o.obj["metadata"]["name"]: o.obj for o in built.objects if o.kind == "RayCluster"}
    head = clusters["ordered"]["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    assert head["ports"] == [{"name": "metrics", "containerPort": 8080}, {"containerPort": 8266}]
    plain = clusters["plain"]["spec"]
    ports = plain["headGroupSpec"]["template"]["spec"]["containers"][0]["ports"]
    assert [(p["name"], p["containerPort"]) for p in ports] == [
        ("gcs-server", 6379), ("dashboard", 8265), ("client", 10001), ("metrics", 8080),
        ("serve", 8000)]
    assert "ports" not in plain["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]


WHOLE_POD = """\
  head:
    computeTemplate: head-template
    containerName: ray
    command: ["/bin/bash", "-lc", "--"]
    args: ["ulimit -n 65536; echo started"]
    envFrom: [{configMapRef: {name: settings}}]
    readinessProbe: {exec: {command: [bash, -c, "ray health-check"]}, periodSeconds: 5}
    lifecycle: {preStop: {exec: {command: [ray, stop]}}}
    securityContext: {runAsNonRoot: true}
    podSecurityContext: {fsGroup: 100}
    labels: {app.kubernetes.io/name: mine, team: ml}
    annotations: {note: kept}
    serviceAccountName: ray-head
    priorityClassName: high
    schedulerName: volcano
    hostNetwork: true
    dnsPolicy: ClusterFirstWithHostNet
    imagePullSecrets: [registry]
    affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms:
      [{matchExpressions: [{key: pool, operator: In, values: [cpu]}]}]}}}
    topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]
    initContainers: [{name: wait, image: "busybox:1.36", command: [sh, -c, "sleep 1"]}]
    sidecars: [{name: fluentbit, image: "fluent/fluent-bit:3.1", volumeMounts: [{name: logs,
      mountPath: /tmp/ray}]}]
    volumes:
      - {name: logs, mountPath: /tmp/ray, emptyDir: {}}
      - name: weights
        mountPath: /weights
        source: {csi: {driver: gcsfuse.csi.storage.gke.io, volumeAttributes: {bucketName: w}}}
      - {name: shared, source: {nfs: {server: nfs.example.com, path: /export}}}
    podTemplate:
      spec:
        terminationGracePeriodSeconds: 120
        containers: [{name: ray, workingDir: /home/ray, tty: true}]
"""


def test_the_whole_pod_is_said_in_the_spec(make_repo: Callable[..., Path]) -> None:
    """Every part of a real head pod, from spec fields and the podTemplate patch."""
    spec = CLUSTER.replace(CLUSTER[CLUSTER.index("  head:"):CLUSTER.index("  workerGroups:")],
                           WHOLE_POD)
    built = build(open_repo(make_repo({"ordered.yaml": spec})))
    assert built.result.ok, [d.text() for d in built.result.diagnostics]
    [cluster] = [o.obj for o in built.objects if o.kind == "RayCluster"]
    template = cluster["spec"]["headGroupSpec"]["template"]
    assert template["metadata"] == {"labels": {"app.kubernetes.io/name": "mine", "team": "ml"},
                                    "annotations": {"note": "kept"}}
    pod = template["spec"]
    ray, fluentbit = pod["containers"]
    assert (ray["name"], ray["command"][0], ray["workingDir"], ray["tty"]) == (
        "ray", "/bin/bash", "/home/ray", True)
    assert ray["volumeMounts"] == [{"name": "logs", "mountPath": "/tmp/ray"},
                                   {"name": "weights", "mountPath": "/weights"}]
    assert fluentbit["name"] == "fluentbit" and pod["initContainers"][0]["name"] == "wait"
    assert [v["name"] for v in pod["volumes"]] == ["logs", "weights", "shared"]
    assert pod["volumes"][1]["csi"]["driver"] == "gcsfuse.csi.storage.gke.io"
    assert pod["imagePullSecrets"] == [{"name": "registry"}]
    assert pod["securityContext"] == {"fsGroup": 100}
    assert (pod["hostNetwork"], pod["dnsPolicy"], pod["schedulerName"]) == (
        True, "ClusterFirstWithHostNet", "volcano")
    assert pod["terminationGracePeriodSeconds"] == 120


def test_a_wrong_pod_field_is_refused_at_its_line(make_repo: Callable[..., Path]) -> None:
    """What Kubernetes defines in detail is checked against the pod schema, at the spec's
    line: a probe's period as a word, a sidecar without an image, a patch's bad field."""
    spec = CLUSTER.replace(CLUSTER[CLUSTER.index("  head:"):CLUSTER.index("  workerGroups:")],
                           WHOLE_POD.replace("periodSeconds: 5", "periodSeconds: often")
                           .replace("tty: true", "tty: maybe"))
    built = build(open_repo(make_repo({"ordered.yaml": spec})))
    errors = {(d.line, d.field) for d in built.result.errors}
    lines = spec.splitlines()
    probe = next(i for i, line in enumerate(lines, 1) if "readinessProbe" in line)
    patch = next(i for i, line in enumerate(lines, 1) if "workingDir" in line)
    assert any(line == probe and "readinessProbe" in field for line, field in errors), errors
    assert any(line == patch for line, _ in errors), errors


def test_requests_below_limits_and_requests_alone(make_repo: Callable[..., Path]) -> None:
    templates = ("apiVersion: ray-gitops/v1alpha1\nkind: ComputeTemplate\nmetadata: {name: lean}\n"
                 "spec: {cpu: 2, memory: 8Gi, ephemeralStorage: 20Gi, hugePages: {2Mi: 1Gi},\n"
                 "       requests: {cpu: 500m}, unlimited: [memory]}\n")
    spec = CLUSTER.replace("computeTemplate: head-template", "computeTemplate: lean")
    built = build(open_repo(make_repo({"ordered.yaml": spec, "lean.yaml": templates})))
    assert built.result.ok, [d.text() for d in built.result.diagnostics]
    [cluster] = [o.obj for o in built.objects if o.kind == "RayCluster"]
    ray = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    assert ray["resources"] == {
        "limits": {"cpu": "2", "ephemeral-storage": "20Gi", "hugepages-2Mi": "1Gi"},
        "requests": {"cpu": "500m", "memory": "8Gi", "ephemeral-storage": "20Gi",
                     "hugepages-2Mi": "1Gi"}}
    above = templates.replace("cpu: 500m", "cpu: 3")
    built = build(open_repo(make_repo({"ordered.yaml": spec, "lean.yaml": above})))
    assert any("above its limit" in d.message for d in built.result.errors)


def test_a_spec_that_repeats_a_port_is_refused(make_repo: Callable[..., Path]) -> None:
    for ports, said in (("[{name: a, containerPort: 9000}, {name: a, containerPort: 9001}]",
                         "port name 'a' is used twice"),
                        ("[{name: a, containerPort: 9000}, {name: b, containerPort: 9000}]",
                         "port 9000/TCP is listed twice")):
        spec = CLUSTER.replace("    env:\n      ZONE: eu\n",
                               f"    ports: {ports}\n    env:\n      ZONE: eu\n")
        built = build(open_repo(make_repo({"ordered.yaml": spec})))
        messages = [d.message for d in built.result.errors]
        assert any(said in m for m in messages), messages
        assert not built.files


def test_a_node_selector_that_is_no_label_is_refused(make_repo: Callable[..., Path]) -> None:
    """A nodeSelector value the API server would refuse (or that no node label can hold)."""
    spec = CLUSTER.replace("    env:\n      ZONE: eu\n",
                           "    nodeSelector: {cloud.google.com/gke-nodepool: 'pool one'}\n"
                           "    env:\n      ZONE: eu\n")
    built = build(open_repo(make_repo({"ordered.yaml": spec})))
    assert [d.code for d in built.result.errors] == ["RG011"]
    assert "'pool one' is not a valid label value" in built.result.errors[0].message


def test_a_number_whose_string_is_not_what_was_written_is_refused(
        make_repo: Callable[..., Path]) -> None:
    """`PYTHON_VERSION: 3.10` would render "3.1", a ZIP code 02134 "2134", `DEBUG: True`
    "true": refused where a string is expected, with the quotes that keep it; a quantity and
    a whole number written as a float (cpu: 1.0, num-cpus: 1.0) mean their number."""
    spec = CLUSTER.replace("    env:\n      ZONE: eu\n", "    rayStartParams: {num-cpus: 1.0}\n"
                           "    env:\n      ZONE: eu\n      PYTHON_VERSION: 3.10\n      ZIP: 02134\n"
                           "      DEBUG: True\n      WORKERS: 4\n")
    built = build(open_repo(make_repo({"ordered.yaml": spec})))
    found = sorted((d.line, d.code, d.message.split(":")[0]) for d in built.result.errors)
    assert found == [(10, "RG010", "3.10 is read as a number or a boolean and becomes the string "
                                   "'3.1'"),
                     (11, "RG010", "02134 is read as a number or a boolean and becomes the string "
                                   "'2134'"),
                     (12, "RG010", "True is read as a number or a boolean and becomes the string "
                                   "'true'")], found
    assert any("write it in quotes, '3.10'" in d.message for d in built.result.errors)
    quoted = spec.replace("3.10", "'3.10'").replace("02134", "'02134'").replace("True", "'True'")
    built = build(open_repo(make_repo({"ordered.yaml": quoted})))
    assert built.result.ok, built.result.diagnostics
    [cluster] = [o.obj for o in built.objects if o.kind == "RayCluster"]
    env = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["env"]
    assert {e["name"]: e.get("value") for e in env}["PYTHON_VERSION"] == "3.10"


def test_a_mount_of_no_volume_is_refused_where_it_is_written(
        make_repo: Callable[..., Path]) -> None:
    """The API server rejects a pod whose container mounts a volume it does not have, or
    one path twice: RG034, at the sidecar's line in the spec."""
    spec = CLUSTER.replace(CLUSTER[CLUSTER.index("  head:"):CLUSTER.index("  workerGroups:")],
                           WHOLE_POD.replace("{name: logs,\n      mountPath: /tmp/ray}",
                                             "{name: nothing,\n      mountPath: /tmp/ray}"))
    built = build(open_repo(make_repo({"ordered.yaml": spec})))
    found = [d for d in built.result.errors if d.code == "RG034"]
    line = next(i for i, text in enumerate(spec.splitlines(), 1) if "sidecars:" in text)
    assert [(d.line, "mounts volume 'nothing'" in d.message) for d in found] == [(line, True)]
