"""showconfig, saveconfig, loadconfig and commitdetail in the shell: the file reproduces a
configuration exactly on a fresh appliance, with its secrets encrypted or masked (then
loadconfig asks for them), and a bad file is refused with every problem listed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from state import config_file, model, users
from state.defaults import factory_config
from state.edit import users as edit
from state.model import TLSMode
from state.model_access import Role, UserAccount
from state.secrets import Secrets
from state.store import Store
from tests.esacli.accounts import CTRL_C, CTRL_D, password, remote, screen_of, with_accounts
from tests.kit.certs import pem_lines
from tests.kit.shell import LocalAppliance, load

PASSPHRASE = "a long passphrase"


def fresh(data: Path) -> LocalAppliance:
    """An appliance as it comes: version 1, the admin account with a password of its own."""
    secrets, store = Secrets(data), Store(data)
    store.write(factory_config(secrets), None, "admin", "test", "factory")
    secrets.set_password("fresh-admin-pw", "admin")
    return LocalAppliance(store, secrets)


@pytest.fixture
def source(tmp_path: Path) -> LocalAppliance:
    """An appliance with accounts, a key for op, a Read-Only bob and a TLS setting."""
    app = with_accounts(tmp_path / "a")
    session = remote(app, "admin")
    config = edit.put_user(session.candidate, UserAccount("bob", Role.READ_ONLY, "Bob"))
    dest = model.replace(config.destinations, default=model.replace(
        config.destinations.default, tls=TLSMode.PREFERRED))
    session.stage(model.replace(config, destinations=dest, hostname="gw.example.com"))
    session.stage_password("bob", users.hash_password(password("bob")))
    session.commit("seed")
    return app


def saved(app: LocalAppliance) -> Path:
    [path] = (app.store.data_dir / "configuration").glob("esacli-*.conf")
    return path


async def save(app: LocalAppliance, passphrase: str | None) -> Path:
    lines = ["saveconfig", "2", passphrase, passphrase] if passphrase else ["saveconfig", "1"]
    screen = await screen_of(remote(app, "admin"), lines)
    path = saved(app)
    assert f'to the location "/configuration/{path.name}".\nConfiguration saved.' in screen
    assert path.stat().st_mode & 0o077 == 0
    return path


def copy_to(path: Path, app: LocalAppliance) -> str:
    folder = app.store.data_dir / "configuration"
    folder.mkdir(exist_ok=True)
    shutil.copy(path, folder / path.name)
    return path.name


async def test_showconfig_masks_every_secret(source: LocalAppliance) -> None:
    screen = await screen_of(remote(source, "ro"), ["showconfig", "", "showconfig", "x", "1"])
    config = source.store.load()
    text = config_file.dump(config, config_file.file_secrets(config, source.secrets))
    assert screen.endswith("[1]> 1\n\n" + text + "\ngw.example.com> ")
    assert "That value is not valid." in screen
    assert "PRIVATE KEY" not in screen and "scrypt" not in screen


async def test_only_an_administrator_writes_secrets_encrypted(source: LocalAppliance) -> None:
    screen = await screen_of(remote(source, "ro"), ["showconfig", "2"])
    assert "Only an Administrator can write the keys and passwords encrypted" in screen
    assert "secret.salt" not in screen and 'secret.password[admin] = "masked"' in screen


async def test_encrypted_file_reproduces_the_configuration(source: LocalAppliance,
                                                           tmp_path: Path) -> None:
    name = copy_to(await save(source, PASSPHRASE), target := fresh(tmp_path / "b"))
    session = remote(target, "admin")
    screen = await screen_of(session, [
        "loadconfig", "2", "missing.conf", "loadconfig", "2", name, "wrong passphrase",
        PASSPHRASE, "commit", "loaded"])
    assert 'Error: the file "missing.conf" does not exist.' in screen
    assert screen.count("Enter your Passphrase to make changes: ") == 2
    assert "The passphrase does not open the secrets of this file." in screen
    assert "Values have been loaded." in screen and "Changes committed:" in screen
    assert target.store.load() == source.store.load()  # version to version
    for user in ("admin", "op", "bob"):  # the accounts' passwords came along
        assert session.accounts.check_password(user, password(user))
    demo = target.store.load().certificates[0].key_id
    assert target.secrets.key_path(demo).read_text() == source.secrets.key_path(demo).read_text()


async def test_masked_file_asks_for_the_secrets(source: LocalAppliance, tmp_path: Path) -> None:
    text = (await save(source, None)).read_text()
    target = fresh(tmp_path / "b")
    demo = source.store.load().certificates[0].key_id
    wrong = target.secrets.key_path(target.store.load().certificates[0].key_id).read_text()
    right = source.secrets.key_path(demo).read_text()
    passwords = [x for u in ("op", "ro", "guest", "bob") for x in (password(u), password(u))]
    session = remote(target, "admin")
    screen = await screen_of(session, [
        "loadconfig", "1", *text.splitlines(), CTRL_D,
        *pem_lines(wrong), "not a key", ".", *pem_lines(right), "short", *passwords,
        "showchanges", "commit", "loaded"])
    assert screen.count('The private key of the certificate profile "Demo" is masked') == 3
    assert "That private key is not the one of this certificate profile." in screen
    assert 'The password of the account "op" is masked in this file.' in screen
    assert "The password must be at least 8 characters long." in screen
    assert 'The password of the account "admin"' not in screen  # this appliance has one
    assert target.store.load() == source.store.load()
    assert session.accounts.check_password("admin", "fresh-admin-pw")  # kept
    assert session.accounts.check_password("bob", password("bob"))


async def test_a_bad_file_is_refused_listing_every_problem(source: LocalAppliance,
                                                           tmp_path: Path) -> None:
    path = await save(source, None)
    text = path.read_text().replace("dns.port = 53", "dns.port = 0")
    text = text.replace("listeners[InboundMail].port = 2525", "listeners[InboundMail].port = x")
    head, count = text.rsplit("end = ", 1)  # one more setting: the end line counts it
    path.write_text(f"{head}nosuch.setting = 1\nend = {int(count) + 1}\n")
    session = remote(source, "admin")
    screen = await screen_of(session, ["loadconfig", "2", path.name, "showchanges"])
    number = text.splitlines().index("listeners[InboundMail].port = x") + 1
    assert f"""Parsing failed: nothing was loaded.
  line {number}: not a valid value: x
  listeners: Object missing required field `port` - at `$.listeners[0]`
  nosuch: missing, or not a setting of this appliance
