"""Password guessing is throttled: a flat rate per address, then a lock-out that doubles per
further failure, per account and per address; refused with 429 and Retry-After (problem+json
on the API, the sign-in page on the pages), before any password is hashed."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from app.services import accounts
from app.services.login_throttle import ThrottlePolicy

PASSWORD = "correct horse battery"
EMAIL = "exporter_a@test.example"


def attempt(client, password, email=EMAIL, address="10.0.0.1"):
    client.delete_cookie("session")  # each attempt as a fresh visitor
    return client.post("/api/v1/session", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_lock_time_doubles_after_the_free_failures():
    policy = ThrottlePolicy(free_per_account=5, first_lock_seconds=30, max_lock_seconds=3600)
    assert [policy.lock_seconds(n, 5) for n in range(1, 11)] == [
        0, 0, 0, 0, 0, 30, 60, 120, 240, 480]
    assert policy.lock_seconds(20, 5) == 3600  # 30 * 2**14 capped


def test_account_locks_after_five_failures_and_the_right_password_waits(world, client,
                                                                          monkeypatch):
    hashed = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):
            hashed.append(password)
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Counting(time_cost=1, memory_cost=1024,
                                                      parallelism=1))
    for _ in range(5):
        assert attempt(client, "wrong password!").status_code == 401
    sixth = attempt(client, "wrong password!")
    assert sixth.status_code == 401  # the sixth failure is counted and starts a 30 s lock
    locked = attempt(client, PASSWORD)
    assert locked.status_code == 429
    assert locked.content_type == "application/problem+json"
    assert locked.json["type"] == "/problems/too-many-requests"
    assert 1 <= int(locked.headers["Retry-After"]) <= 30
    assert len(hashed) == 6  # the locked attempt never reached the password hash
    # from another address the account is still locked
    assert attempt(client, PASSWORD, address="10.0.0.2").status_code == 429
    # another account from the first address is not (6 failures < 20 for the address)
    assert attempt(client, PASSWORD, email="exporter_b@test.example").status_code == 201


def test_address_locks_after_its_free_failures_over_many_accounts(world, app, client):
    app.config["LOGIN_FREE_FAILURES_ADDRESS"] = 4  # 20 by default; unknown e-mails are slow
    for n in range(5):
        attempt(client, "wrong password!", email=f"nobody{n}@test.example")
    refused = attempt(client, PASSWORD)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert attempt(client, PASSWORD, address="10.0.0.9").status_code == 201


def test_a_right_password_clears_the_account_count(world, client):
    for _ in range(5):
        attempt(client, "wrong password!")
    assert attempt(client, PASSWORD).status_code == 201
    for _ in range(5):
        assert attempt(client, "wrong password!").status_code == 401
    assert attempt(client, PASSWORD).status_code == 201


def test_the_flat_rate_limit_answers_problem_json_with_retry_after(world, app, client):
    app.config["RATELIMIT_LOGIN"] = "3 per minute"
    codes = [attempt(client, PASSWORD, address="10.1.1.1").status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    last = attempt(client, PASSWORD, address="10.1.1.1")
    assert last.content_type == "application/problem+json"
    assert 1 <= int(last.headers["Retry-After"]) <= 61  # the window, in whole seconds


@pytest.mark.parametrize("limit", ["lockout", "rate"])
def test_the_sign_in_page_answers_a_page_when_limited(world, app, client, limit):
    if limit == "rate":
        app.config["RATELIMIT_LOGIN"] = "2 per minute"
    page = client.get("/app/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"email": EMAIL, "password": "wrong password!", "csrf_token": csrf}
    for _ in range(6):
        client.post("/app/login", data=form)
    answer = client.post("/app/login", data={**form, "password": PASSWORD})
    assert answer.status_code == 429
    assert answer.mimetype == "text/html"
    assert int(answer.headers["Retry-After"]) >= 1
    assert "<h1" in answer.get_data(as_text=True)
