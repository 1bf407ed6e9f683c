"""``ray-gitops import``: KubeRay manifests, APIServer payloads and legacy clusters -> specs.

Three inputs, one output (spec documents, compute templates first):
- ``ray.io/v1`` RayCluster, RayService and RayJob manifests;
- KubeRay APIServer V1 JSON payloads: compute templates and clusters;
- legacy ``cluster.ray.io/v1`` RayClusters of the old Ray operator.

Pod resources become compute templates; the rest of each pod goes to the group's
fields, and what none holds to its ``podTemplate`` patch. What a spec cannot say is
named in a note, never dropped silently.
"""

from __future__ import annotations

from typing import Any

from generator.errors import Unsupported
from generator.importer.apiserver import import_apiserver
from generator.importer.common import Imported
from generator.importer.kuberay import import_kuberay
from generator.importer.legacy import import_legacy
from generator.kuberay.kinds import API_VERSIONS

__all__ = ["Imported", "import_documents"]


def import_documents(docs: list[Any], source: str, out: Imported | None = None) -> Imported:
    """The specs of ``docs``, added to ``out`` (one Imported for every file of a run, so
    that they share compute templates without clashing names)."""
    out = Imported() if out is None else out
    for doc in docs:
        if not isinstance(doc, dict):
            raise Unsupported(f"{source}: a document that is not a mapping")
        api = doc.get("apiVersion")
        if api in API_VERSIONS:
            import_kuberay(doc, out, source)
        elif api == "cluster.ray.io/v1":
            import_legacy(doc, out, source)
        elif "clusterSpec" in doc or "cpu" in doc:
            import_apiserver(doc, out, source)
        elif api and doc.get("kind"):
            name = (doc.get("metadata") or {}).get("name")
            out.notes.append(f"{source}: {api} {doc['kind']} {name}: not a Ray object, not "
                             "imported (keep it as a manifest beside the rendered bases)")
        else:
            raise Unsupported(f"{source}: neither a ray.io/v1 manifest, an APIServer payload "
                               f"nor a cluster.ray.io/v1 RayCluster ({api or 'no apiVersion'})")
    return out
