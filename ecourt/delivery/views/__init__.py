"""Pages of electronic delivery: ``recipient`` (the notification centre, the document page
that is the read receipt, address confirmation, preferences, the proof of service) and
``staff`` (a case's deliveries, issuing a document, the failed-service queue)."""
