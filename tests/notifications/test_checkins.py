"""On the action item's due date the mentee is asked "Did you do it?", and answers with one click.

The links log nobody in: each names one item and its mentee, is signed and expires, and a GET
only asks — a mail scanner opening every link changes nothing.
"""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from mentors.models import MentorProfile
from notifications.models import Notification
from notifications.services import TURNED_OFF
from notifications.tokens import checkin_token_make
from sessions import services as booking_services
from sessions.models import ActionItem
from tests.factories import UserFactory
from tests.notifications.helpers import Kind, berlin, book, dispatch_at, rows, utc

pytestmark = pytest.mark.django_db
State = Notification.State
Answer = Notification.Answer
SITE = "http://127.0.0.1:8000"


def close(booking, *, at, due_date, text="Write to both companies") -> ActionItem:
    with time_machine.travel(at, tick=False):
        return booking_services.booking_close(
            booking=booking, by=booking.mentor.user, action_item=text, due_date=due_date
        )


def links_of(message) -> dict[str, str]:
    """The answer links in the e-mail, as paths on the site."""
    found = dict(re.findall(r"^(Done|Not yet):\s+(\S+)$", message.body, re.MULTILINE))
    assert found["Done"].startswith(SITE) and found["Not yet"].startswith(SITE)
    return {answer: url.removeprefix(SITE) for answer, url in found.items()}


def html_of(message) -> str:
    return next(body for body, mimetype in message.alternatives if mimetype == "text/html")


def fresh(item: ActionItem) -> ActionItem:
    return ActionItem.objects.get(pk=item.pk)


def mentor_figures(item: ActionItem) -> tuple[int, int]:
    mentor = MentorProfile.objects.get(pk=item.booking.mentor_id)
    return mentor.action_items_total, mentor.action_items_done


@pytest.fixture
def booking(berlin_mentor_offering, new_york_mentee):
    """Monday 30 March 2026, 10:00 in Berlin (04:00 in New York, where the mentee lives)."""
    return book(
        berlin_mentor_offering, new_york_mentee, berlin(2026, 3, 30, 10), booked_at=utc(2026, 3, 20, 12)
    )


@pytest.fixture
def item(booking):
    """Closed an hour after the session, due a week later: 09:00 in New York is 13:00 UTC then."""
    return close(booking, at=utc(2026, 3, 30, 9, 30), due_date=date(2026, 4, 6))


DUE = utc(2026, 4, 6, 13)


@pytest.fixture
def links(item) -> dict[str, str]:
    (message,) = dispatch_at(DUE)
    return links_of(message)


# --- when it goes out ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "starts_at, booked_at, closed_at, due_date, due_at",
    [
        # New York moves to summer time on 8 March: closed in EST (UTC-5), due in EDT (UTC-4).
        (
            berlin(2026, 3, 2, 10),
            utc(2026, 2, 23, 12),
            utc(2026, 3, 2, 10),
            date(2026, 3, 9),
            utc(2026, 3, 9, 13),
        ),
        # …and back on 1 November: closed in EDT, due in EST.
        (
            berlin(2026, 10, 26, 10),
            utc(2026, 10, 16, 12),
            utc(2026, 10, 26, 10),
            date(2026, 11, 2),
            utc(2026, 11, 2, 14),
        ),
        # No change in between.
        (
            berlin(2026, 3, 30, 10),
            utc(2026, 3, 20, 12),
            utc(2026, 3, 30, 9),
            date(2026, 4, 6),
            utc(2026, 4, 6, 13),
        ),
    ],
    ids=["us-spring-forward", "us-fall-back", "no-change"],
)
def test_the_checkin_goes_out_once_at_nine_in_the_morning_where_the_mentee_lives_on_the_due_date(
    berlin_mentor_offering, new_york_mentee, starts_at, booked_at, closed_at, due_date, due_at
):
    booking = book(berlin_mentor_offering, new_york_mentee, starts_at, booked_at=booked_at)
    close(booking, at=closed_at, due_date=due_date)
    assert rows(booking)[Kind.ACTION_ITEM_CHECKIN].due_at == due_at

    assert dispatch_at(due_at - timedelta(minutes=1)) == []
    (message,) = dispatch_at(due_at)
    assert message.to == [new_york_mentee.email]
    assert message.subject == "Did you do it? Your action item from “Should I take this job offer?”"
    assert "Write to both companies" in message.body and "Write to both companies" in html_of(message)
    assert dispatch_at(due_at + timedelta(minutes=1)) == []
    assert dispatch_at(due_at + timedelta(days=3)) == []
    assert rows(booking)[Kind.ACTION_ITEM_CHECKIN].state == State.SENT


