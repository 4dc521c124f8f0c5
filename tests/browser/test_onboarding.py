"""A new municipality is onboarded through the admin pages in a real browser, then goes live.

Starts from a database with nothing but the association's catalogue; the association admin
and everyone else log in through the development login. ``onboarding.mjs`` drives Debian's
Chromium (playwright-core) and checks every admin page with axe-core (WCAG 2.1 A and AA) in
German and English. Its first phase creates the tenant and invites its admin; this test reads
the invitation from the outbox, as the admin would from their mailbox, and hands the link to
the second phase: log in from the invitation, checklist, branding (an imprint that answers
404 first), statement, clerk, form, a test delivery into a folder, a sandbox test payment on
the sandbox's hosted page, go live, and a citizen's application. The third phase is the
clerk invited on the people page: the test reads their invitation from the outbox too, and
the clerk logs in from it and finds the citizen's submission in the clerk workplace.

The municipality's own website (imprint, privacy) is a real HTTP server on this machine,
allowed through ``AMTSWEG_LINK_CHECK_PRIVATE_HOSTS`` as a staging setup would.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest

from tests.browser.test_accessibility import _node, _run, _violations
from tests.images import png

pytestmark = [pytest.mark.browser, pytest.mark.long]

SCRIPT = Path(__file__).with_name("onboarding.mjs")


@pytest.fixture
def site(serve_site, settings) -> Iterator[str]:
    """Nothing but the association's catalogue; the municipality's website is on this machine."""
    with serve_site(
        "catalogue",
        "load",
        login_rate_limit="1000/minute",
        link_check_private_hosts="127.0.0.1",
        deliveries_dir=settings.storage_dir.parent / "deliveries",
    ) as url:
        yield url


def _invitation_link(settings, address: str) -> str:
    """The link of the invitation mailed to ``address``, read from the outbox folder."""
    for mail in sorted(settings.mail_outbox_dir.iterdir()):
        message = email.message_from_bytes(mail.read_bytes(), policy=policy.default)
        if message["To"] == address:
            body = message.get_body().get_content()
            found = re.search(r"http://\S+/t/kleinheim/invitation/\S+", body)
            assert found, "the invitation mail holds no link"
            return found.group(0)
    raise AssertionError(f"no invitation was mailed to {address}")


def test_a_municipality_is_onboarded_in_the_browser_and_takes_applications(
    site,
    settings,
    municipality_website,
    tmp_path,
) -> None:
    node = _node()
    first = _run(node, SCRIPT, site, "association")
    assert "error" not in first, first["error"]

    arms = tmp_path / "wappen.png"
    arms.write_bytes(png())
    link = _invitation_link(settings, "buergermeisterin@kleinheim.example")
    second = _run(node, SCRIPT, site, "tenant", link, municipality_website, str(arms))
    assert "error" not in second, second["error"]
    assert second["reference"].startswith("KLE-")
    delivered = list((settings.storage_dir.parent / "deliveries" / "kleinheim").iterdir())
    assert any(path.name.startswith("TEST-") for path in delivered), delivered

    clerk_link = _invitation_link(settings, "sachbearbeitung@kleinheim.example")
    third = _run(node, SCRIPT, site, "clerk", clerk_link, second["reference"])
    assert "error" not in third, third["error"]

    reports = (first, second, third)
    steps = [s["name"] for report in reports for s in report["steps"] if s["ok"]]
    for name in (
        "the test delivery arrives",
        "the sandbox test payment succeeds",
        "the clerk sees the submission",
        "the clerk opens it",
    ):
        assert name in steps, steps
    assert len(steps) == 24, steps
    pages = [page for report in reports for page in report["pages"]]
    assert {page["lang"] for page in pages} == {"de", "en"}
    violations = [line for report in reports for line in _violations(report, walk=None)]
    assert not violations, f"{len(violations)} axe violations:\n" + "\n".join(violations)
    audited = {page["name"] for page in pages}
    for name in ("overview", "create", "create-errors", "tenant", "checklist", "branding"):
        assert {f"{name}-de", f"{name}-en"} <= audited, name
    for name in ("accessibility", "people", "forms", "delivery", "delivery-target", "payment"):
        assert {f"{name}-de", f"{name}-en"} <= audited, name
    for name in ("clerk-submission", "clerk-list"):
        assert {f"{name}-de", f"{name}-en"} <= audited, name
    for name in ("xdf-import", "replace", "discard"):
        assert {f"{name}-de", f"{name}-en"} <= audited, name
    assert {"xdf-report-de", "xdf-imported-de", "xdf-errors-en", "replace-errors-en"} <= audited
    assert len(pages) == 54, sorted(audited)
