"""The files ``ray-gitops init`` writes: a GitOps repository that passes ``check``."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from generator.kuberay.releases import LATEST
from generator.models.settings import DEFAULT_RAY_VERSION

SETTINGS = f"""\
# ray-gitops repository settings. Every key is optional.
kuberayVersion: "{LATEST}"
kubernetesVersion: "1.33"
rayVersion: "{DEFAULT_RAY_VERSION}"

# Uncomment to render one Argo CD Application and one Flux Kustomization per
# overlay into rendered/argocd and rendered/flux (point an app-of-apps at them).
# delivery:
#   name: ray
#   argocd:
#     repoURL: https://git.example.com/you/this-repository.git
#     targetRevision: main
#     environments:
#       dev: {{server: "https://kubernetes.default.svc"}}
#       prod: {{name: prod-cluster}}
#   flux:
#     sourceRef: {{name: this-repository}}
#     environments:
#       dev: {{}}
#       prod: {{}}
"""

TEMPLATES = """\
# yaml-language-server: $schema=../schemas/ray-gitops.schema.json
# Compute templates: the resources of a Ray pod, shared by every cluster here.
# Requests equal limits; a bare memory number means GiB.
apiVersion: ray-gitops/v1alpha1
kind: ComputeTemplate
metadata:
  name: head-template
spec:
  cpu: 2
  memory: 8
---
apiVersion: ray-gitops/v1alpha1
kind: ComputeTemplate
metadata:
  name: worker-template
spec:
  cpu: 4
  memory: 16
"""

CLUSTER = """\
# yaml-language-server: $schema=../schemas/ray-gitops.schema.json
# A Ray cluster. Edit it, run `ray-gitops render`, commit specs/ and rendered/
# together; CI fails when they disagree. `ray-gitops schema` lists every field.
apiVersion: ray-gitops/v1alpha1
kind: RayCluster
metadata:
  name: example-cluster
spec:
  # autoscaling: {version: v2, idleTimeoutSeconds: 300}
  head:
    computeTemplate: head-template
    rayStartParams:
      num-cpus: 0  # the head schedules no tasks
  workerGroups:
    - name: workers
      computeTemplate: worker-template
      replicas: 1
      minReplicas: 1
      maxReplicas: 4
"""

OVERLAY = """\
# The {env} environment: the rendered bases it deploys, and what differs here.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: {namespace}
resources:
  - ../../rendered/example-cluster
{extra}"""

PROD_EXTRA = """\
images:
  - name: rayproject/ray
    newTag: {ray}-py311
# Patch KubeRay objects with JSON 6902 operations: a strategic merge patch
# replaces their lists (kustomize does not know KubeRay's list keys).
patches:
  - target: {{group: ray.io, version: v1, kind: RayCluster, name: example-cluster}}
    patch: |
      - op: replace
        path: /spec/workerGroupSpecs/0/maxReplicas
        value: 8
"""

PRE_COMMIT = """\
# `pip install pre-commit ray-gitops`, then `pre-commit install`: every commit
# validates the specs it changes and checks that rendered/ is up to date.
repos:
  - repo: local
    hooks:
      - id: ray-gitops-validate
        name: ray-gitops validate
        entry: ray-gitops validate --skip-overlays
        language: system
        files: ^specs/.*\\.ya?ml$
        types: [yaml]
      - id: ray-gitops-check
        name: ray-gitops check
        entry: ray-gitops check
        language: system
        pass_filenames: false
        require_serial: true
        always_run: true
"""

WORKFLOW = """\
# CI for the ray-gitops repository, with ray-gitops's GitHub Action: rendered/ must
# match specs/, specs and overlays must validate (annotations on the pull request), and
# a pull request gets one comment, updated on each push, saying what it will do on the
# cluster (in-place Serve update, new cluster, restarted pods, ...) for the bases and
# for what each overlay builds, with the capacity it needs before, after and during
# the rollout.
name: ray-gitops
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
  pull-requests: write
jobs:
  ray-gitops:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # diff renders the base revision too
      - uses: {action}
        with:
          install: "{package}"
"""
ACTION = "ray-gitops/ray-gitops"  # this repository on GitHub: its action.yml


def action_ref() -> str:
    """The action at the tag of this version."""
    try:
        return f"{ACTION}@v{version('ray-gitops')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return f"{ACTION}@main"


def package() -> str:
    try:
        return f"ray-gitops=={version('ray-gitops')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "ray-gitops"


def files(schema: str, install: str | None = None, action: str | None = None) -> dict[str, str]:
    """Relative path -> content of every file ``init`` writes (rendered/ aside)."""
    return {
        "ray-gitops.yaml": SETTINGS,
        "specs/compute-templates.yaml": TEMPLATES,
        "specs/example-cluster.yaml": CLUSTER,
        "overlays/dev/kustomization.yaml": OVERLAY.format(env="dev", namespace="ray-dev",
                                                          extra=""),
        "overlays/prod/kustomization.yaml": OVERLAY.format(
            env="prod", namespace="ray", extra=PROD_EXTRA.format(ray=DEFAULT_RAY_VERSION)),
        ".pre-commit-config.yaml": PRE_COMMIT,
        ".github/workflows/ray-gitops.yml": WORKFLOW.format(package=install or package(),
                                                            action=action or action_ref()),
        "schemas/ray-gitops.schema.json": schema,
    }
