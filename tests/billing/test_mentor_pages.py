"""Mentors reach Payouts and Earnings from the nav and the dashboard; nobody else sees them."""

import pytest
from django.urls import reverse

from billing.models import ConnectedAccount, Payment
from mentors.models import MentorProfile
from tests.factories import BookingFactory, MentorFactory, OfferingFactory, UserFactory
from tests.support import reauthenticated

pytestmark = pytest.mark.django_db

PAYOUTS = "/billing/payouts/"
EARNINGS = "/billing/earnings/"
PAGES = [PAYOUTS, EARNINGS, "/billing/payouts/return/", "/billing/payouts/refresh/"]


def _nav(html: str) -> str:
    return html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]


def _paid_session(mentor, *, title: str, mentee_name: str) -> Payment:
    booking = BookingFactory(
        offering=OfferingFactory(mentor=mentor, title=title, price_amount=4500),
        mentee=UserFactory(display_name=mentee_name),
    )
    return Payment.objects.create(
        booking=booking,
        provider=Payment.Provider.DEMO,
        amount=4500,
        currency="USD",
        platform_fee=675,
        state=Payment.State.PAID,
    )


def test_an_approved_mentor_finds_payouts_and_earnings_in_the_nav_and_dashboard(client):
    mentor = MentorFactory()
    client.force_login(mentor.user)
    html = client.get(reverse("dashboard:home")).content.decode()
    nav = _nav(html)
    assert f'href="{PAYOUTS}">Payouts<' in nav and f'href="{EARNINGS}">Earnings<' in nav
    mentoring = html.split('id="mentoring"', 1)[1]
    assert f'href="{PAYOUTS}">Payouts<' in mentoring and f'href="{EARNINGS}">Earnings<' in mentoring
    assert "Payout account: <strong>not set up</strong>" in mentoring
    for url in (PAYOUTS, EARNINGS):
        page = client.get(url)
        assert page.status_code == 200
        assert f'href="{PAYOUTS}"' in _nav(page.content.decode())


@pytest.mark.parametrize(
    "flags, shown, nudge",
    [
        ({}, "Details missing", True),
        ({"details_submitted": True}, "Pending verification", True),
        (
            {"details_submitted": True, "payouts_enabled": True, "charges_enabled": True},
            "Payouts enabled",
            False,
        ),
    ],
)
def test_the_dashboard_shows_the_payout_account_state(client, flags, shown, nudge):
    mentor = MentorFactory()
    ConnectedAccount.objects.create(mentor=mentor, stripe_account_id=f"acct_{mentor.pk}", **flags)
    client.force_login(mentor.user)
    html = client.get(reverse("dashboard:home")).content.decode()
    state = html.split('id="payout-state"', 1)[1].split("</p>", 1)[0]
    assert f"<strong>{shown}</strong>" in state
    assert ("finish the setup" in state) is nudge


@pytest.mark.parametrize("status", [MentorProfile.Status.PENDING, MentorProfile.Status.REJECTED])
def test_mentors_not_approved_get_no_money_links(client, status):
    mentor = MentorFactory(status=status)
    client.force_login(mentor.user)
    html = client.get(reverse("dashboard:home")).content.decode()
    assert PAYOUTS not in html and EARNINGS not in html


def test_a_mentee_gets_no_links_and_a_404(client):
    mentee = UserFactory()
    client.force_login(mentee)
    html = client.get(reverse("dashboard:home")).content.decode()
    assert PAYOUTS not in html and EARNINGS not in html
    for url in PAGES:
        assert client.get(url).status_code == 404, url
    reauthenticated(client)
    assert client.post(PAYOUTS).status_code == 404
    assert not ConnectedAccount.objects.exists()


@pytest.mark.parametrize("url", PAGES)
def test_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_earnings_show_only_the_mentors_own_sessions(client):
    greta, dora = MentorFactory(), MentorFactory()
    _paid_session(greta, title="Greta's salary rehearsal", mentee_name="Mia Chen")
    _paid_session(dora, title="Dora's portfolio review", mentee_name="Noah Park")

    client.force_login(dora.user)
    html = client.get(EARNINGS).content.decode()
    assert "Dora&#x27;s portfolio review" in html and "Noah Park" in html
    assert "Greta" not in html and "Mia Chen" not in html
    # The page takes no mentor from the URL: asking for someone else's changes nothing.
    for query in (f"?mentor={greta.pk}", f"?mentor_id={greta.pk}", f"?slug={greta.slug}"):
        assert "Mia Chen" not in client.get(EARNINGS + query).content.decode()

    client.force_login(greta.user)
    html = client.get(EARNINGS).content.decode()
    assert "Mia Chen" in html and "Noah Park" not in html


def test_payouts_show_only_the_mentors_own_account(client):
    greta, dora = MentorFactory(), MentorFactory()
    ConnectedAccount.objects.create(mentor=greta, stripe_account_id="acct_greta", payouts_enabled=True)
    client.force_login(dora.user)
    html = client.get(PAYOUTS).content.decode()
    assert "Set up payouts" in html and "Payouts enabled" not in html and "acct_greta" not in html
