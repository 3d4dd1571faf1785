"""Data imports: see pipeline.py for how a file becomes rows, kinds.py for the columns of each kind."""
