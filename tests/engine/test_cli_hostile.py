"""The command line under careless or hostile input: one line on stderr, exit 2, no secrets."""

from __future__ import annotations

from tests.engine.conftest import paid_order
from tests.engine.conftest import run_cli as run
from workshop_tui.db.engine import mask_url


def one_clean_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    return result.output.strip()


def test_a_password_in_the_query_string_is_masked():
    masked = mask_url("postgresql://u@h/db?password=hunter2&sslpassword=s3cret&sslmode=require")
    assert "hunter2" not in masked and "s3cret" not in masked and "sslmode=require" in masked


def test_db_status_never_prints_a_query_string_password(scratch_url):
    # The embedded server's URL already has a query (?host=...): add to it, not a second "?".
    result = run(
        scratch_url + ("&" if "?" in scratch_url else "?") + "password=hunter2", "db", "status"
    )
    assert "hunter2" not in result.output and "password=***" in result.output


def test_a_url_with_a_bad_port_is_one_line_and_exit_2():
    line = one_clean_line(run("postgresql://u:hunter2@127.0.0.1:abc/x", "db", "status"))
    assert "not a database URL" in line and "hunter2" not in line


def test_ledger_verify_on_a_database_without_the_schema_is_exit_2(scratch_url):
    line = one_clean_line(run(scratch_url, "ledger", "verify"))
    assert "workshop db upgrade" in line


def test_ledger_verify_refuses_a_binary_witness(services, database, shop, tmp_path):
    paid_order(services, shop)
    witness = tmp_path / "heads.bin"
    witness.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    assert "witness" in one_clean_line(
        run(database.url, "ledger", "verify", "--witness", str(witness))
    )


def test_ledger_verify_refuses_an_empty_witness(services, database, shop, tmp_path):
    paid_order(services, shop)
    witness = tmp_path / "heads.txt"
    witness.write_text("")
    assert "empty" in one_clean_line(
        run(database.url, "ledger", "verify", "--witness", str(witness))
    )
    witness.write_text("# only a comment\n\n")
    one_clean_line(run(database.url, "ledger", "verify", "--witness", str(witness)))


def test_seed_load_of_a_non_utf8_file_is_exit_2(database, tmp_path):
    from seed import TABLES

    for table in TABLES:
        (tmp_path / f"{table}.csv").write_bytes(b"id,name\n1,caf\xe9\n")
    assert "UTF-8" in one_clean_line(run(database.url, "seed", "load", str(tmp_path)))


def test_user_add_refuses_a_whitespace_only_password(database):
    result = run(database.url, "user", "add", "--username", "newbie", stdin="          \n")
    assert "invalid_input" in one_clean_line(result)
