"""Layer 2: the spec models, one module per kind (generator.models.kinds names them)."""
