"""YAML: hostile or broken YAML gets a positioned error, in bounded time."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import InvalidInput
from generator.load.documents import MAX_DEPTH, MAX_FILE_BYTES, load_file, load_text


def error_of(path: Path) -> tuple[str, int, int]:
    with pytest.raises(InvalidInput) as caught:
        load_file(path, path.name)
    (d,) = caught.value.diagnostics
    return d.code, d.line, d.col


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\nb: \x00\x01\x02\n")
    assert error_of(path) == ("RG005", 2, 4)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\nname: caf" + b"\xe9\n")
    assert error_of(path) == ("RG005", 2, 10)


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert error_of(path) == ("RG004", 1, 1)


def test_deep_flow_nesting_does_not_crash(tmp_path: Path) -> None:
    # libyaml's composer recurses without a limit: 100k "[" would kill the interpreter
    path = tmp_path / "x.yaml"
    path.write_text("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert error_of(path) == ("RG004", 1, 4 + MAX_DEPTH)


def test_deep_block_nesting(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * 70 + "v\n")
    code, line, _ = error_of(path)
    assert (code, line) == ("RG004", MAX_DEPTH + 2)


def test_brackets_in_strings_and_comments_are_not_nesting() -> None:
    text = 'a: "' + "[" * 100 + '"\n# ' + "{" * 100 + "\nb: [1, '[[', [2]]\nc: don't [\n"
    (doc,) = load_text(text, "x.yaml")
    assert doc.data == {"a": "[" * 100, "b": [1, "[[", [2]], "c": "don't ["}


def test_positions_of_keys_and_values() -> None:
    (doc,) = load_text("spec:\n  head:\n    computeTemplate: t\n  list: [1, 2]\n", "x.yaml")

    def at(*path: str | int) -> tuple[int, int]:
        pos = doc.pos(path)
        return pos.line, pos.col

    assert at("spec", "head", "computeTemplate") == (3, 22)
    assert at("spec", "list", 1) == (4, 13)
    # an absent path falls back to its nearest ancestor (a block mapping: its key)
    assert at("spec", "head", "missing") == (2, 3)


def test_yaml_1_2_scalars() -> None:
    (doc,) = load_text("a: yes\nb: 0o17\nc: 1_000\nd: .inf\ne: ~\nf: 2024-01-01\n", "x.yaml")
    assert doc.data == {"a": "yes", "b": 15, "c": 1000, "d": float("inf"), "e": None,
                        "f": "2024-01-01"}


def test_empty_documents_are_skipped() -> None:
    assert [d.data for d in load_text("---\n---\na: 1\n---\n", "x.yaml")] == [{"a": 1}]


def test_non_scalar_key() -> None:
    with pytest.raises(InvalidInput) as caught:
        load_text("? [a, b]\n: 1\n", "x.yaml")
    assert caught.value.diagnostics[0].code == "RG001"


@pytest.mark.parametrize(("text", "value"), [("0644", 420), ("0o644", 420), ("644", 644),
                                             ("'0644'", "0644"), ("0", 0)])
def test_manifests_read_numbers_as_kubernetes_does(text: str, value: object) -> None:
    (doc,) = load_text(f"defaultMode: {text}\nreplicas: {text}\n", "m.yaml", kubernetes=True)
    assert doc.data == {"defaultMode": value, "replicas": value}


@pytest.mark.parametrize(("text", "value"), [("yes", True), ("No", False), ("on", True),
                                             ("OFF", False), ("y", True), ("'yes'", "yes")])
def test_manifests_read_yaml11_booleans(text: str, value: object) -> None:
    (doc,) = load_text(f"readOnly: {text}\n", "m.yaml", kubernetes=True)
    assert doc.data == {"readOnly": value}


@pytest.mark.parametrize(("text", "mode", "other"), [("0644", 420, 644), ("0o644", 420, 420),
                                                     ("420", 420, 420)])
def test_specs_read_mode_fields_as_octal(text: str, mode: int, other: int) -> None:
    (doc,) = load_text(f"defaultMode: {text}\nmode: {text}\nsize: {text}\n", "s.yaml")
    assert doc.data == {"defaultMode": mode, "mode": mode, "size": other}
    (doc,) = load_text("readOnly: yes\n", "s.yaml")
    assert doc.data == {"readOnly": "yes"}  # specs are YAML 1.2 otherwise


CORPUS = sorted([*(p for p in (Path(__file__).parents[2] / "specs").rglob("*.yaml")),
                 *(Path(__file__).parents[1] / "cases").rglob("*.yaml")])


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_the_c_and_the_pure_python_parsers_agree(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ruamel.yaml's C parser (a dependency) and its pure-Python one give the same data,
    positions and errors, for specs and manifests alike."""
    from ruamel.yaml import YAML

    import generator.load.documents as documents

    def outcome(kubernetes: bool) -> object:
        try:
            return [(d.data, d.values, d.keys) for d in
                    load_file(path, path.name, kubernetes=kubernetes)]
        except InvalidInput as exc:  # libyaml words its syntax errors its own way
            return [(d.file, d.line, d.col, d.code) for d in exc.diagnostics]

    fast = [outcome(False), outcome(True)]
    monkeypatch.setattr(documents, "_yaml", lambda *_: YAML(typ="safe", pure=True))
    assert [outcome(False), outcome(True)] == fast


def test_positions_made_later_are_those_made_at_once() -> None:
    """Documents are read without positions, which are made when a finding needs them:
    the data and every position are what reading with positions gives."""
    from generator.load.documents import _documents
    from tests.helpers import CASES, ROOT

    paths = [*sorted((ROOT / "specs").rglob("*.yaml")), *sorted(CASES.rglob("*.yaml"))]
    compared = 0
    for path in paths:
        text = path.read_text()
        for kubernetes in (False, True):
            try:
                eager = _documents(text, path.name, kubernetes, positions=True)
            except InvalidInput:
                continue
            lazy = _documents(text, path.name, kubernetes, positions=False)
            assert [d.data for d in lazy] == [d.data for d in eager], path
            for later, now in zip(lazy, eager, strict=True):
                assert later.pos(()) == now.pos(())
                assert (later.values, later.keys) == (now.values, now.keys), path
                compared += 1
    assert compared > 100


def test_yaml_in_a_literal_block_is_placed_at_its_own_lines() -> None:
    from generator.load.documents import Pos, load_text

    text = ("kind: RayService\nspec:\n  serveConfigV2: |\n\n    applications:\n"
            "      - name: fruit\n        route_prefix: fruit\n  other: 1\n")
    [doc] = load_text(text, "m.yaml", kubernetes=True)
    # blank lines are content: the route is on line 7, its value at column 23
    assert doc.pos(("spec", "serveConfigV2", "applications", 0, "route_prefix")) == Pos(7, 23)
    assert doc.pos(("spec", "serveConfigV2")).line == 3  # the block itself
    [bad] = load_text("spec:\n  script: |\n    echo: [unclosed\n", "s.yaml")
    assert bad.pos(("spec", "script", "echo")).line == 2  # not YAML: the block's own line
