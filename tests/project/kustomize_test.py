"""The kustomize adapter: kustomize's messages as its own words."""

from __future__ import annotations

from generator.project.kustomize import message


def test_kubectls_klog_line_is_trimmed_to_kustomizes_error() -> None:
    stderr = ('E1204 17:09:25.117512   25566 run.go:72] "command failed" err="no resource matches '
              'strategic merge patch \\"ConfigMap.v1.[noGrp]/typo.[noNs]\\": no matches for Id '
              'ConfigMap.v1.[noGrp]/typo.[noNs]"\n')
    assert message(stderr) == ('no resource matches strategic merge patch '
                               '"ConfigMap.v1.[noGrp]/typo.[noNs]": no matches for Id '
                               'ConfigMap.v1.[noGrp]/typo.[noNs]')


def test_kustomizes_own_error_prefix_is_dropped() -> None:
    assert message("Error: accumulating resources: x\n") == "accumulating resources: x"
