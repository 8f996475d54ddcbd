"""What erasing a candidate removes from imports.

Import runs keep, for their report, the refused rows' numbers, external ids and problems —
never a cell's value (the problems are written not to quote one). An external id still points
at the person in the other system, so erasure replaces it in every refused row that names the
candidate or one of their interviews. Uploads waiting to be imported (or being imported) hold
the whole file: one that has the candidate's email address or external id in any cell is
deleted, and its run says why.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from portal.extensions import db
from portal.models import Candidate, ImportKind, ImportRun, ImportStatus, Interview, utcnow
from portal.unit_of_work import after_commit

ERASED = "[erased]"


def forget_candidate(candidate: Candidate) -> int:
    """Scrub the candidate from import runs (call before their profile is blanked). Returns
    how many uploaded files are deleted once the erasure commits."""
    ids: dict[tuple[ImportKind, str], set[str]] = {}
    if candidate.external_source and candidate.external_id:
        ids[(ImportKind.CANDIDATES, candidate.external_source)] = {candidate.external_id}
    for source, external_id in db.session.execute(
        select(Interview.external_source, Interview.external_id).where(
            Interview.candidate_id == candidate.id, Interview.external_id.is_not(None)
        )
    ):
        ids.setdefault((ImportKind.INTERVIEWS, source), set()).add(external_id)
    sources = {source for _, source in ids}
    if sources:
        for run in db.session.scalars(
            select(ImportRun).where(ImportRun.refused_count > 0, ImportRun.source.in_(sources))
        ):
            named = ids.get((run.kind, run.source), set())
            if any(entry.get("external_id") in named for entry in run.refused or []):
                run.refused = [
                    {**e, "external_id": ERASED} if e.get("external_id") in named else e
                    for e in run.refused
                ]
    needles = {candidate.email.casefold()}
    needles |= {i.casefold() for found in ids.values() for i in found}
    deleted = 0
    for run in db.session.scalars(
        select(ImportRun).where(
            ImportRun.stored_path.is_not(None),
            ImportRun.status.in_([ImportStatus.UPLOADED, ImportStatus.RUNNING]),
        )
    ):
        path = Path(run.stored_path)
        if path.exists() and _mentions(path, needles):
            after_commit(path.unlink, missing_ok=True)
            run.stored_path = None
            run.status = ImportStatus.FAILED
            run.finished_at = utcnow()
            run.last_error = (
                "The uploaded file was deleted: it held data of a candidate who has since been "
                "erased. Upload it again without them."
            )
            deleted += 1
    return deleted


def _mentions(path: Path, needles: set[str]) -> bool:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        return any(cell.strip().casefold() in needles for row in reader for cell in row)
