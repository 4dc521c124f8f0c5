"""Paying in a real browser: the sandbox's paths and bank transfer, German and English, axe.

``payment.mjs`` lets Erika apply for a residents' parking permit (with the
registration as a PDF upload) seven times on the demo site and pay: with a card
that succeeds; declined, then paid again; with the extra confirmation step;
pending until the provider's webhook; and by bank transfer with the GiroCode.
axe-core (WCAG 2.0/2.1 A and AA) runs on every payment page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_accessibility import (
    _node,
    _run,
    _violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.long]

SCRIPT = Path(__file__).with_name("payment.mjs")
PATHS = {"success", "declineThenSuccess", "extraConfirmation", "laterByWebhook", "bankTransfer"}


def test_erika_pays_with_the_sandbox_and_by_transfer_in_both_languages(site: str) -> None:
    report = _run(_node(), SCRIPT, site)
    assert "error" not in report, report["error"]
    walks = report["walks"]
    failed = [f"{w['name']}: {w['error']}" for w in walks if w["error"] or not w["paid"]]
    assert not failed, "payment paths that did not end paid:\n" + "\n".join(failed)
    assert {w["path"] for w in walks} == PATHS
    assert {w["locale"] for w in walks} == {"de", "en"}
    for walk in walks:
        assert walk["listed"], walk
        if walk["path"] != "bankTransfer":
            assert walk["kassenzeichen"], walk
    names = {page["name"] for page in report["pages"]}
    for name in ("pay", "sandbox-card", "sandbox-confirm", "payment-failed", "pay-again",
                 "confirmation-paid", "confirmation-girocode", "my-applications"):  # fmt: skip
        assert name in names, name
    wrong_language = [
        f"{page['walk']} / {page['name']}: {page['lang']}"
        for page in report["pages"]
        if page["lang"] != page["walk"].rsplit("-", 1)[1]
    ]
    assert not wrong_language, wrong_language
    violations = _violations(report, walk="walk")
    assert not violations, f"{len(violations)} axe violations:\n" + "\n".join(violations)
