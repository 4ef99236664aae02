"""Electronic evidence (issue 5, started): only the transparency log's Django-free package
``tlog`` so far; see docs/evidence.md."""
