"""Shared pieces of the spec models: strict config, names, quantities, metadata,
references between specs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from generator.fieldpath import FieldPath
from generator.kuberay.vocabulary import DNS1035, DNS1123, LABEL_KEY, LABEL_VALUE, MAX_LABEL, QUANTITY
from generator.load.scalars import scalar_string
from generator.models.docs import describe


@dataclass(frozen=True)
class Ref:
    """``kind`` named ``name``, referred to at ``path`` of the referring document.

    ``kind`` may name several kinds, ``A|B``; ``File`` and ``ServeConfigFile`` are
    paths relative to the spec file."""

    kind: str
    name: str
    path: FieldPath


class Strict(BaseModel):
    """Immutable, camelCase in YAML, unknown keys rejected, no silent coercion."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,
        alias_generator=to_camel,
        populate_by_name=True,
        defer_build=True,
        json_schema_extra=describe,  # what each field means, for editors' hover help
    )


def _dns1035(value: str) -> str:
    if len(value) > MAX_LABEL or not DNS1035.match(value):
        raise PydanticCustomError(
            "RG011",
            "'{value}' is not a valid name: lower-case letters, digits and '-', "
            "starting with a letter, at most 63 characters (DNS-1035 label)",
            {"value": value},
        )
    return value


def _dns1123(value: str) -> str:
    if len(value) > MAX_LABEL or not DNS1123.match(value):
        raise PydanticCustomError(
            "RG011",
            "'{value}' is not a valid name: lower-case letters, digits and '-', "
            "at most 63 characters (DNS-1123 label)",
            {"value": value},
        )
    return value


# units people write that Kubernetes does not read: 1GB, 512MB, 2gi, 100 Mi
UNIT_MISTAKE = re.compile(r"^([0-9.]+)\s*(kb|mb|gb|tb|kib|mib|gib|tib|gi|mi|ki|ti|g|k)$",
                          re.IGNORECASE)
UNIT_FIXES = {"kb": "k", "mb": "M", "gb": "G", "tb": "T", "kib": "Ki", "mib": "Mi",
              "gib": "Gi", "tib": "Ti", "gi": "Gi", "mi": "Mi", "ki": "Ki", "ti": "Ti", "g": "G",
              "k": "k"}


def _quantity(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PydanticCustomError("RG013", "expected a quantity such as 2, 500m or 4Gi")
    text = _number_text(value) if not isinstance(value, str) else value.strip()
    if not QUANTITY.match(text):
        _unit_hint(value, text)
        raise PydanticCustomError(
            "RG013", "'{value}' is not a Kubernetes quantity (such as 2, 500m or 4Gi)",
            {"value": value},
        )
    if text.startswith("-"):
        raise PydanticCustomError("RG013", "'{value}': must not be negative", {"value": value})
    return text


def _unit_hint(value: Any, text: str) -> None:
    """The quantity people meant when they wrote a unit Kubernetes does not read."""
    unit = UNIT_MISTAKE.match(text)
    if not unit:
        return
    wrong, right = unit.group(2), UNIT_FIXES[unit.group(2).lower()]
    fixed = unit.group(1) + right
    why = "no space before the unit" if wrong == right else \
        f"Kubernetes writes {right}, not {wrong}"
    raise PydanticCustomError("RG013", "'{value}' is not a Kubernetes quantity: write {fixed} "
                              "({why})", {"value": value, "fixed": fixed, "why": why})


def _number_text(value: int | float) -> str:
    return scalar_string(value)


def _string_value(value: Any) -> Any:
    """rayStartParams and the like are strings to KubeRay; accept YAML scalars (a number
    written otherwise than its string, 3.10, is refused by ``parse.written_as``)."""
    if isinstance(value, bool | int | float):
        return scalar_string(value)
    return value


RESERVED_PREFIX = "ray-gitops.io/"  # labels ray-gitops sets, that a NetworkPolicy trusts


def _labels(value: dict[str, str]) -> dict[str, str]:
    for key in value:
        if key.startswith(RESERVED_PREFIX):
            raise PydanticCustomError("RG011", "'{key}' is reserved: ray-gitops sets "
                                      "ray-gitops.io/ labels itself", {"key": key})
    return _selector(value)


def _selector(value: dict[str, str]) -> dict[str, str]:
    """Label keys and values as the API server checks them (a nodeSelector too: a value that
    is no label value matches no node, and the API server refuses the pod)."""
    for key, item in value.items():
        if not LABEL_KEY.match(key) or len(key.rpartition("/")[2]) > MAX_LABEL:
            raise PydanticCustomError("RG011", "'{key}' is not a valid label key", {"key": key})
        if not LABEL_VALUE.match(item):
            raise PydanticCustomError(
                "RG011", "'{value}' is not a valid label value (for '{key}')",
                {"key": key, "value": item},
            )
    return value


Name = Annotated[str, AfterValidator(_dns1035)]
Namespace = Annotated[str, AfterValidator(_dns1123)]
Quantity = Annotated[str, BeforeValidator(_quantity, json_schema_input_type=str | int | float)]
ScalarString = Annotated[
    str, BeforeValidator(_string_value, json_schema_input_type=str | int | float | bool)
]
StringMap = dict[str, ScalarString]
Labels = Annotated[dict[str, ScalarString], AfterValidator(_labels)]
Selector = Annotated[dict[str, ScalarString], AfterValidator(_selector)]
NonNegative = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]


class Metadata(Strict):
    name: Name
    namespace: Namespace | None = None
    labels: Labels = {}
    annotations: StringMap = {}


class SecretKeyRef(Strict):
    """A key of a Secret managed outside the repository."""

    name: Name
    key: str = Field(min_length=1)


class KeyRef(Strict):
    name: Name
    key: str = Field(min_length=1)
    optional: bool | None = None


class Toleration(Strict):
    key: str | None = None
    operator: Literal["Exists", "Equal"] = "Equal"
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = None


def exactly_one(model: BaseModel, fields: tuple[str, ...], what: str) -> None:
    given = [name for name in fields if getattr(model, name) is not None]
    if len(given) != 1:
        known = type(model).model_fields
        names = ", ".join(known[f].alias or f for f in fields)
        found = ", ".join(known[f].alias or f for f in given) or "none"
        raise PydanticCustomError(
            "RG010", "{what}: give exactly one of {names} (found: {found})",
            {"what": what, "names": names, "found": found},
        )


def _queue(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


class Queue(Strict):
    """Kueue: the LocalQueue that admits the object, and how (Kueue's jobframework:
    the ``kueue.x-k8s.io/queue-name`` and ``priority-class`` labels, the
    ``kueue.x-k8s.io/elastic-job`` annotation, ``spec.managedBy`` for MultiKueue)."""

    name: Name
    priority_class: Name | None = None  # a WorkloadPriorityClass
    # autoscaling under Kueue: workload slices (Kueue's ElasticJobsViaWorkloadSlices gate)
    elastic: bool = False
    multi_kueue: bool = Field(default=False, alias="multiKueue")  # run on a MultiKueue worker


QueueRef = Annotated[Queue, BeforeValidator(_queue, json_schema_input_type=str | Queue)]
