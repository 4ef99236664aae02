"""The evidence transparency log's formats and proofs, with no dependency on Django: RFC 9162
Merkle trees (``merkle``), C2SP tlog-tiles paths (``tiles``), and C2SP signed notes,
checkpoints and cosignatures (``note``). The receipt verifier uses only this package, the
standard library and ``cryptography``."""
