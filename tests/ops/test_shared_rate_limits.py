"""With REDIS_URL set, sign-in limits are shared by every app host (not per process)."""

from __future__ import annotations

from tests import factories


def test_two_hosts_share_one_sign_in_limit_through_redis(make_app, redis_url):
    apps = [make_app(REDIS_URL=redis_url, RATELIMIT_ENABLED=True) for _ in range(2)]
    with apps[0].app_context():
        factories.user(role="recruiter", email="rec@example.com")
    hosts = [app.test_client() for app in apps]
    wrong = {"email": "rec@example.com", "password": "not-the-password"}
    # The limit is ten attempts a minute; alternate hosts as a load balancer would.
    answers = [hosts[i % 2].post("/sign-in", data=wrong).status_code for i in range(12)]
    assert answers[:10] == [200] * 10
    assert answers[10:] == [429, 429]
