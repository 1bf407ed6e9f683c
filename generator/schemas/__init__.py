"""The output schemas: where each lives (``folders.py``), their validators compiled once
(``outputs.py``), and the CRDs' CEL rules (``cel.py``)."""