def test_closing_the_session_leaves_the_checkin_as_the_only_pending_email(booking):
    close(booking, at=utc(2026, 3, 30, 9), due_date=date(2026, 4, 6))
    pending = Notification.objects.filter(booking=booking, state=State.PENDING)
    assert [n.kind for n in pending] == [Kind.ACTION_ITEM_CHECKIN]


def test_no_checkin_when_its_moment_passed_before_the_session_was_closed(booking):
    close(booking, at=utc(2026, 3, 30, 14), due_date=date(2026, 3, 30))  # 10:00 in New York, due today
    assert Kind.ACTION_ITEM_CHECKIN not in rows(booking)


def test_no_checkin_once_the_item_is_done(booking, item):
    with time_machine.travel(utc(2026, 4, 3), tick=False):
        booking_services.action_item_mark_done(booking=booking, by=booking.mentee)

    assert dispatch_at(DUE) == []
    checkin = rows(booking)[Kind.ACTION_ITEM_CHECKIN]
    assert (checkin.state, checkin.last_error) == (State.CANCELLED, "action item already done")


def test_the_email_has_a_done_and_a_not_yet_link_in_both_parts_and_a_way_to_turn_it_off(item):
    (message,) = dispatch_at(DUE)
    links = links_of(message)
    assert links["Done"].startswith("/checkins/") and links["Done"].endswith("/done/")
    assert links["Not yet"].endswith("/not-yet/")
    html = html_of(message)
    assert f'href="{SITE}{links["Done"]}"' in html and f'href="{SITE}{links["Not yet"]}"' in html
    assert f"{SITE}/settings/" in message.body and f'href="{SITE}/settings/"' in html


# --- answering --------------------------------------------------------------------------------


def test_opening_the_done_link_only_asks(client, item, links):
    with time_machine.travel(DUE + timedelta(minutes=5), tick=False):
        response = client.get(links["Done"])

    page = response.content.decode()
    assert response.status_code == 200
    assert "Write to both companies" in page and "Yes, mark it as done" in page and 'method="post"' in page
    assert fresh(item).done_at is None
    assert mentor_figures(item) == (1, 0)


def test_confirming_done_marks_the_item_done_and_the_mentor_sees_it(client, item, links):
    with time_machine.travel(DUE + timedelta(hours=2), tick=False):
        response = client.post(links["Done"])

    assert response.status_code == 200
    assert "Done — well done!" in response.content.decode()
    assert fresh(item).done_at == DUE + timedelta(hours=2)
    assert mentor_figures(item) == (1, 1)
    checkin = rows(item.booking)[Kind.ACTION_ITEM_CHECKIN]
    assert (checkin.answer, checkin.answered_at) == (Answer.DONE, DUE + timedelta(hours=2))


def test_confirming_done_twice_keeps_the_first_time(client, item, links):
    with time_machine.travel(DUE + timedelta(hours=2), tick=False):
        client.post(links["Done"])
    with time_machine.travel(DUE + timedelta(days=1), tick=False):
        assert client.post(links["Done"]).status_code == 200
    assert fresh(item).done_at == DUE + timedelta(hours=2)


def test_not_yet_changes_nothing_on_the_item(client, item, links):
    with time_machine.travel(DUE + timedelta(minutes=5), tick=False):
        assert "Not yet" in client.get(links["Not yet"]).content.decode()
        response = client.post(links["Not yet"])

    assert response.status_code == 200
    assert "It stays open" in response.content.decode()
    assert fresh(item).done_at is None
    assert mentor_figures(item) == (1, 0)
    assert rows(item.booking)[Kind.ACTION_ITEM_CHECKIN].answer == Answer.NOT_YET


def test_not_yet_after_done_does_not_undo_it(client, item, links):
    with time_machine.travel(DUE + timedelta(minutes=5), tick=False):
        client.post(links["Done"])
        client.post(links["Not yet"])

    assert fresh(item).done_at == DUE + timedelta(minutes=5)
    assert rows(item.booking)[Kind.ACTION_ITEM_CHECKIN].answer == Answer.DONE


