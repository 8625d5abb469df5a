"""The pages of questions asked from a mentor's profile: asking (free or paid), the question and
its one answer, and the mentor's page to set up paid questions and see what waits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.errors import DomainError
from core.forms import show_error
from core.ratelimit import limit_posts, refused_as_too_many
from mentors.models import MentorProfile
from mentors.selectors import own_mentor_profile

from . import questions, selectors, services
from .forms import AnswerForm, DeclineForm, QuestionForm, QuestionOfferForm
from .models import MAX_FREE_QUESTION_LENGTH, Question
from .purchases import question_checkout_urls, question_start_checkout

QUESTION_LIMITS = {"per_user": "RATELIMIT_QUESTION_PER_USER", "per_ip": "RATELIMIT_QUESTION_PER_IP"}
MESSAGE_LIMITS = {"per_user": "RATELIMIT_MESSAGE_PER_USER", "per_ip": "RATELIMIT_MESSAGE_PER_IP"}


def _listed_mentor(slug: str) -> MentorProfile:
    mentor = MentorProfile.objects.select_related("user").filter(slug=slug).first()
    if mentor is None or not mentor.is_approved:
        raise Http404("No such mentor.")
    return mentor


def _to_checkout(request, question: Question):
    try:
        payment = question_start_checkout(question=question, **question_checkout_urls(request, question))
    except DomainError as error:
        messages.error(request, error.message)
        url = question.get_absolute_url()
    else:
        url = payment.checkout_url
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts("question", **QUESTION_LIMITS)
def ask(request, slug):
    """Ask a mentor a question: the free one before any booking, or a paid one (to checkout)."""
    mentor = _listed_mentor(slug)
    offer = selectors.question_offer_of(mentor_id=mentor.pk)
    free_refusal = questions.question_ask_refusal(mentee=request.user, mentor=mentor, kind=Question.Kind.FREE)
    paid_refusal = questions.question_ask_refusal(mentee=request.user, mentor=mentor, kind=Question.Kind.PAID)
    initial = {"kind": Question.Kind.PAID if free_refusal and not paid_refusal else Question.Kind.FREE}
    form, status = QuestionForm(initial=initial), 200
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if refused_as_too_many(request, form):
            status = 429
        elif form.is_valid():
            kind, body = form.cleaned_data["kind"], form.cleaned_data["body"]
            try:
                if kind == Question.Kind.FREE:
                    question = questions.question_ask_free(mentee=request.user, mentor=mentor, body=body)
                else:
                    question = questions.question_ask_paid(mentee=request.user, mentor=mentor, body=body)
            except DomainError as error:
                show_error(form, error)
            else:
                if question.state == Question.State.HELD:
                    return _to_checkout(request, question)
                messages.success(
                    request,
                    _("Your question is with %(name)s. You will get an e-mail when they answer.")
                    % {"name": mentor.user.name},
                )
                return redirect(question.get_absolute_url())
        if form.errors and status != 429:
            status = 400
    context = {
        "mentor": mentor,
        "offer": offer,
        "form": form,
        "free_refusal": free_refusal,
        "paid_refusal": paid_refusal,
        "free_limit": MAX_FREE_QUESTION_LENGTH,
    }
    return render(request, "qa/ask.html", context, status=status)


def _load_question(request, question_id) -> Question:
    try:
        return selectors.question_for_viewer(user=request.user, question_id=question_id)
    except Question.DoesNotExist:
        raise Http404("No such question.") from None


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts("message", **MESSAGE_LIMITS)
def question(request, question_id):
    """The question and its answer. Its mentor answers here (POST), once; a held question waits
    for its payment (the page polls after checkout). Anyone but its mentee, its mentor once it is
    asked, and staff gets a 404."""
    question = _load_question(request, question_id)
    form, status = AnswerForm(), 200
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if refused_as_too_many(request, form):
            status = 429
        elif form.is_valid():
            try:
                questions.question_answer(question=question, by=request.user, body=form.cleaned_data["body"])
            except DomainError as error:
                show_error(form, error)
            else:
                messages.success(request, _("Answer sent to %(name)s.") % {"name": question.mentee.name})
                return redirect(question.get_absolute_url())
        if form.errors and status != 429:
            status = 400
    return _question_page(request, question, form=form, status=status)


@login_required
@require_POST
def question_decline(request, question_id):
    """Its mentor declines it with a reason instead of answering (a paid one is refunded in full);
    a refusal is said on the question's page, next to the reason."""
    question = _load_question(request, question_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            questions.question_decline(question=question, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request, _("Declined: %(name)s is told with your reason.") % {"name": question.mentee.name}
            )
            return redirect(question.get_absolute_url())
    return _question_page(request, question, decline_form=form, status=400)


def _question_page(request, question: Question, *, form=None, decline_form=None, status=200):
    thread = getattr(question, "thread", None)
    shown = selectors.thread_messages(thread=thread) if thread else []
    if thread and shown and thread.is_participant(request.user):
        services.thread_mark_read(thread=thread, user=request.user, up_to=shown[-1].created_at)
    context = {
        "question": question,
        "thread": thread,
        "thread_messages": shown,
        "form": form or AnswerForm(),
        "decline_form": decline_form or DeclineForm(),
        "answer_refusal": questions.question_answer_refusal(question=question, user=request.user),
        "is_mentor": request.user.pk == question.mentor.user_id,
        "is_mentee": request.user.pk == question.mentee_id,
        "payment": getattr(question, "payment", None),
        "waiting_for_payment": question.state == Question.State.HELD and request.GET.get("paid") == "1",
    }
    if request.htmx and request.GET.get("part") == "status":
        if question.state != Question.State.HELD:  # paid (or gone): the whole page changes
            return HttpResponseClientRedirect(question.get_absolute_url())
        return render(request, "qa/question.html#status", context)
    return render(request, "qa/question.html", context, status=status)


@login_required
@require_POST
def question_pay(request, question_id):
    """The mentee pays for a held question (again, after leaving the checkout)."""
    question = _load_question(request, question_id)
    if question.mentee_id != request.user.pk:
        raise Http404("No such question.")
    return _to_checkout(request, question)


@login_required
@require_http_methods(["GET", "POST"])
def mentor_questions(request):
    """The mentor's questions: paid questions set up (price, days, on or off), what waits for an
    answer, and what was answered."""
    mentor = own_mentor_profile(user=request.user)
    offer = selectors.question_offer_for_editing(mentor=mentor)
    form, status = QuestionOfferForm(instance=offer), 200
    if request.method == "POST":
        form = QuestionOfferForm(request.POST, instance=offer)
        if form.is_valid():
            data = form.cleaned_data
            try:
                questions.question_offer_save(
                    mentor=mentor,
                    is_active=data["is_active"],
                    price_amount=data["price_amount"],
                    currency=data["currency"],
                    answer_days=data["answer_days"],
                )
            except DomainError as error:
                show_error(form, error)
            else:
                messages.success(request, _("Paid questions saved."))
                return redirect("qa:mentor_questions")
        status = 400
    context = {
        "mentor": mentor,
        "form": form,
        "to_answer": selectors.questions_to_answer(mentor=mentor),
        "answered": selectors.questions_answered_recently(mentor=mentor),
        "figures": selectors.question_figures(mentor=mentor),
    }
    return render(request, "qa/mentor_questions.html", context, status=status)
