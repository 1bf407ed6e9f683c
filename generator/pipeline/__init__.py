"""The run: spec files to rendered, validated files, in stages (``build.py`` names them), with
the cache that lets a run cost what changed."""
