"""Bearer tokens on the API: ``amtsweg dev-token`` gives one; anything wrong is a 401."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from amtsweg.platform.auth.provider import CLOCK_SKEW_SECONDS
from amtsweg.platform.devidp import dev_server
from amtsweg.platform.devidp.keys import load_or_create_key
from tests.login import dev_login


def dev_token(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["dev-token", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def me(client, token: str):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.sqlite
@pytest.mark.parametrize(
    ("args", "roles", "name"),
    [
        (["--role", "citizen"], [], "Erika Mustermann"),
        (
            ["--role", "clerk", "--tenant", "beispieldorf"],
            [{"role": "clerk", "tenant": "beispieldorf"}],
            "Sabine Schreiber",
        ),
        (
            ["--role", "tenant_admin"],
            [{"role": "tenant_admin", "tenant": "musterstadt"}],
            "Thomas Verwalter",
        ),
        (["--role", "admin"], [{"role": "association_admin", "tenant": None}], "Andrea Verband"),
        (["--role", "citizen", "--persona", "max"], [], "Max Mustermann"),
    ],
)
def test_dev_token_carries_exactly_the_role_asked_for(app, client, args, roles, name) -> None:
    answer = me(client, dev_token(app, *args))
    assert answer.status_code == 200, answer.json
    assert answer.json["roles"] == roles
    assert answer.json["name"] == name
    assert answer.json["kind"] == "person"
    assert answer.json["issuer"] == "http://localhost:5000/dev-idp"


def test_citizen_tokens_carry_the_trust_level(app, client) -> None:
    assert me(client, dev_token(app, "--role", "citizen")).json["trust_level"] == "high"
    basic = dev_token(app, "--role", "citizen", "--persona", "max")
    assert me(client, basic).json["trust_level"] == "basic"


def test_dev_token_refuses_a_tenant_for_a_role_without_one(app) -> None:
    result = app.test_cli_runner().invoke(args=["dev-token", "--role", "admin", "--tenant", "x"])
    assert result.exit_code != 0
    assert "--tenant applies only" in result.output


def test_the_service_account_gets_its_roles_by_client_credentials(client) -> None:
    token = client.post(
        "/dev-idp/token",
        data={"grant_type": "client_credentials"},
        auth=("musterstadt-fachverfahren", "development-only-client-secret"),
    )
    assert token.status_code == 200, token.json
    answer = me(client, token.json["access_token"])
    assert answer.json["kind"] == "service"
    assert answer.json["roles"] == [{"role": "clerk", "tenant": "musterstadt"}]


def forged(key: RSAKey, kid: str, **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": "http://localhost:5000/dev-idp",
        "sub": "erika",
        "aud": "amtsweg-api",
        "iat": now,
        "exp": now + 300,
        "amtsweg_roles": [{"role": "association_admin"}],
    }
    return jwt.encode({"alg": "RS256", "kid": kid}, claims | changes, key)


@pytest.fixture
def signing_key(app, client, dev_login_key_file) -> RSAKey:
    """The development provider's own key (made by asking for a token first)."""
    me(client, dev_token(app, "--role", "citizen"))
    return load_or_create_key(dev_login_key_file)


@pytest.mark.parametrize(
    "case",
    ["expired", "wrong audience", "other issuer", "wrong signature", "not a JWT", "basic scheme"],
)
def test_a_bad_token_is_a_401_problem_document(client, signing_key, case) -> None:
    kid = signing_key.kid
    now = int(time.time())
    header = {
        "expired": f"Bearer {forged(signing_key, kid, iat=now - 7200, exp=now - 3600)}",
        "wrong audience": f"Bearer {forged(signing_key, kid, aud='another-api')}",
        "other issuer": f"Bearer {forged(signing_key, kid, iss='https://evil.example')}",
        "wrong signature": f"Bearer {forged(RSAKey.generate_key(2048, private=True), kid)}",
        "not a JWT": "Bearer not.a.token",
        "basic scheme": "Basic ZXJpa2E6c2VjcmV0",
    }[case]
    answer = client.get("/api/v1/me", headers={"Authorization": header})
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.json["status"] == 401
    assert answer.json["detail"]
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="amtsweg", error="invalid_token"'


def test_a_good_forged_looking_token_passes_so_the_401s_are_not_vacuous(client, signing_key):
    answer = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {forged(signing_key, signing_key.kid)}"}
    )
    assert answer.status_code == 200


@pytest.mark.sqlite
def test_no_token_is_a_401_with_a_bare_challenge(client) -> None:
    answer = client.get("/api/v1/me", headers={"Accept-Language": "de"})
    assert answer.status_code == 401
    assert answer.json["title"] == "Anmeldung erforderlich"
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="amtsweg"'


def test_the_api_ignores_the_login_cookie(app, client) -> None:
    dev_login(client)
    assert client.get("/api/v1/me").status_code == 401


def test_made_up_key_ids_do_not_make_us_fetch_the_providers_keys_each_time(
    client, signing_key
) -> None:
    def key_fetches() -> float:
        metrics = client.get("/metrics").get_data(as_text=True)
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("amtsweg_http_requests_total") and "jwks" in line
        )

    before = key_fetches()
    for number in range(5):
        token = forged(signing_key, f"made-up-{number}")
        assert me(client, token).status_code == 401
    assert key_fetches() - before == 1


def test_a_token_accepted_before_is_refused_once_it_has_expired(
    client, signing_key, monkeypatch
) -> None:
    token = forged(signing_key, signing_key.kid)
    assert me(client, token).status_code == 200
    assert me(client, token).status_code == 200  # the second time with its signature known
    after_expiry = time.time() + 300 + CLOCK_SKEW_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: after_expiry)
    assert me(client, token).status_code == 401


def test_tokens_signed_with_a_key_the_provider_dropped_are_refused(
    app, client, signing_key
) -> None:
    """The provider rotates its key: a token of the new key makes us fetch the keys
    afresh, and from then on a token of the dropped key, accepted a moment ago, is not."""
    old = forged(signing_key, signing_key.kid)
    assert me(client, old).status_code == 200
    new_key = RSAKey.generate_key(2048, private=True)
    new_key.ensure_kid()
    with app.app_context():
        dev_server().key = new_key
    assert me(client, forged(new_key, new_key.kid)).status_code == 200
    assert me(client, old).status_code == 401
