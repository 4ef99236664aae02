"""Writes of electronic delivery, split by sub-domain: ``issue`` (deliveries and notices),
``receipts`` (reached, read, acted, acked; served time; proofs; effects in the case),
``dispatch`` (the worker), ``staff`` (the failed-service queue), ``addresses``."""
