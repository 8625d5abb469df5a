"""The mentor's pack pages, the offering page, the profile and the pack's own page."""

import pytest
from django.urls import reverse

from packs.models import Pack, PackPurchase
from packs.selectors import pack_use_by_month
from tests.factories import OfferingFactory, UserFactory
from tests.packs.helpers import pack_of
from tests.packs.test_booking_with_pack import active_pack

pytestmark = pytest.mark.django_db


def test_a_mentor_sets_up_a_pack_and_sees_its_price_worked_out(client):
    offering = OfferingFactory(price_amount=4500, title="Salary negotiation")
    client.force_login(offering.mentor.user)
    response = client.post(
        reverse("packs:pack_new"),
        {"offering": offering.pk, "sessions": "3", "discount_percent": "15", "valid_months": "6"},
    )
    assert response.status_code == 302
    pack = Pack.objects.get()
    assert (pack.price_amount, pack.is_published) == (11475, False)
    page = client.get(reverse("packs:mentor_packs")).content.decode()
    assert "$114.75" in page and "Draft" in page
    client.post(reverse("packs:pack_publish", args=[pack.pk]), {"published": "1"})
    assert Pack.objects.get().is_published


def test_terms_out_of_range_are_shown_next_to_the_field_and_nothing_is_saved(client):
    offering = OfferingFactory(price_amount=4500)
    client.force_login(offering.mentor.user)
    response = client.post(
        reverse("packs:pack_new"),
        {"offering": offering.pk, "sessions": "3", "discount_percent": "80", "valid_months": "6"},
    )
    assert response.status_code == 400
    assert "less than or equal to 50" in response.content.decode()
    assert not Pack.objects.exists()


def test_a_mentor_cannot_make_a_pack_of_someone_elses_or_a_free_offering(client):
    mine = OfferingFactory(price_amount=0)
    theirs = OfferingFactory(price_amount=4500)
    client.force_login(mine.mentor.user)
    for offering in (mine, theirs):
        response = client.post(
            reverse("packs:pack_new"),
            {"offering": offering.pk, "sessions": "3", "discount_percent": "10", "valid_months": "6"},
        )
        assert response.status_code == 400
    assert not Pack.objects.exists()


def test_the_offering_page_and_the_profile_show_the_pack_for_sale(client):
    pack = pack_of()
    page = client.get(pack.offering.get_absolute_url()).content.decode()
    assert "3 sessions for $114.75" in page and "Log in to buy the pack" in page
    profile = client.get(pack.offering.mentor.get_absolute_url()).content.decode()
    assert "Session packs" in profile and "3 × Should I take this job offer?" in profile


def test_an_unpublished_pack_is_not_for_sale(client):
    pack = pack_of()
    pack.is_published = False
    pack.save()
    client.force_login(UserFactory())
    assert "Save with a pack" not in client.get(pack.offering.get_absolute_url()).content.decode()
    assert client.post(reverse("packs:buy", args=[pack.pk])).status_code == 404


def test_the_mentee_sees_their_pack_on_the_offering_page_and_the_dashboard(client):
    mentee = UserFactory()
    purchase = active_pack(pack_of(), mentee)
    client.force_login(mentee)
    page = client.get(purchase.offering.get_absolute_url()).content.decode()
    assert "Your pack:" in page and "3 sessions left" in page
    dashboard = client.get("/dashboard/").content.decode()
    assert "Your session packs" in dashboard and "<strong>3</strong> of 3 sessions left" in dashboard


def test_the_pack_page_is_for_its_mentee_its_mentor_and_staff(client):
    mentee = UserFactory()
    purchase = active_pack(pack_of(), mentee)
    url = purchase.get_absolute_url()
    for who, status in (
        (mentee, 200),
        (purchase.offering.mentor.user, 200),
        (UserFactory(is_staff=True), 200),
        (UserFactory(), 404),
    ):
        client.force_login(who)
        assert client.get(url).status_code == status


def test_the_mentor_sees_pack_use_and_staff_see_it_on_the_insight_page(client):
    mentee = UserFactory()
    purchase = active_pack(pack_of(), mentee)
    client.force_login(purchase.offering.mentor.user)
    page = client.get(reverse("packs:mentor_packs")).content.decode()
    assert "0 of 3 sessions held" in page
    [row] = pack_use_by_month()
    assert (row["packs"], row["sessions"], row["held"], row["ahead"], row["rate"]) == (1, 3, 0, 0, 0.0)


def test_the_pack_page_polls_while_the_payment_is_confirmed_and_says_when_it_was_not(client, settings):
    settings.DEBUG, settings.BILLING_PROVIDER = True, "demo"
    pack = pack_of()
    mentee = UserFactory()
    client.force_login(mentee)
    checkout = client.post(reverse("packs:buy", args=[pack.pk]))["Location"]
    purchase = PackPurchase.objects.get()
    assert 'hx-trigger="every 2s"' in client.get(purchase.get_absolute_url()).content.decode()
    assert client.post(checkout, {"action": "abandon"})["Location"] == pack.offering.get_absolute_url()
    purchase.refresh_from_db()
    assert purchase.state == PackPurchase.State.RELEASED
    page = client.get(purchase.get_absolute_url()).content.decode()
    assert "This checkout was not completed" in page and "every 2s" not in page
