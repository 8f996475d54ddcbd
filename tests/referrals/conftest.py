import pytest

from tests.referrals import factories as rf


@pytest.fixture
def cast(app, admin, recruiter, other_recruiter):
    return rf.make_cast(admin, recruiter, other_recruiter)
