"""``ecourt witness`` against a running server: it cosigns a growing log, fetching the
consistency proof from what it last cosigned, and catches a log that rewrote its history
(exit 3, state kept, nothing posted). And ``ecourt evidence keygen|token`` on the server."""

from __future__ import annotations

import os
import re
import stat
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from ecourt.accounts.models import User
from ecourt.evidence.keys import log_verifier
from ecourt.evidence.models import Checkpoint, Cosignature, Deposit, LogHead, LogTile
from ecourt.evidence.services.log import deposits_create, log_integrate_all
from ecourt.evidence.services.registry import institution_for_token, witness_add
from ecourt.evidence.tests.factories import assert_log_sound, institution, records
from ecourt.evidence.tlog import note, witness_cli
from ecourt.evidence.tlog.witness import WitnessState

VERIFIER_LINE = re.compile(r"verifier key \(give it to the court\): (\S+)")


def deposit(n: int, seed: str, *, limit: int | None = None) -> int:
    inst, _secret = institution(f"Institution {seed}")
    deposits_create(actor=None, institution=inst, records=records(n, seed))
    log_integrate_all(limit=limit)
    return LogHead.objects.get(pk=1).size


def rewrite_log(n: int, seed: str) -> int:
    """Throw the log away and build another history of ``n`` entries (what a court that
    wanted to change an old entry would have to do)."""
    Checkpoint.objects.all().delete()  # and their cosignatures
    LogTile.objects.all().delete()
    LogHead.objects.all().delete()
    Deposit.objects.all().delete()
    return deposit(n, seed, limit=150)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_witness_cosigns_a_growing_log_and_refuses_a_rewritten_one(
    live_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], admin: User
):
    key_path = tmp_path / "w1.key"
    assert witness_cli.main(["--keygen", "w1.example", "--key", str(key_path)]) == 0
    verifier = VERIFIER_LINE.search(capsys.readouterr().out)
    assert verifier is not None
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    # A key is never overwritten.
    before = key_path.read_text()
    assert witness_cli.main(["--keygen", "w1.example", "--key", str(key_path)]) == 2
    assert key_path.read_text() == before
    witness = witness_add(actor=admin, verifier_key=verifier.group(1))

    state_path = tmp_path / "w1.key.state"
    run = [
        "--log",
        live_server.url + "/log",
        "--key",
        str(key_path),
        "--log-key",
        str(log_verifier()),
        "--once",
    ]
    # Before the first checkpoint there is nothing to cosign (the GET is a 404).
    assert witness_cli.main(run) == 1
    assert not state_path.exists()

    assert deposit(5, "first") == 5
    assert witness_cli.main(run) == 0
    assert "cosigned test.ecourt.invalid/evidence at size 5" in capsys.readouterr().out
    first = Checkpoint.objects.get(size=5)
    assert Cosignature.objects.get().checkpoint == first
    assert WitnessState.from_json(state_path.read_text()).size == 5

    assert deposit(300, "second", limit=120) == 305
    fetched: list[str] = []
    real_get = witness_cli._get

    def spy(url: str) -> bytes:
        fetched.append(url)
        return real_get(url)

    with mock.patch.object(witness_cli, "_get", spy):
        assert witness_cli.main(run) == 0
    assert any("/api/v1/evidence/log/consistency?from=5&to=305" in url for url in fetched)
    newest = Checkpoint.objects.get(size=305)
    assert newest.cosignatures.get().witness == witness
    state = WitnessState.from_json(state_path.read_text())
    assert (state.size, state.root_hash) == (305, bytes(newest.root_hash))
    assert Cosignature.objects.count() == 2
    # The same checkpoint again is fine (cosigned once).
    assert witness_cli.main(run) == 0
    assert Cosignature.objects.count() == 2
    capsys.readouterr()

    # The court rewrites its history, to a bigger log that does not extend what was cosigned.
    saved = state_path.read_bytes()
    assert rewrite_log(400, "rewritten") == 400
    assert witness_cli.main(run) == witness_cli.EXIT_FORK == 3
    assert "FORK DETECTED" in capsys.readouterr().err
    assert state_path.read_bytes() == saved
    assert not Cosignature.objects.exists()
    # … or to another tree of the very size the witness saw; or to a smaller one.
    for size in (305, 200):
        assert rewrite_log(size, f"again{size}") == size
        assert witness_cli.main(run) == 3
        assert state_path.read_bytes() == saved
        assert not Cosignature.objects.exists()
    assert assert_log_sound() == 200

    # A witness pinned to another log key refuses even to look.
    other = note.verifier_for(log_verifier().name, Ed25519PrivateKey.generate())
    wrong = [*run]
    wrong[wrong.index("--log-key") + 1] = str(other)
    assert witness_cli.main(wrong) == 1
    assert state_path.read_bytes() == saved
    assert not Cosignature.objects.exists()


