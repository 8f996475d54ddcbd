from sqlalchemy.exc import OperationalError

from portal.permissions import public
from tests.factories import sign_in


def test_unexpected_error_rolls_back_and_shows_a_friendly_page(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise OperationalError("SELECT 1", {}, Exception("database went away"))

    app.view_functions["boom"] = public(app.view_functions["boom"])
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "database went away" not in response.text and "Traceback" not in response.text


def test_method_not_allowed_page(client, recruiter):
    sign_in(client, recruiter.email)
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "That action is not available here" in response.text
