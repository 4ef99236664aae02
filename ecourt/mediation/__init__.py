"""Online pre-filing mediation (issue 4). Started: only its statutory and assignment rules
exist so far (``rules.py``); the app is not installed yet (no models)."""
