"""smtproutes transcripts (§8.2): NEW with the appliance's errors, PRINT, EDIT
ADD/REPLACE/REMOVE, DELETE of the default route, CLEAR, IMPORT/EXPORT, commit."""

from __future__ import annotations

from state import formats_routes, model
from state.model import Route, RouteHost
from state.session import Session
from tests.kit.shell import LocalAppliance, load, run_shell, transcript


def routes(session: Session) -> tuple[Route, ...]:
    return session.candidate.routes


def with_routes(session: Session, *items: Route) -> None:
    session.stage(model.replace(session.candidate, routes=items))


async def test_new_with_bad_input_and_print(session: Session) -> None:
    lines = ["smtproutes", "new", "bad..test", "Partner.Test", "", "mx1.partner.test:99999",
             "mx1.partner.test:2525, mx1.partner.test", "USEDNS, mx1.partner.test",
             "mx1.partner.test/pri=10, mx2.partner.test:2525/pri=20",
             "new", "partner.test", "", "new", "ALL", "USEDNS", "new", "all", "", "print", "",
             "exit", "y"]
    screen = await run_shell(session, lines)
    assert screen == load("routes_new")
    assert routes(session) == (
        Route(domain="partner.test", hosts=(
            RouteHost(host="mx1.partner.test", priority=10),
            RouteHost(host="mx2.partner.test", port=2525, priority=20))),
        Route(domain="ALL", hosts=(RouteHost(host="USEDNS"),)),
    )


async def test_edit_add_remove_replace_then_delete(session: Session) -> None:
    with_routes(session, Route(domain="a.test", hosts=(RouteHost(host="mx1.a.test"),)),
                Route(domain="ALL", hosts=(RouteHost(host="USEDNS"),)))
    lines = ["smtproutes", "edit", "b.test", "edit", "A.test", "add", "mx1.a.test:2525",
             "10.0.0.1/pri=5, [2001:db8::1]:26", "remove", "mx9.a.test",
             "mx1.a.test, 10.0.0.1, [2001:db8::1]:26", "10.0.0.1", "", "print",
             "delete", "all", "n", "delete", "ALL", "y", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert "The entry b.test does not appear to be in the routing table." in screen
    assert transcript("""
        []> add

        Enter the additional destination hosts, separated by commas, which you want mail for a.test to be delivered.
        []> mx1.a.test:2525

        The host mx1.a.test is already using the standard port.
        """) in screen
    assert transcript("""
        []> mx9.a.test

        The destination mx9.a.test does not appear to be in this route.

        Enter the destination hosts, separated by commas, to remove.
        []> mx1.a.test, 10.0.0.1, [2001:db8::1]:26

        A route must keep at least one destination.
        """) in screen
    assert transcript("""
        []> print

        Host routes for all domains:
        a.test  mx1.a.test, [2001:db8::1]:26
        ALL     USEDNS
        """) in screen
    assert "Are you sure you want to reset the default route? [N]> n" in screen
    assert routes(session) == (Route(domain="a.test", hosts=(
        RouteHost(host="mx1.a.test"), RouteHost(host="2001:db8::1", port=26))),)


async def test_replace_with_devnull_clear_and_commit(appliance: LocalAppliance) -> None:
    session = appliance.session()
    with_routes(session, Route(domain="a.test", hosts=(RouteHost(host="mx1.a.test"),)))
    lines = ["smtproutes", "edit", "a.test", "replace", "/dev/null", "", "",
             "commit", "discard a.test", "smtproutes", "clear", "y", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert "Are you sure you want to delete all of the configured routes? [N]> y" in screen
    assert appliance.store.load().routes == (
        Route(domain="a.test", hosts=(RouteHost(host="/dev/null"),)),)
    assert routes(session) == ()


async def test_export_and_import_with_a_malformed_file(appliance: LocalAppliance) -> None:
    session = appliance.session()
    table = (Route(domain=".partner.test", hosts=(RouteHost(host="10.0.0.9", port=2525),)),)
    with_routes(session, *table)
    folder = appliance.store.data_dir / "configuration"
    folder.mkdir()
    (folder / "bad.txt").write_text("# routes\na.test mx.a.test\nb.test mx:25, mx\n")
    (folder / "good.txt").write_text("B.test mx.b.test/pri=3\nALL /dev/null\n")
    lines = ["smtproutes", "export", "routes.txt", "import", "bad.txt", "print",
             "import", "good.txt", "", "exit", "y"]
    screen = await run_shell(session, lines)
    assert (folder / "routes.txt").read_text() == formats_routes.dump(table)
    assert transcript("""
        []> bad.txt

        Error on line 3: The host mx already has an alternate port (25).
        Import failed.

        There are currently 1 routes configured.
        """) in screen
    assert transcript("""
        Host routes for all domains:
        .partner.test  10.0.0.9:2525
        """) in screen
    assert routes(session) == (
        Route(domain="b.test", hosts=(RouteHost(host="mx.b.test", priority=3),)),
        Route(domain="ALL", hosts=(RouteHost(host="/dev/null"),)),
    )
