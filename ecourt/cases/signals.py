"""Hooks other capabilities attach to filing, so filing never imports them.

``application_submitted`` is sent inside the submission's transaction, after the application is
saved, on the first submission only (not on a resubmission after corrections). A receiver that
raises rolls the submission back, so what it does and the submission land together or not at
all. The mediation capability uses it to honour the plaintiff's ADR preference.
"""

from __future__ import annotations

from django.dispatch import Signal

#: Arguments: ``application`` (locked, saved), ``actor``.
application_submitted = Signal()
