"""Candidate feedback reports: plain report types (types.py), built from released feedback
(queries.py, wording.py), rendered to tagged PDFs (renderer.py), stored and served (store.py,
routes.py)."""
