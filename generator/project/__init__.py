"""The repository on disk: its settings and folders (``repo.py``), kustomize (``kustomize.py``),
the rendered tree (``write.py``) and the scaffold ``init`` writes (``scaffold.py``)."""