def test_the_answer_needs_the_forms_csrf_token(item, links):
    with time_machine.travel(DUE + timedelta(minutes=5), tick=False):
        response = Client(enforce_csrf_checks=True).post(links["Done"])
    assert response.status_code == 403
    assert fresh(item).done_at is None


# --- links that must not work ---------------------------------------------------------------------


def tamper(path: str) -> str:
    token = path.split("/")[2]
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    return path.replace(token, flipped)


def test_a_tampered_link_is_refused_and_changes_nothing(client, item, links):
    with time_machine.travel(DUE + timedelta(minutes=5), tick=False):
        for response in (client.get(tamper(links["Done"])), client.post(tamper(links["Done"]))):
            assert response.status_code == 400
            assert "This link does not work" in response.content.decode()
    assert fresh(item).done_at is None and mentor_figures(item) == (1, 0)


def test_an_expired_link_is_refused_and_changes_nothing(client, item, links):
    with time_machine.travel(DUE + timedelta(days=13), tick=False):
        assert client.get(links["Done"]).status_code == 200  # still good within the 14 days

    with time_machine.travel(DUE + timedelta(days=14, minutes=1), tick=False):
        for response in (client.get(links["Done"]), client.post(links["Done"])):
            assert response.status_code == 400
            assert "expired" in response.content.decode()
    assert fresh(item).done_at is None and mentor_figures(item) == (1, 0)


@pytest.fixture
def other_item(berlin_mentor_offering):
    """Another mentee's action item with the same mentor."""
    other = book(
        berlin_mentor_offering,
        UserFactory(timezone="Europe/Berlin"),
        berlin(2026, 3, 31, 10),
        booked_at=utc(2026, 3, 20, 12),
    )
    return close(other, at=utc(2026, 3, 31, 9), due_date=date(2026, 4, 7), text="Ship the CV")


def test_a_link_naming_someone_elses_item_is_refused_and_changes_nothing(client, item, other_item):
    """A token for my item with their user, or their item with my user: neither leads anywhere."""
    mine, theirs = item, other_item
    tokens = [
        checkin_token_make(action_item_id=theirs.pk, user_id=mine.booking.mentee_id),
        checkin_token_make(action_item_id=mine.pk, user_id=theirs.booking.mentee_id),
        checkin_token_make(action_item_id=10**9, user_id=mine.booking.mentee_id),
    ]
    for token in tokens:
        assert client.get(f"/checkins/{token}/done/").status_code == 404
        assert client.post(f"/checkins/{token}/done/").status_code == 404
    assert fresh(mine).done_at is None and fresh(theirs).done_at is None
    assert mentor_figures(mine) == (2, 0)


def test_someone_logged_in_with_anothers_link_answers_for_that_item_only(client, item, other_item, links):
    client.force_login(other_item.booking.mentee)
    with time_machine.travel(DUE + timedelta(minutes=5), tick=False):
        assert client.post(links["Done"]).status_code == 200

    assert fresh(item).is_done
    assert fresh(other_item).done_at is None
    assert rows(other_item.booking)[Kind.ACTION_ITEM_CHECKIN].answer == ""


@pytest.mark.parametrize(
    "token",
    ["x", "a:b:c", "::::", "eyJpdGVtIjoxLCJ1c2VyIjoxfQ:1vP3kF:AAAA", "%C3%A9t%C3%A9", "." * 300, "%00"],
)
def test_garbage_links_are_refused_without_an_error_page(client, item, token):
    for response in (client.get(f"/checkins/{token}/done/"), client.post(f"/checkins/{token}/not-yet/")):
        assert response.status_code == 400
    assert fresh(item).done_at is None


def test_a_checkin_turned_off_by_the_mentee_is_cancelled_at_send_time(item):
    mentee = item.booking.mentee
    mentee.email_action_item_checkins = False
    mentee.save(update_fields=["email_action_item_checkins"])

    assert dispatch_at(DUE) == []
    checkin = rows(item.booking)[Kind.ACTION_ITEM_CHECKIN]
    assert (checkin.state, checkin.last_error) == (State.CANCELLED, TURNED_OFF)
    assert mail.outbox == []
