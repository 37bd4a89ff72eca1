"""`commit confirmed` end to end: a real `esacli run` rolls an unconfirmed commit back by
itself, while running and at boot (before its engine starts), and its engine then
serves the previous policy.

Minutes are too long for a test: the confirmed commits are made through state's API
with a deadline seconds away (the CLI only takes whole minutes, 1 to 60).
"""

from __future__ import annotations

import time

from state import model
from state.model import Listener, TLSMode
from state.secrets import Secrets
from state.session import Session
from state.store import Store
from tests.kit.appliance import Appliance
from tests.kit.ports import accepts, reserve
from tests.kit.smtp import starttls_offered
from tests.kit.waiting import wait_until

AUTO_COMMENT = "Version {v} was not confirmed: automatic rollback to version {p}"


def offers_starttls(app: Appliance) -> bool:
    return starttls_offered(app.inbound)


def commit_starttls(app: Appliance, store: Store, deadline: float) -> int:
    """admin turns STARTTLS on for InboundMail with a confirmed commit; its version."""
    session = Session(store, Secrets(app.data), "admin", "ssh")
    li = model.by_name(session.candidate.listeners, "InboundMail")
    assert isinstance(li, Listener)
    hat = model.replace(li.hat, default=model.replace(li.hat.default, tls=TLSMode.PREFERRED))
    listeners = model.put(session.candidate.listeners, model.replace(li, hat=hat))
    session.stage(model.replace(session.candidate, listeners=listeners))
    result = session.commit("try STARTTLS", confirm_until=deadline)
    assert result is not None
    return result.info.number


def assert_rolled_back(store: Store, version: int) -> None:
    info = store.info(version + 1)
    assert (info.parent, info.user, info.source) == (version, "system", "rollback")
    assert info.comment == AUTO_COMMENT.format(v=version, p=version - 1)
    assert store.load(version + 1) == store.load(version - 1)
    assert store.confirmation() is None


def test_the_running_appliance_rolls_back_by_itself(appliance: Appliance) -> None:
    app = appliance
    assert not offers_starttls(app)
    store = Store(app.data)  # a second process on the data dir, like `esacli shell`
    try:
        version = commit_starttls(app, store, time.time() + 3)
        wait_until(lambda: offers_starttls(app), what="the confirmed commit to apply")
        wait_until(lambda: store.head_number() == version + 1, what="the automatic rollback")
        assert_rolled_back(store, version)
        wait_until(lambda: not offers_starttls(app), what="the previous policy to apply")
    finally:
        store.close()
    wait_until(lambda: "was not confirmed by its deadline" in app.system_logs(),
               what="the system_logs line")
    assert (f"version {version} by admin was not confirmed by its deadline; rolled back to"
            f" version {version - 1} as version {version + 1}") in app.system_logs()


def test_an_appliance_restarted_past_the_deadline_rolls_back_at_boot(
    appliance: Appliance,
) -> None:
    app = appliance
    app.stop()
    store = Store(app.data)
    try:
        session = Session(store, Secrets(app.data), "admin", "ssh")
        inbound = model.by_name(session.candidate.listeners, "InboundMail")
        assert inbound is not None
        trial = model.replace(inbound, name="Trial", port=reserve())
        session.stage(model.replace(session.candidate,
                                    listeners=(*session.candidate.listeners, trial)))
        # the deadline passes while the appliance is down
        result = session.commit("a trial listener", confirm_until=time.time())
        assert result is not None
        app.start()  # returns once InboundMail listens
        assert_rolled_back(store, result.info.number)
    finally:
        store.close()
    # rolled back before the engine started: the trial listener never ran
    assert "SMTP listener InboundMail starting" in app.mail_logs()
    assert "SMTP listener Trial starting" not in app.mail_logs()
    assert not accepts(trial.port)
