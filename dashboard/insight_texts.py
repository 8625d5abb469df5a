"""The insights page's definitions, translatable: one per figure (dashboard.insights.FIGURES), in
the words of its selector's docstring, which stays the reference for the code."""

from django.utils.translation import gettext_lazy as _

DEFINITIONS = {
    "repeat-booking": _(
        "For month M (UTC, by the session's start): mentees are the distinct people with at least one "
        "completed micro-session in M; repeat are those of them who have at least one other completed "
        "micro-session at any time (earlier, later, or a second one in M). Rate = repeat / mentees. "
        "Cancelled, expired and no-show sessions count for neither side."
    ),
    "implementation": _(
        "Cohort members are people with an enrollment that is active or completed (in any cohort); "
        "solo mentees are everyone else with a micro-session action item. Action items: done / all "
        "action items recorded on their micro-sessions. Assignments (members only): submissions / "
        "assignments due so far, i.e. for each member enrollment, the modules of its cohort that have "
        "an assignment and are released now."
    ),
    "cohort-fill": _(
        "Cohorts that started: published or finished (never draft or cancelled) with a start date on "
        "or before today (UTC). Fill rate = members (active or completed enrollments) / seats_max, "
        "summed over those cohorts."
    ),
    "waitlist": _(
        "Waitlisted: every enrollment that was ever on a waitlist (it has a waitlisted_at). "
        "Converted: those of them that are now members (active or completed)."
    ),
    "ladder-up": _(
        "Well-rated sessions: completed micro-sessions whose review gave 4 or 5 stars. Laddered up: "
        "those whose upgrade offer (billing.UpgradeOffer, good for 14 days) has been redeemed on one "
        "of the mentor's cohort seats or plans."
    ),
    "pack-use": _(
        "For packs bought in month M (UTC, by the payment's confirmation; refunded in full excluded): "
        "packs, the sessions they hold, the sessions spent on a booking that happened (completed or "
        "the mentee did not show), the sessions booked and still ahead, and the share used = held / "
        "sessions. Sessions given back by a cancellation count as not used."
    ),
    "group-fill": _(
        "The insight page's figure, by month of the start (UTC): group sessions run (ended, not "
        "cancelled), their seats, the seats filled (confirmed) and the fill rate; and how many were "
        "cancelled (below their minimum, or by their mentor)."
    ),
    "weekly-series": _(
        "For series booked in month M (UTC): the series, the distinct mentees who booked them "
        "(recurring mentees), their sessions booked (holds never paid left out), the sessions "
        "cancelled (by either side, from any occurrence onwards or one by one), and the share kept = "
        "sessions not cancelled / sessions booked."
    ),
    "intro-conversion": _(
        'Of the mentees whose intro call (an offering marked "intro: once per mentee") was completed, '
        "the share who later booked a paid session with the same mentor that was kept (confirmed, "
        "completed or a mentee no-show)."
    ),
    "requests": _(
        "Requests sent to mentors (an offering that needs the mentor's approval), and how each ended: "
        "accepted, declined, lapsed after 48 hours (or the session's start) without an answer, or "
        "withdrawn by the mentee; the share accepted of those decided, and the median time from the "
        "request to the mentor's answer (accepted or declined), in hours."
    ),
    "code-redemptions": _(
        "Uses of codes counted when the payment was confirmed by its webhook (a checkout left unpaid "
        "gives its use back), split into mentors' codes and staff's platform-wide codes, with the "
        "list price of what was bought and what the codes took off (minor units)."
    ),
    "revenue": _(
        "GMV: the amounts of paid payments (bookings and cohort seats) by the month they were paid. "
        "Fees: their platform fees. Refunds: succeeded refunds by the month they were made. Take rate "
        "= fees / GMV. Currencies are kept apart. A payment refused as not the amount asked for sold "
        "nothing: neither it nor its refund counts."
    ),
    "bookings": _("How many micro-session bookings are in each state, now."),
    "questions": _(
        "Asked: questions the mentor could read (paid ones once paid). Answered: those answered "
        "since. Refunded: paid questions whose deadline passed unanswered. Revenue: what mentees paid "
        "for the paid questions that were answered (minor units, by currency; a payment refused for "
        "its amount sold nothing). Answer rate = answered / asked."
    ),
    "response-times": _(
        "Counts approved mentors that have a median, by bucket (lower bound included, upper "
        "excluded); a last row gives the median of those medians in minutes (for an even count, the "
        "mean of the middle two, rounded)."
    ),
    "cohort-vs-solo": _(
        "Action items done, cohort members minus solo mentees, in percentage points, three ways. "
        "Everyone: items on the sessions of people ever in a cohort (active or completed) against "
        "everyone else's. The same people: only people with items both before the first day of their "
        "first cohort and on or after it; their later items against their earlier ones, pooled. Within "
        "each mentor: for each mentor with both, items of their own cohorts' members against items of "
        "their mentees never in any cohort, on that mentor's sessions, pooled with Mantel–Haenszel "
        "weights (one row per mentor in the table). Each action item counts as one observation. "
        "Intervals: 95 %, Newcombe's (the pooled one: Wald)."
    ),
    "retention": _(
        "Of the mentees whose first completed micro-session was in month M (UTC), the share with "
        "another completed micro-session within 30, 60 and 90 days of the first one's start. A mentee "
        "counts toward a window only once that many days have passed since their first session; until "
        "then they are counted neither as repeat nor as not."
    ),
}

INTERVAL_NOTE = _(
    "Bounds are the 95 %% Wilson score interval of the rate, in percent. A group with fewer than "
    "%(n)s in its denominator is too few to say: no point is drawn; its interval stays here."
)

NOTES = {
    "cohort-vs-solo": _(
        "What this supports: whether cohort members complete more action items than solo mentees "
        "here, overall, within the same people, and within the same mentor, and how sure each "
        "difference is (an interval that includes zero means the data cannot say which way it "
        "goes). What it does not: that cohorts cause it. People choose cohorts, the same people may "
        "simply improve with time, and items of one person are not independent, so the intervals "
        "are if anything too narrow. The trend report says cohort alumni reported higher "
        "implementation rates than solo learners but gives no figure, so there is no line to draw."
    ),
    "retention": _(
        "Beside the repeat-booking rate above (another completed session at any time), this is the "
        "standard retention view: it does not favour older months, which have had longer to repeat. "
        "The dashed line is the trend report's 62 %, which names no time window."
    ),
    "repeat-booking": _(
        "The dashed line is the trend report's claim that micro-mentoring users book again (62 %), "
        "from a survey, not from this marketplace's data."
    ),
}
