"""``ray start`` as the node runs it: rayStartParams through the operator, bash and Ray.

The operator writes each entry as ``--key=value`` (``--key`` for "true"; "false" dropped,
except for the options that take a boolean: ``convertParamMap`` in common/pod.go), and runs
``ulimit ...; ray start ...`` with ``/bin/bash -lc``: bash splits words, removes quotes and
expands braces. ``ray start`` (a click command) then refuses an option it does not have,
a value of the wrong type, or an extra argument, and Ray refuses a ``--resources`` JSON
that is no map of whole, non-negative numbers or that names CPU, GPU or memory. Any of
these: the node never starts.

The options of each Ray release are derived from Ray's own command line
(``schemas/derive_ray_start.py``) into ``schemas/ray-start/``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from functools import cache
from typing import Any

from generator.diagnostics import Finding, did_you_mean
from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import ClusterView, mapping, ray_container
from generator.rules.registry import cluster_rule
from generator.rules.versions import derived_for
from generator.schemas.folders import RAY_START
from generator.schemas.outputs import schemas_root

# options whose "true"/"false" the operator passes as a value (convertParamMap), by release
BOOLEAN_VALUED = {"1.5": ("log-color", "include-dashboard"),
                  "1.6": ("log-color", "include-dashboard"),
                  "1.7": ("log-color", "include-dashboard", "include-log-monitor")}
CLICK_BOOLS = {"1", "true", "t", "yes", "y", "on", "0", "false", "f", "no", "n", "off"}
DEFAULT_RESOURCES = ("CPU", "GPU", "memory", "object_store_memory")
MAX_RESOURCE_QUANTITY = 100e12  # ray_constants.MAX_RESOURCE_QUANTITY
OVERWRITE_ANNOTATION = "ray.io/overwrite-container-cmd"
CODE = "RG130"


@cache
def _options(minor: str) -> dict[str, Any]:
    path = schemas_root() / RAY_START / f"v{minor}.json"
    options: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["options"]
    return options


def releases() -> list[str]:
    return sorted((p.stem[1:] for p in (schemas_root() / RAY_START).glob("v*.json")),
                  key=lambda v: tuple(int(x) for x in v.split(".")))


@cluster_rule
def ray_start_options(view: ClusterView, target: Target) -> Iterator[Finding]:
    ray = view.runs_ray()
    options = _options(derived_for(ray, releases()))
    minor = ".".join(str(part) for part in ray[:2]) if ray else releases()[-1]
    valued = BOOLEAN_VALUED.get(target.release.version, BOOLEAN_VALUED["1.7"])
    for at, group in view.groups():
        if _own_command(group):
            continue  # the container runs its own `ray start`: these params do not reach it
        for key, value in mapping(group.get("rayStartParams")).items():
            if isinstance(value, str):
                found = check_option(str(key), value, options, valued, minor)
                if found:
                    yield Finding((*at, "rayStartParams", key), CODE, found[0], hint=found[1])


def check_option(key: str, value: str, options: dict[str, Any], valued: tuple[str, ...],
                 minor: str) -> tuple[str, str] | None:
    """What ``ray start`` of Ray ``minor`` (``options``: those of its derived release) says
    of ``--key`` with ``value``, as the operator and bash hand it over: (message, hint),
    or None when it takes it."""
    kind = options.get(key)
    lower = value.lower()
    if lower == "false" and key not in valued:
        return None  # the operator leaves it out: `ray start` never sees it
    if kind is None:
        return (f"`ray start` of Ray {minor} has no option --{key}: the node does not start",
                did_you_mean(key, list(options)))
    if lower == "true" and key not in valued:
        if kind != "flag":
            return (f"the operator writes {value!r} as the bare flag --{key}, which needs a "
                    "value: the node does not start", "")
        return None  # a flag on, or a "false" the operator leaves out
    if kind == "flag":
        return (f"--{key} takes no value (the operator passes --{key}={value}): the node does "
                "not start", f"write {key}: \"true\"")
    words = bash_words(value)
    if words is None:
        return None  # a $VARIABLE bash expands on the node: not known here
    if len(words) != 1:
        return (f"bash splits --{key}={value} into {len(words)} words, and `ray start` "
                "refuses the extra ones: the node does not start",
                "quote the value, as in '{\"accel\": 1}' inside the YAML string")
    return _typed(key, words[0], kind)


def _typed(key: str, word: str, kind: Any) -> tuple[str, str] | None:
    problem = None
    if kind == "int":
        try:
            int(word)
        except ValueError:
            problem = f"{word!r} is not a whole number"
    elif kind == "float":
        try:
            float(word)
        except ValueError:
            problem = f"{word!r} is not a number"
    elif kind == "bool" and word.lower() not in CLICK_BOOLS:
        problem = f"{word!r} is not a boolean"
    elif isinstance(kind, dict) and word not in kind.get("choice", ()):
        problem = f"{word!r} is not one of {', '.join(kind['choice'])}"
    elif key == "resources":
        problem = resources_problem(word)
    if problem is None:
        return None
    return f"--{key}: {problem}; `ray start` refuses it, and the node does not start", ""


def resources_problem(text: str) -> str | None:
    """What Ray refuses in a --resources JSON (parse_resources_json, RayParams._check_usage,
    ResourceAndLabelSpec's checks), or None."""
    try:
        found = json.loads(text)
    except ValueError:
        return f"{text!r} is not JSON (bash removed the quotes the YAML has?)"
    if not isinstance(found, dict):
        return "the JSON is not a map of resource names to amounts"
    for name, amount in found.items():
        if name in DEFAULT_RESOURCES:
            other = {"CPU": "num-cpus", "GPU": "num-gpus"}.get(name, name.replace("_", "-"))
            return f"{name} is no custom resource: use --{other}"
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            return f"the amount of {name} is not a number"
        if isinstance(amount, float) and not (math.isfinite(amount) and amount.is_integer()):
            return f"the amount of {name} ({amount}) is not a whole number"
        if amount < 0 or amount > MAX_RESOURCE_QUANTITY:
            return f"the amount of {name} ({amount}) is out of range"
    return None


def bash_words(text: str) -> list[str] | None:
    """``text`` as bash makes words of it (after ``--key=``): split at unquoted blanks,
    quotes removed; a brace expansion counts as the words it makes. None when bash would
    expand a variable or a command (not known here) or the quotes do not close."""
    words: list[str] = []
    word: list[str] = []
    quote = ""
    brace = 0
    comma = False
    started = False
    i = 0
    while i < len(text):
        char = text[i]
        if quote == "'":
            if char == "'":
                quote = ""
            else:
                word.append(char)
        elif quote == '"':
            if char == '"':
                quote = ""
            elif char == "\\" and i + 1 < len(text) and text[i + 1] in '"\\$`':
                i += 1
                word.append(text[i])
            elif char in "$`":
                return None
            else:
                word.append(char)
        elif char in "'\"":
            quote, started = char, True
        elif char == "\\" and i + 1 < len(text):
            i += 1
            word.append(text[i])
            started = True
        elif char in "$`":
            return None
        elif char in " \t\n":
            if started or word:
                words.append("".join(word))
            word, started = [], False
        else:
            if char == "{":
                brace += 1
            elif char == "}" and brace:
                brace -= 1
            elif char == "," and brace:
                comma = True
            word.append(char)
            started = True
        i += 1
    if quote:
        return None
    if started or word:
        words.append("".join(word))
    if comma:  # {a,b} unquoted: bash makes one word of each alternative
        words.append("")
    return words


def _own_command(group: dict[str, Any]) -> bool:
    """The operator leaves the container's command alone when it already runs `ray start`,
    or when the pod template asks it to (ray.io/overwrite-container-cmd)."""
    template = mapping(group.get("template"))
    annotations = mapping(mapping(template.get("metadata")).get("annotations"))
    if str(annotations.get(OVERWRITE_ANNOTATION, "")).lower() == "true":
        return True
    container = ray_container(group)
    text = " ".join(str(part) for key in ("command", "args")
                    for part in (container.get(key) or []) if isinstance(part, str)) \
        if isinstance(container.get("command") or [], list) \
        and isinstance(container.get("args") or [], list) else ""
    return "ray start" in text