""" in screen
    assert not session.pending
    path.write_text(path.read_text().replace("port = x\n", "port = 2525\n")
                    .replace("nosuch.setting = 1\n", "").replace(f"end = {int(count) + 1}",
                                                                  f"end = {count.strip()}")
                    .replace("access.min_password_length = 8", "access.min_password_length = 2"))
    screen = await screen_of(session, ["loadconfig", "2", path.name, "showchanges"])
    assert """The configuration is not valid: nothing was loaded.
  dns.port: The value must be an integer from 1 to 65535.
  access.min_password_length: The value must be an integer from 6 to 128.
""" in screen
    assert not session.pending


async def test_loadconfig_transcript(source: LocalAppliance) -> None:
    """Pending changes: asked first; an empty paste; Ctrl-C at the passphrase."""
    path = await save(source, PASSPHRASE)
    path.rename(path.with_name("saved.conf"))
    session = remote(source, "admin")
    session.stage(model.replace(session.candidate, hostname="pending.example.com"))
    screen = await screen_of(session, [
        "loadconfig", "n", "loadconfig", "y", "3", "1", CTRL_D,
        "loadconfig", "y", "2", "bad/name", "saved.conf", CTRL_C, "showchanges"])
    assert screen == load("loadconfig")
    assert session.pending  # nothing loaded: the pending change is still there


async def test_same_configuration_is_no_change(source: LocalAppliance) -> None:
    path = await save(source, PASSPHRASE)
    screen = await screen_of(remote(source, "admin"),
                             ["loadconfig", "2", path.name, PASSPHRASE])
    assert screen.endswith("No changes detected.\n\ngw.example.com> ")


async def test_operator_and_read_only_cannot_load_accounts(source: LocalAppliance,
                                                           tmp_path: Path) -> None:
    path = await save(source, PASSPHRASE)
    for user in ("op", "ro"):
        session = remote(source, user)
        edited = path.read_text().replace('users[op].role = "operator"',
                                          'users[op].role = "administrator"')
        path.write_text(edited)
        screen = await screen_of(session, ["loadconfig", "2", path.name, PASSPHRASE])
        assert "You are not in the correct access group" in screen
        assert not session.pending


async def test_saveconfig_interrupted_writes_nothing(source: LocalAppliance) -> None:
    session = remote(source, "admin")
    screen = await screen_of(session, ["saveconfig", "3", "2", "short", "long enough 1",
                                       "long enough 2", CTRL_C, "saveconfig", CTRL_D])
    assert not (source.store.data_dir / "configuration").exists()
    assert screen.count("Choose the passphrase option:") == 3
    assert "That value is not valid." in screen
    assert "The passphrase must be at least 8 characters long." in screen
    assert "The passphrases do not match." in screen
    assert screen.count("Enter a passphrase to encrypt the keys and passwords with: ") == 3


async def test_commitdetail(source: LocalAppliance, monkeypatch: pytest.MonkeyPatch) -> None:
    session = remote(source, "admin")
    screen = await screen_of(session, ["commitdetail 1", "commitdetail 3", "commitdetail a b"])
    assert "Version: 1\n" in screen and "The first version: every setting is new." in screen
    assert "There is no version 3. The versions are 1 to 2." in screen
    assert "commitdetail [version]" in screen
    session.stage_password("op", users.hash_password("op-password-2"))
    session.commit("only a password")
    screen = await screen_of(session, ["commitdetail", "commitdetail 2"])
    info = source.store.info(2)
    assert "Version: 3\n" in screen and "User: admin (ssh)\nComment: only a password" in screen
    assert "No configuration setting changed (for example, only a password)." in screen
    assert f"Comment: {info.comment}\n\nChanges from version 1:\n" in screen
    assert "hostname: 'mail.example.com' -> 'gw.example.com'\n" in screen
    assert "users[bob].name: (none) -> 'bob'\n" in screen
