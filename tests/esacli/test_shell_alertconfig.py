"""alertconfig transcripts (§8.8): recipients with their classes and severities."""

from __future__ import annotations

from state import model
from state.model import AlertRecipient, Alerts
from state.session import Session
from tests.kit.shell import LocalAppliance, load, run_shell, transcript


async def test_new_with_bad_input_and_setup(session: Session) -> None:
    lines = ["alertconfig", "new", "not-an-address", "ops@example.com", "12", "8, hardware",
             "critical,3", "new", "OPS@example.com", "", "setup", "nobody", "alerts@example.com",
             "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert screen == load("alert_new")
    assert session.candidate.alerts == Alerts(
        recipients=(AlertRecipient(address="ops@example.com", classes=("System", "Hardware"),
                                   severities=("Critical", "Warning")),),
        from_address="alerts@example.com",
    )


async def test_edit_delete_clear_and_commit(appliance: LocalAppliance) -> None:
    session = appliance.session()
    alerts = Alerts(recipients=(
        AlertRecipient(address="a@example.com", classes=("System",), severities=("Warning",)),
        AlertRecipient(address="b@example.com"),
        AlertRecipient(address="c@example.com"),
    ))
    session.stage(model.replace(session.candidate, alerts=alerts))
    lines = ["alertconfig", "edit", "a@example.com", "b@example.com", "a2@example.com",
             "", "1, 3", "delete", "9", "c@example.com", "", "commit", "alerts",
             "alertconfig", "clear", "y", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert 'The address "b@example.com" already receives alerts.' in screen
    assert transcript("""
        Choose the Alert Class for this email address. Separate multiple choices with commas.
        1. All
        2. Anti-Spam
        3. Anti-Virus
        4. Directory Harvest Attack Prevention
        5. Hardware
        6. Updater
        7. Outbreak Filters
        8. System
        9. Clustering
        [8]> $
        """) in screen
    assert transcript("""
        Select a Severity Level. Separate multiple choices with commas.
        1. All
        2. Critical
        3. Warning
        4. Information
        [3]> 1, 3
        """) in screen
    assert "Are you sure you want to remove all alert recipients? [N]> y" in screen
    assert appliance.store.load().alerts.recipients == (
        AlertRecipient(address="a2@example.com", classes=("System",), severities=("All",)),
        AlertRecipient(address="b@example.com"),
    )
    assert session.candidate.alerts.recipients == ()
