"""Staff read threads in the admin; nobody writes, edits or deletes messages there."""

import pytest

from qa.models import Thread
from qa.services import message_post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_read_a_thread_in_the_admin_and_cannot_change_it(client, cast, booking):
    message_post(
        thread=Thread(booking=booking, mentee=booking.mentee, mentor=booking.mentor),
        author=cast.mentee,
        body="A question for the record",
    )
    thread = Thread.objects.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get("/admin/qa/thread/", {"q": cast.mentee.email}).content.decode()
    page = client.get(f"/admin/qa/thread/{thread.pk}/change/").content.decode()

    assert "Session: Should I take this job offer?" in listing
    assert "A question for the record" in page
    assert 'name="_save"' not in page
    assert client.get("/admin/qa/thread/add/").status_code == 403
    assert client.post(f"/admin/qa/thread/{thread.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Thread.objects.filter(pk=thread.pk).exists()
