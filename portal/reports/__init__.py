"""Candidate feedback reports: plain report data (data.py) rendered to tagged PDFs (renderer.py)."""
