"""Layer 2: the spec models, one module per kind (generator.kinds names them)."""
