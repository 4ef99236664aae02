"""Statutory rules for filing and cases, as data and pure functions (no database, no Django
request): litigation fees and case numbers. Deadlines are counted by ``ecourt.core.deadlines``,
which every capability shares."""
