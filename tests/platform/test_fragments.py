"""A municipality's header and footer, drawn once and kept, still show what they should.

See amtsweg/platform/fragments.py: the parts are kept per language, per path
the app is served under, and per the values they show.
"""

from __future__ import annotations

from flask_babel import refresh
from jinja2.utils import pass_context

from amtsweg.platform.fragments import FragmentCache


def page(client, path: str, language: str = "de", **options) -> str:
    text = client.get(path, headers={"Accept-Language": language}, **options).get_data(as_text=True)
    refresh()  # the test's app context outlives a request: forget its language
    return text


def test_each_municipality_and_language_has_its_own_footer(client, create_tenant) -> None:
    create_tenant("musterstadt", "Gemeinde Musterstadt", contact_phone="+49 1234 5")
    create_tenant("beispieldorf", "Gemeinde Beispieldorf")
    german = page(client, "/t/musterstadt/")
    english = page(client, "/t/musterstadt/", "en")
    other = page(client, "/t/beispieldorf/")
    assert "Telefon: <a" in german
    assert "Barrierefreiheit</a>" in german
    assert "Phone: <a" in english
    assert "Accessibility</a>" in english
    assert "<strong>Gemeinde Beispieldorf</strong>" in other
    assert "+49 1234 5" not in other
    assert 'href="/t/beispieldorf/barrierefreiheit"' in other


def test_links_keep_the_path_the_app_is_served_under(client, create_tenant) -> None:
    create_tenant("musterstadt")
    plain = page(client, "/t/musterstadt/")
    served = page(client, "/t/musterstadt/", base_url="http://localhost/portal")
    assert 'href="/static/amtsweg.css"' in plain
    assert 'href="/portal/static/amtsweg.css"' in served
    assert 'href="/portal/t/musterstadt/barrierefreiheit"' in served
    assert 'href="/t/musterstadt/barrierefreiheit"' not in served


def test_a_part_pushed_out_by_others_is_drawn_again(app) -> None:
    drawn: list[str] = []

    def draw(name: str) -> str:
        drawn.append(name)
        return name

    template = app.jinja_env.from_string(
        "{% call cached(name) %}<p>{{ draw(name) }}</p>{% endcall %}",
        globals={"cached": pass_context(FragmentCache(kept=2)), "draw": draw},
    )
    with app.test_request_context():
        for name in ("a", "b", "a", "c", "b"):
            assert template.render(name=name) == f"<p>{name}</p>"
    assert drawn == ["a", "b", "c", "b"]  # "b" was the least recently used when "c" came
