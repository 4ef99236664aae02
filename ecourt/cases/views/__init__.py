"""Pages of the filing capability: ``applicant`` (the wizard and a person's applications) and
``court`` (the clerk's queue and decisions, case pages, the defendant's side)."""
