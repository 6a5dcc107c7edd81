"""No PostgreSQL password appears in any message (issue 12, item 9): not from the URL's user
information, not from a query parameter (``password``, ``sslpassword``, in any letter case,
its name percent-encoded), not from a driver error that quotes the URL. Every message path,
each asserted exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pg
from timeline import Log, LogError, SchemaVersionError
from timeline.cli import main
from timeline.stores.postgres import _masked

pytest.importorskip("psycopg")

SECRETS = ("hunter22", "hunter23", "hunter24", "hu%zzter", "hu@ter")
UNREACHABLE = ("Is the server running on that host and accepting TCP/IP connections? Check "
               "that the server runs and that the URL's host, port, database and user are "
               "right. An append cut off here may or may not have been committed: retry it "
               "with the same idempotency key.")
BAD_URL = ("Check its form, postgresql://USER@HOST[:PORT]/DB; write @ : / ? # % in a user "
           "name or password percent-encoded (%40 for @).")


def run(*args: object) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], prog_name="timeline")
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr
    return result


@pytest.mark.parametrize("url, shown", [
    ("postgresql://u:hunter22@h/db", "postgresql://u:***@h/db"),
    ("postgres://u:hunter22@h:5433/db", "postgres://u:***@h:5433/db"),
    ("postgresql://u:hunter22@h1:5432,h2:5433/db", "postgresql://u:***@h1:5432,h2:5433/db"),
    ("postgresql://u:hu%40ter@[::1]:5432/db", "postgresql://u:***@[::1]:5432/db"),
    # libpq reads a '?' or '#' before the '@' as part of the password (urlsplit would not)
    ("postgresql://u:hun?ter#22@h/db", "postgresql://u:***@h/db"),
    ("postgresql://:hunter22@h/db", "postgresql://:***@h/db"),
    ("postgresql://u@h/db?password=hunter22", "postgresql://u@h/db?password=***"),
    ("postgresql://u@h/db?connect_timeout=5&password=hunter22&application_name=tl",
     "postgresql://u@h/db?connect_timeout=5&password=***&application_name=tl"),
    ("postgresql://u@h/db?sslpassword=hunter22", "postgresql://u@h/db?sslpassword=***"),
    ("postgresql://u@h/db?PassWord=hunter22", "postgresql://u@h/db?PassWord=***"),
    ("postgresql://u@h/db?pass%77ord=hunter22", "postgresql://u@h/db?pass%77ord=***"),
    ("postgresql://u@h/db?password=hu%40ter", "postgresql://u@h/db?password=***"),
    ("postgresql://u:hunter22@h?password=hunter23", "postgresql://u:***@h?password=***"),
    ("postgresql://h/db?oauth_client_secret=hunter22", "postgresql://h/db?oauth_client_secret=***"),
    # nothing secret: unchanged, byte for byte
    ("postgresql://u@h/db?options=-csearch_path%3Dteam_a", "postgresql://u@h/db?options="
     "-csearch_path%3Dteam_a"),
    ("postgresql://h:5432/db?user=a@b", "postgresql://h:5432/db?user=a@b"),
    ("postgresql:///db", "postgresql:///db"),
])
def test_the_location_hides_every_password(url: str, shown: str) -> None:
    assert _masked(url)[0] == shown


def test_the_passwords_are_known_as_written_and_decoded() -> None:
    assert _masked("postgresql://u:hu%40ter@h/db?sslpassword=a%20b&x=1")[1] == (
        "hu%40ter", "hu@ter", "a%20b", "a b")


@pytest.mark.parametrize("url, shown", [
    ("postgresql://team:hunter22@127.0.0.1:1/tl", "postgresql://team:***@127.0.0.1:1/tl"),
    ("postgresql://team@127.0.0.1:1/tl?password=hunter22",
     "postgresql://team@127.0.0.1:1/tl?password=***"),
    ("postgresql://team@127.0.0.1:1/tl?sslpassword=hunter22&password=hunter23",
     "postgresql://team@127.0.0.1:1/tl?sslpassword=***&password=***"),
])
def test_cannot_be_reached_hides_the_password(url: str, shown: str, tmp_path: Path) -> None:
    source = tmp_path / "a.jsonl"
    assert run("init", source).exit_code == 0
    message = f"Error: log: {shown!r} cannot be reached: {UNREACHABLE}\n"
    for args in [("list", url), ("init", url), ("show", url, "x"), ("history", url, "x"),
                 ("record", url, "--date", "2013", "--title", "T"), ("verify", url),
                 ("export", url, "-f", "json"), ("copy", source, url), ("copy", url, source)]:
        result = run(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", message), args
    with pytest.raises(LogError) as info:
        Log(url)
    assert (str(info.value), info.value.value) == (message[len("Error: "):-1], shown)


@pytest.mark.parametrize("url, shown, reason", [
    # libpq quotes the token it cannot decode: the password itself
    ("postgresql://team:hu%zzter@127.0.0.1:1/tl", "postgresql://team:***@127.0.0.1:1/tl",
     'invalid percent-encoded token: "***"'),
    ("postgresql://team@127.0.0.1:1/tl?password=hu%zzter",
     "postgresql://team@127.0.0.1:1/tl?password=***", 'invalid percent-encoded token: "***"'),
    ("postgresql://team@127.0.0.1:1/tl?PASSWORD=hunter22",
     "postgresql://team@127.0.0.1:1/tl?PASSWORD=***", 'invalid URI query parameter: "PASSWORD"'),
])
def test_a_url_libpq_cannot_parse_hides_the_password(url: str, shown: str, reason: str) -> None:
    message = f"Error: log: {shown!r} is not a valid PostgreSQL URL: {reason}. {BAD_URL}\n"
    for command in ("list", "init"):
        result = run(command, url)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)


def with_passwords(url: str) -> tuple[str, str]:
    """A URL of the test server holding passwords (trust authentication ignores them), and
    the URL as messages must show it."""
    secret = url.replace("postgres@", "postgres:hunter22@", 1) + (
        "&password=hunter23&sslpassword=hunter24")
    shown = url.replace("postgres@", "postgres:***@", 1) + "&password=***&sslpassword=***"
    return secret, shown


def test_every_message_of_a_reachable_server_hides_the_password(tmp_path: Path) -> None:
    url, shown = with_passwords(pg.new_postgres_log_url("secret"))
    result = run("list", url)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: log: {shown!r} holds no timeline log (no timeline_meta table). Create one "
           f"with: timeline init {shown}\n")
    result = run("init", url)
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"created {shown}\n", "")
    result = run("init", url)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: log: {shown!r} already holds a timeline log. Choose another database or "
           "schema, or use the existing log.\n")
    source = tmp_path / "a.jsonl"
    run("init", source)
    run("record", source, "--id", "a", "--date", "2013", "--title", "A")
    head = Log(source).head[1]
    result = run("copy", source, url)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, f"copied 1 entries to {shown}; ok: 1 events, head {head}\n", "")
    result = run("copy", source, url)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: log: {shown!r} already holds 1 entry. Copy into a new or empty log.\n")
    result = run("copy", url, url)
    assert (result.exit_code, result.stderr) == (  # a long value is shortened
        1, f"Error: destination: {repr(shown)[:68]}...' ({len(shown)} chars) is the log being "
           "copied. Copy to another file or database.\n")
    assert run("verify", url).stdout == (f"ok: 1 entries, 1 events, head {head}\n"
                                         "read model: ok: 1 event at position 1\n")
    log = Log(url)
    assert (log.location, repr(log.store)) == (shown, f"PostgresStore({shown!r})")
    for secret in SECRETS:
        assert secret not in repr(vars(log)) and secret not in repr(log.store)
    log.store.close()

    from test_stores_sql import execute

    from timeline.stores.sql import SCHEMA_VERSION

    newer = SCHEMA_VERSION + 1
    execute(url, "UPDATE timeline_meta SET value = ? WHERE key = 'schema_version'", (str(newer),))
    with pytest.raises(SchemaVersionError):
        Log(url)
    result = run("list", url)
    assert (result.exit_code, result.stderr) == (
        4, f"Error: log: {shown!r} has schema version {newer}, newer than version "
           f"{SCHEMA_VERSION} which this "
           "version of diplomatic-timeline reads. Upgrade diplomatic-timeline.\n")
    execute(url, "UPDATE timeline_meta SET value = 'x' WHERE key = 'schema_version'")
    result = run("list", url)
    assert (result.exit_code, result.stderr) == (
        4, f"Error: log: {shown!r} has no valid schema_version in timeline_meta. Restore the "
           "database from a backup.\n")
    execute(url, "UPDATE timeline_meta SET value = '1' WHERE key = 'schema_version'")
    execute(url, "DROP TABLE timeline_entries")
    result = run("list", url)
    assert (result.exit_code, result.stderr) == (
        1, f"Error: log: {shown!r}: the database refused: relation \"timeline_entries\" does "
           "not exist. Check the database user's rights on the log's tables.\n")
