"""Staff read threads in the admin; nobody writes, edits or deletes messages there."""

import pytest

from moderation.models import Report
from moderation.services import report_create
from qa.models import Message, Thread
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


def test_a_reported_message_links_from_the_report_queue_to_its_read_only_admin_page(client, cast, booking):
    message_post(
        thread=Thread(booking=booking, mentee=booking.mentee, mentor=booking.mentor),
        author=cast.mentor,
        body="Something rude",
    )
    message = Message.objects.get()
    report_create(reporter=cast.mentee, target=message, reason=Report.Reason.ABUSE)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    queue = client.get("/admin/moderation/report/").content.decode()
    page = client.get(f"/admin/qa/message/{message.pk}/change/").content.decode()
    found = client.get("/admin/qa/message/", {"q": "rude"}).content.decode()

    assert f'href="/admin/qa/message/{message.pk}/change/"' in queue
    assert "Something rude" in page and "Session: Should I take this job offer?" in page
    assert 'name="_save"' not in page
    assert "Something rude" in found
    assert client.post(f"/admin/qa/message/{message.pk}/delete/", {"post": "yes"}).status_code == 403
