"""What KubeRay is, in tables: its kinds (``kinds.py``), the releases ray-gitops targets
(``releases.py``), how each kind's status reads (``health.py``), and its vocabulary of names,
limits and walks over groups (``vocabulary.py``)."""
