"""Privacy: a candidate's data export, erasure, and the retention purge."""