def test_the_witness_command_line_needs_its_arguments(tmp_path: Path, capsys):
    key_path = tmp_path / "w.key"
    with pytest.raises(SystemExit) as info:
        witness_cli.main([])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        witness_cli.main(["--key", str(key_path), "--log", "http://127.0.0.1:9/log"])
    assert info.value.code == 2
    log_key = str(note.verifier_for("log.example", Ed25519PrivateKey.generate()))
    args = ["--key", str(key_path), "--log", "http://127.0.0.1:9/log", "--log-key", log_key]
    assert witness_cli.main([*args, "--once"]) == 2  # no key file yet
    assert witness_cli.main(["--keygen", "bad name", "--key", str(key_path)]) == 2
    assert not key_path.exists()
    assert witness_cli.main(["--keygen", "w.example", "--key", str(key_path)]) == 0
    # Nobody listens on port 9: the round fails, the state is untouched.
    assert witness_cli.main([*args, "--once"]) == 1
    assert not (tmp_path / "w.key.state").exists()
    # The log's key must be a log key (0x01), not a witness key.
    witness_key = VERIFIER_LINE.search(capsys.readouterr().out)
    assert witness_key is not None
    witness_args = [*args[:-1], witness_key.group(1), "--once"]
    assert witness_cli.main(witness_args) == 2
    assert witness_cli.api_base("https://court.example/log/") == "https://court.example/api/v1"


# --- ecourt evidence keygen | token ---------------------------------------------------------


def command(*args: str) -> str:
    out = StringIO()
    call_command("evidence", *args, stdout=out)
    return out.getvalue()


def test_keygen_prints_a_matching_signer_and_verifier_key():
    output = command("keygen", "--name", "x.example")
    signer = re.search(r"signer key \(keep secret\): (\S+)", output)
    verifier = re.search(r"verifier key: (\S+)", output)
    assert signer and verifier
    name, key = note.parse_signer_key(signer.group(1))
    parsed = note.parse_verifier(verifier.group(1))
    assert name == parsed.name == "x.example"
    assert parsed == note.verifier_for("x.example", key) and parsed.key_type == note.ED25519
    witness = re.search(r"verifier key: (\S+)", command("keygen", "--witness", "--name", "w.ex"))
    assert witness and note.parse_verifier(witness.group(1)).key_type == note.COSIGNATURE_V1
    with pytest.raises(CommandError):
        command("keygen", "--name", "has space")


def test_keygen_writes_a_key_file_once(tmp_path: Path):
    path = tmp_path / "keys" / "log.key"
    output = command("keygen", "--name", "court.example/evidence", "--write", str(path))
    assert "keep secret" not in output and "PRIVATE" not in output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    name, key = note.parse_signer_key(path.read_text())
    verifier = re.search(r"verifier key: (\S+)", output)
    assert verifier and note.parse_verifier(verifier.group(1)) == note.verifier_for(name, key)
    written = path.read_text()
    with pytest.raises(CommandError, match="never overwritten"):
        command("keygen", "--write", str(path))
    assert command("keygen", "--write", str(path), "--if-missing") == ""
    assert path.read_text() == written


@pytest.mark.django_db
def test_token_prints_a_token_that_authenticates():
    output = command("token", "--institution", "Foo")
    found = re.search(r"API token for Foo \(shown once\): (ect_\S+)", output)
    assert found
    institution = institution_for_token(found.group(1))
    assert institution is not None and institution.name == "Foo"
    second = re.search(r"(ect_\S+)", command("token", "--institution", "  Foo "))
    assert second and second.group(1) != found.group(1)
    assert institution_for_token(second.group(1)) == institution
    assert institution_for_token(found.group(1)) == institution
    institution.is_active = False
    institution.save()
    with pytest.raises(CommandError):
        command("token", "--institution", "Foo")
