from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.forms import show_error
from core.ratelimit import limit_posts, refused_as_too_many

from . import selectors, services
from .forms import MessageForm
from .models import Thread

MESSAGE_LIMITS = {"per_user": "RATELIMIT_MESSAGE_PER_USER", "per_ip": "RATELIMIT_MESSAGE_PER_IP"}


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts("message", **MESSAGE_LIMITS)
def booking_thread(request, booking_id):
    def load() -> Thread:
        return selectors.booking_thread_for_viewer(user=request.user, booking_id=booking_id)

    return _thread_page(request, load)


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts("message", **MESSAGE_LIMITS)
def subscription_thread(request, subscription_id):
    def load() -> Thread:
        return selectors.subscription_thread_for_viewer(user=request.user, subscription_id=subscription_id)

    return _thread_page(request, load)


def _thread_page(request, load):
    """GET: the thread (htmx: the thread partial, or only its messages when polling). POST: a new
    message (htmx: the thread again with an empty form; otherwise a redirect). Anyone but the two
    participants and staff gets a 404, whether the booking or subscription exists or not."""
    try:
        thread = load()
    except Thread.DoesNotExist:
        raise Http404("No such thread.") from None
    form, status = MessageForm(), 200
    if request.method == "POST":
        form = MessageForm(request.POST)
        if refused_as_too_many(request, form):
            status = 429
        elif form.is_valid():
            try:
                services.message_post(thread=thread, author=request.user, body=form.cleaned_data["body"])
            except DomainError as error:
                show_error(form, error)
            else:
                if not request.htmx:
                    messages.success(request, _("Message sent."))
                    return redirect(thread.get_absolute_url())
                thread, form = load(), MessageForm()
        if form.errors and status != 429:
            status = 400
    context = _thread_context(request, thread, form)
    if request.htmx:
        part = "messages" if request.GET.get("part") == "messages" else "thread"
        return render(request, f"qa/thread.html#{part}", context, status=status)
    return render(request, "qa/thread.html", context, status=status)


def _thread_context(request, thread: Thread, form: MessageForm) -> dict:
    user = request.user
    shown = selectors.thread_messages(thread=thread)
    reader = selectors.thread_reader(thread=thread, user=user)
    if reader is not None and shown:
        services.thread_mark_read(thread=thread, user=user, up_to=shown[-1].created_at)
    is_participant = thread.is_participant(user)
    return {
        "thread": thread,
        "thread_messages": shown,
        "truncated": len(shown) >= selectors.SHOWN_MESSAGES,
        "read_until": reader.last_read_at if reader else None,
        "is_participant": is_participant,
        "other": thread.other_participant(user) if is_participant else None,
        "refusal": services.thread_post_refusal(thread=thread, user=user),
        "form": form,
        "back_url": selectors.thread_back_url(thread),
    }
