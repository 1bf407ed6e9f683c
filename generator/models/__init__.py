"""The spec models, one module per kind (``models/kinds.py`` registers them), their
parsing from documents, and the index of specs by name (``references.py``)."""
