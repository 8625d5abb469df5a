import pytest
from django.core import mail
from django.urls import reverse

from mentors.models import MentorProfile, Skill
from tests.factories import LanguageFactory, MentorFactory, UserFactory

pytestmark = pytest.mark.django_db


def application(**overrides):
    data = {
        "headline": "Engineering manager at a scale-up",
        "bio": "I help **new managers**.<script>alert(1)</script>",
        "skills": "Leadership, Hiring, A brand new skill",
        "languages": [LanguageFactory().code],
        "years_experience": "9",
        "timezone": "Asia/Kolkata",
    }
    data.update(overrides)
    return data


def test_applying_creates_a_pending_profile_with_new_skills_added_to_the_vocabulary(client):
    Skill.objects.create(name="Hiring", slug="hiring")
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("mentors:apply"), application())
    assert response.status_code == 302
    mentor = MentorProfile.objects.get(user=user)
    assert mentor.status == MentorProfile.Status.PENDING
    assert sorted(mentor.skills.values_list("slug", flat=True)) == [
        "a-brand-new-skill",
        "hiring",
        "leadership",
    ]
    assert Skill.objects.filter(slug="hiring").count() == 1
    assert "in review" in client.get(reverse("mentors:apply")).content.decode()


def test_a_pending_mentor_is_not_listed_and_has_no_public_profile(client):
    mentor = MentorFactory(status=MentorProfile.Status.PENDING)
    assert client.get(reverse("mentors:profile", args=[mentor.slug])).status_code == 404
    assert mentor.slug not in client.get(reverse("mentors:directory")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"headline": ""}, "This field is required."),
        ({"skills": " , ,"}, "Add at least one skill."),
        ({"years_experience": "-3"}, "greater than or equal to 0"),
        ({"timezone": "Mars/Olympus"}, "Select a valid choice"),
        ({"bio": "x" * 6000}, "at most 5000 characters"),
        ({"languages": ["xx", "99999999999999999999"]}, "Select a valid choice"),
    ],
)
def test_bad_application_input_is_answered_next_to_the_field(client, overrides, message):
    client.force_login(UserFactory())
    response = client.post(reverse("mentors:apply"), application(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MentorProfile.objects.exists()


def test_the_bio_is_rendered_from_markdown_without_scripts(client):
    mentor = MentorFactory(bio="I help **new managers**.<script>alert(1)</script>")
    from tests.factories import OfferingFactory

    OfferingFactory(mentor=mentor)
    html = client.get(mentor.get_absolute_url()).content.decode()
    assert "<strong>new managers</strong>" in html
    assert "<script>alert(1)" not in html


def test_staff_approve_in_the_admin_and_the_applicant_is_emailed(
    admin_client, django_capture_on_commit_callbacks
):
    mentor = MentorFactory(status=MentorProfile.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:mentors_mentorprofile_changelist"),
            {"action": "approve", "_selected_action": [mentor.pk]},
        )
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.APPROVED
    assert mail.outbox[-1].to == [mentor.user.email]
    assert "approved" in mail.outbox[-1].subject


def test_staff_reject_with_a_reason_and_the_applicant_reads_it(
    admin_client, django_capture_on_commit_callbacks
):
    mentor = MentorFactory(status=MentorProfile.Status.PENDING)
    url = reverse("admin:mentors_mentorprofile_changelist")
    # Without a reason the action asks for one and changes nothing.
    response = admin_client.post(url, {"action": "reject", "_selected_action": [mentor.pk]})
    assert response.status_code == 200 and "Reason sent to the applicant" in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            url,
            {
                "action": "reject",
                "_selected_action": [mentor.pk],
                "reason": "Please add more detail to your bio.",
            },
        )
    mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.REJECTED
    assert "Please add more detail to your bio." in mail.outbox[-1].body
