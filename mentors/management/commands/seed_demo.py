"""`manage.py seed_demo`: the demo marketplace of SPEC §4, safe to run again and again.

Everything is keyed on stable e-mails and slugs, and a booking on its (mentee, offering)
pair, so a second run finds what the first made and adds nothing. The plan (who books
what, in which state, with which words) comes from seeded random generators that never
look at the database, so every run draws the same plan; only the clock-dependent parts
(which past days, which free slot) use a separate generator.

Past bookings are history and are written directly with the ORM; upcoming ones go
through `sessions.services.booking_create` at real free slots so they respect each
mentor's availability and the no-overlap rule.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time as monotonic_clock
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.text import slugify

from config.celery import app as celery_app
from matching.models import Intake
from matching.services import recommendations_refresh
from mentors.models import DateOverride, Language, MentorProfile, Skill, WeeklyRule
from mentors.services import mentor_refresh_free_slots, mentor_refresh_min_price, unique_slug
from moderation.services import ModerationError, moderators_group_sync, report_create
from notifications.services import schedule_for_booking
from sessions import services as booking_services
from sessions.models import ActionItem, Booking, BookingEvent, Offering, Review
from sessions.selectors import mentor_free_slots

from ._cohort_demo import cohort_summary, seed_cohorts
from ._subscription_demo import plan_summary, seed_plans

State = Booking.State
UTC = ZoneInfo("UTC")
SEED = 20240917
PASSWORD = "demo-pass-123"
DOMAIN = "demo.thementors.test"
MENTEE_LOGIN = f"mentee@{DOMAIN}"
MENTOR_LOGIN = f"mentor@{DOMAIN}"
ADMIN_LOGIN = f"admin@{DOMAIN}"
MODERATOR_LOGIN = f"moderator@{DOMAIN}"
MENTEE_COUNT = 200
BOOKING_NAMESPACE = uuid.UUID("6f1c9a52-3d0e-4b8e-9a57-0d3c1b7f2e61")
PAST_DAYS = 90
UPCOMING_DAYS = 14

# --- vocabulary -----------------------------------------------------------------------------

LANGUAGES = {
    "en": "English",
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "pt": "Portuguese",
    "hi": "Hindi",
    "ja": "Japanese",
    "zh": "Chinese",
    "it": "Italian",
}

SKILL_BLURBS = {
    "Python": "Readable Python: structure, tests and typing for code that outlives its author.",
    "Hiring": "Hiring loops that find signal instead of noise, from job ad to offer.",
    "System design": "System design: trade-offs, failure modes and diagrams you can defend.",
    "Product management": "Product management: turning a wish list into a roadmap with reasons.",
    "Pricing": "Pricing and packaging: what to charge, how to test it, and how to raise it.",
    "Fundraising": "Fundraising: the story, the numbers and the investor pipeline.",
    "UX research": "UX research: talking to users in a way that changes what you build.",
    "Career change": "Career changes: a realistic path from where you are to where you want to go.",
    "Data science": "Data science: analyses people trust and act on.",
    "Negotiation": "Negotiation: knowing your number, your alternatives and your script.",
    "Public speaking": "Public speaking: talks with a clear opening, one idea and a strong close.",
    "Marketing": "Marketing: picking one channel and learning from it fast.",
    "Leadership": "Leadership: the first 90 days, hard conversations and growing people.",
    "Frontend": "Frontend: fast, accessible interfaces and a codebase the team enjoys.",
    "DevOps": "DevOps: pipelines, on-call and infrastructure that do not wake you at night.",
    "Writing": "Writing: clear documents, posts and essays that get read to the end.",
    "Sales": "Sales: discovery calls, pipelines and closing without being pushy.",
    "Startup strategy": "Startup strategy: finding the riskiest assumption and testing it first.",
    "Machine learning": "Machine learning: scoping, baselines and models that ship.",
    "Interviewing": "Interviewing: stories, structure and calm under pressure.",
}

# --- pre-work prompts and sample answers ----------------------------------------------------

PROMPTS = {
    "code": (
        "Link to the code (repo, gist or PR) and what it should do.",
        [
            "https://github.com/example/etl-jobs/pull/42 — the nightly CSV import.",
            "A gist of our retry wrapper: https://gist.github.com/example/1a2b3c",
            "The auth module of our Flask app; the repo is linked in my notes.",
        ],
    ),
    "page": (
        "Which page is slow, and how do you measure it today?",
        [
            "The product listing page; Lighthouse says LCP 4.8 s on mobile.",
            "Our dashboard after login; users complain, we have no real metrics yet.",
            "The checkout; Web Vitals in Search Console flag it as poor.",
        ],
    ),
    "worried_code": (
        "What worries you most about it?",
        [
            "That it works today but nobody else can change it safely.",
            "Performance once we have ten times the data.",
            "Error handling: failures are silent right now.",
        ],
    ),
    "worried_interview": (
        "What worries you most about the interview?",
        [
            "I ramble and lose the thread of my stories.",
            "I have only worked at one company, so my examples feel small.",
            "Questions about failure; I never know what to say.",
        ],
    ),
    "worried_analysis": (
        "What worries you most about the analysis?",
        [
            "I am not sure my conclusions follow from the data.",
            "The sample is small and the effect looks too good.",
            "Seasonality: the test ran over a holiday.",
        ],
    ),
    "role": (
        "Which role and company are you preparing for?",
        [
            "Senior backend engineer at a fintech scale-up.",
            "Product manager at a 200-person B2B SaaS company.",
            "Staff engineer at a large e-commerce company.",
        ],
    ),
    "hiring_role": (
        "Which role are you hiring for, and what does the loop look like today?",
        [
            "Our first data engineer; today it is a chat with me and a take-home.",
            "Two senior frontend engineers; five rounds and candidates drop out.",
            "A customer success lead; we have never hired for this role.",
        ],
    ),
    "hiring_tried": (
        "What has gone wrong in recent hires?",
        [
            "Two hires who interviewed well but struggled in the first months.",
            "Strong candidates accept other offers while we deliberate.",
            "Interviewers disagree and nobody knows what 'good' looks like.",
        ],
    ),
    "decision_tech": (
        "What is the one decision you need to make?",
        [
            "Whether to build our own scheduling engine or buy one.",
            "Queues or cron for our billing jobs.",
            "Splitting the monolith now or in a year.",
        ],
    ),
    "decision_product": (
        "What is the one decision you need to make?",
        [
            "Which of two markets to launch in first.",
            "Whether to build the enterprise features our biggest customer asks for.",
            "Which of three features to ship next quarter.",
        ],
    ),
    "decision_offer": (
        "What is the decision in front of you?",
        [
            "Whether to accept an offer or stay and push for promotion.",
            "A startup offer with equity versus a big-company offer with a higher salary.",
            "An offer that means relocating to another country.",
        ],
    ),
    "research_question": (
        "What do you want to learn from users?",
        [
            "Why trial users do not invite their team.",
            "Whether small agencies would pay for the reporting feature.",
            "How people choose a tool like ours today.",
        ],
    ),
    "idea": (
        "Describe the idea in two sentences.",
        [
            "A marketplace for freelance bookkeepers serving small restaurants.",
            "An app that turns meeting notes into tickets automatically.",
            "Subscription repairs for e-bikes in big cities.",
        ],
    ),
    "tried": (
        "What have you tried so far?",
        [
            "Two rounds of user interviews and a landing-page test.",
            "Paid ads on LinkedIn; expensive and few sign-ups.",
            "Reading a lot and asking friends; nothing structured yet.",
        ],
    ),
    "matters": (
        "What matters most to you right now?",
        [
            "Learning fast, even if the pay is a bit lower.",
            "Stability: we are expecting our second child.",
            "Remote work and a team I respect.",
        ],
    ),
    "numbers": (
        "Share the key numbers today (users, revenue, conversion…).",
        [
            "1,200 sign-ups, 80 paying, 3% monthly churn.",
            "$18k MRR, growing 8% a month, CAC around $300.",
            "40k monthly visitors, 1.1% trial conversion.",
        ],
    ),
    "ml_data": (
        "What data do you have, and how would you measure success?",
        [
            "Two years of orders, about 3M rows; success is fewer returns.",
            "Support tickets with labels for the last six months; faster triage.",
            "Clickstream from the app; the product team wants better recommendations.",
        ],
    ),
    "doc": (
        "Link the document you want feedback on.",
        [
            "https://docs.example.com/d/draft-for-review — comments are open.",
            "https://docs.example.com/d/v3 (the latest version).",
            "Attached the link in the notes below.",
        ],
    ),
    "deck": (
        "Link your deck.",
        [
            "https://docs.example.com/d/our-pitch-deck",
            "https://docs.example.com/d/seed-deck-v7",
            "https://docs.example.com/d/deck-for-angels",
        ],
    ),
    "background": (
        "Tell me briefly about your background.",
        [
            "Six years as a teacher, learning to code for the last year.",
            "Backend engineer for five years, curious about product.",
            "Mechanical engineer moving into data.",
        ],
    ),
    "success": (
        "What would success look like in three months?",
        [
            "A signed offer in the new field.",
            "Two interviews lined up and a portfolio I am proud of.",
            "Clarity on which path to take, and the first course finished.",
        ],
    ),
    "raise": (
        "How much are you thinking of raising, and for what?",
        [
            "About $1.5M to reach $1M ARR in 18 months.",
            "$600k from angels to hire two engineers.",
            "Not sure yet; that is part of the question.",
        ],
    ),
    "team": (
        "Tell me about your new team.",
        [
            "Five engineers, two of them were my peers until last month.",
            "A team of eight I inherited from a manager who left suddenly.",
            "Three designers and a researcher, spread over two time zones.",
        ],
    ),
    "stuck": (
        "Where exactly are you stuck?",
        [
            "My team misses deadlines and I do not know how to raise it.",
            "A senior report keeps pushing back on every decision.",
            "I need to tell someone their role is changing.",
        ],
    ),
    "pipeline": (
        "Where is the pipeline slow or fragile?",
        [
            "Deploys take an hour and fail one time in five.",
            "Integration tests are flaky, so people re-run until green.",
            "Rollbacks are manual and nobody has done one in months.",
        ],
    ),
    "offer": (
        "What is the offer (base, equity, level) and your target?",
        [
            "$150k base, 0.1% equity, senior level; I hoped for $170k.",
            "€85k, no equity, mid-level; market data says €95k.",
            "A staff title with a 10% raise; I want a signing bonus too.",
        ],
    ),
    "talk": (
        "Link the talk (slides or outline).",
        [
            "https://docs.example.com/d/talk-outline",
            "Slides: https://slides.example.com/our-migration-story",
            "Only an outline so far, linked in the notes.",
        ],
    ),
    "audience": (
        "Who is the audience and how long is the slot?",
        [
            "About 300 developers at a conference, 25 minutes.",
            "Our board, 15 minutes, very numbers-driven.",
            "An all-hands of 80 people, 10 minutes.",
        ],
    ),
    "readers": (
        "Who will read it, and where will it be published?",
        [
            "Engineers at other start-ups, on our company blog.",
            "My newsletter's 2,000 subscribers, mostly product people.",
            "A guest post for an industry magazine.",
        ],
    ),
    "pitch": (
        "How do you pitch today (a recording, a script or a summary)?",
        [
            "A 20-minute demo first, then pricing; script linked in the notes.",
            "Mostly improvised; here is a recording of last week's call.",
            "We send a deck and follow up by e-mail.",
        ],
    ),
}


@dataclass(frozen=True)
class Template:
    title: str
    outcome: str
    minutes: int
    prompts: tuple[str, ...]
    booking_outcomes: tuple[str, ...]
    action_items: tuple[str, ...]
    blurb: str


T = Template
TEMPLATES: dict[str, list[Template]] = {
    "Python": [
        T(
            "Python code review: one module, line by line",
            "A prioritized list of fixes for one Python module",
            45,
            ("code", "worried_code"),
            (
                "A refactor plan for my data-loading module",
                "Clear next steps to make my CLI testable",
            ),
            (
                "Refactor the parser into pure functions and add three tests",
                "Add type hints to the public API and run mypy in CI",
            ),
            "Send me one module you are not proud of. We read it together and agree on the three "
            "changes that buy the most clarity.",
        )
    ],
    "Hiring": [
        T(
            "Design your hiring loop",
            "An interview loop with clear signals for one role",
            60,
            ("hiring_role", "hiring_tried"),
            (
                "A four-stage loop for our first data engineer",
                "A scorecard the whole panel agrees on",
            ),
            (
                "Write the scorecard for the role and share it with the panel",
                "Replace the take-home with a paired exercise and trial it twice",
            ),
            "Most loops test the same thing four times. We map each stage to one signal and cut the rest.",
        )
    ],
    "Interviewing": [
        T(
            "Mock behavioral interview with feedback",
            "Three polished STAR stories",
            45,
            ("role", "worried_interview"),
            (
                "Three stories I can tell under pressure",
                "A crisp answer to 'tell me about a conflict'",
            ),
            (
                "Write out three STAR stories and time each under two minutes",
                "Record yourself answering the conflict question and cut it by a third",
            ),
            "A realistic behavioral round, then honest, specific feedback on structure, content "
            "and delivery.",
        ),
        T(
            "Mock coding interview",
            "An honest read on coding-interview readiness",
            60,
            ("role",),
            ("Know whether I am ready for my onsite", "A study plan for the next two weeks"),
            (
                "Solve two medium graph problems a day, talking out loud",
                "Practice stating complexity before writing code, five problems",
            ),
            "One problem, a shared editor and a debrief that tells you exactly what to practise next.",
        ),
    ],
    "System design": [
        T(
            "System design mock interview",
            "Feedback on one system design answer",
            60,
            ("role",),
            ("A repeatable structure for design questions", "Know my weak spots before the onsite"),
            (
                "Redo the URL-shortener design on paper in 35 minutes",
                "Read up on consistent hashing and explain it to a friend",
            ),
            "A classic design question under interview conditions, then a walk through what a "
            "strong answer has.",
        ),
        T(
            "Architecture review for your next build",
            "A go/no-go on one architecture decision",
            45,
            ("decision_tech", "doc"),
            (
                "A decision on queues versus cron for our billing jobs",
                "A short list of risks to test first",
            ),
            (
                "Write a one-page decision record and circulate it",
                "Build a spike of the riskiest component by Friday",
            ),
            "Bring the design doc. We find the decision that matters and the failure modes you "
            "have not priced in.",
        ),
    ],
    "Product management": [
        T(
            "Prioritize your roadmap in 30 minutes",
            "A ranked list of next quarter's bets",
            30,
            ("decision_product", "numbers"),
            ("A ranked roadmap I can defend to my CEO", "Two bets to drop this quarter"),
            (
                "Score the top ten roadmap items on reach, impact and effort",
                "Share the ranked list with engineering and collect objections",
            ),
            "We turn your wish list into a ranked list with reasons, so the next planning meeting is short.",
        ),
        T(
            "Break into product management",
            "A 90-day plan to move into a PM role",
            45,
            ("background", "success"),
            ("A realistic plan to become a PM", "Know which PM roles fit my background"),
            (
                "Ship one small product improvement end to end at your current job",
                "Rewrite your CV around three product outcomes",
            ),
            "From engineering, design, support or sales: we map your experience to what hiring "
            "managers look for.",
        ),
    ],
    "Pricing": [
        T(
            "Pricing page teardown",
            "Two pricing experiments to run next",
            30,
            ("numbers", "doc"),
            ("Two pricing tests for next month", "A decision on annual discounts"),
            (
                "Launch the three-tier pricing test to 50% of new visitors",
                "Interview five churned customers about price",
            ),
            "A candid look at your pricing page and packaging, and two experiments worth running.",
        )
    ],
    "Fundraising": [
        T(
            "Pitch deck review",
            "A sharper deck story before investor meetings",
            45,
            ("deck", "numbers"),
            ("A deck that tells one story", "A stronger traction slide"),
            (
                "Rewrite the first three slides around the problem and traction",
                "Send the new deck to two friendly investors for feedback",
            ),
            "Slide by slide, the way an investor reads it: where they get excited and where they "
            "stop reading.",
        ),
        T(
            "Plan your seed round",
            "A target raise, timeline and investor list outline",
            60,
            ("raise", "numbers"),
            ("A realistic target and timeline for our seed", "A first list of 30 investors"),
            (
                "Build a list of 40 investors with warm-intro paths",
                "Model 18 months of runway at two hiring speeds",
            ),
            "How much to raise, from whom and in what order, grounded in your numbers.",
        ),
    ],
    "UX research": [
        T(
            "Plan five user interviews",
            "An interview guide and recruiting plan",
            30,
            ("research_question", "tried"),
            (
                "An interview guide without leading questions",
                "A plan to recruit five users this week",
            ),
            (
                "Run five interviews with the new guide and share the notes",
                "Write the three most surprising quotes on the team wiki",
            ),
            "We write the guide together and plan how to find the right five people by next week.",
        )
    ],
    "Career change": [
        T(
            "Should I take this job offer?",
            "A decision on one job offer",
            30,
            ("decision_offer", "matters"),
            ("A decision on the offer", "A clear list of questions to ask before signing"),
            (
                "Ask the hiring manager the three open questions by e-mail",
                "Write down your walk-away conditions and sleep on it",
            ),
            "One offer, your priorities and a structured way to decide without regrets.",
        ),
        T(
            "Map your career switch",
            "Three realistic paths into a new field",
            45,
            ("background", "success"),
            ("Three paths into tech that fit my life", "A first step I can take this month"),
            (
                "Have coffee chats with three people in the target role",
                "Finish one portfolio project and publish it",
            ),
            "Where you are, where you want to be and the shortest honest path between them.",
        ),
    ],
    "Data science": [
        T(
            "Sanity-check your analysis",
            "Confidence in one analysis before you present it",
            45,
            ("doc", "worried_analysis"),
            ("Confidence my A/B test result holds", "A cleaner chart for the board deck"),
            (
                "Re-run the analysis with the holdout period excluded",
                "Replace the dual-axis chart with two small multiples",
            ),
            "A second pair of eyes on the method, the numbers and the story before it goes to "
            "decision-makers.",
        )
    ],
    "Negotiation": [
        T(
            "Negotiate your offer",
            "A counter-offer script and walk-away number",
            30,
            ("offer", "matters"),
            ("A counter-offer I am comfortable sending", "Know my walk-away number"),
            (
                "Send the counter-offer e-mail we drafted",
                "Collect two more salary data points for the level",
            ),
            "We find your leverage, set your number and rehearse the call until it feels natural.",
        )
    ],
    "Public speaking": [
        T(
            "Rehearse your talk",
            "Tighter opening and closing for one talk",
            45,
            ("talk", "audience"),
            ("A stronger first two minutes", "A talk that fits the time slot"),
            (
                "Cut the talk to 20 minutes and rehearse it twice on video",
                "Rewrite the closing around one call to action",
            ),
            "Give the talk to me. You leave with a stronger opening, a cleaner middle and a close "
            "people remember.",
        )
    ],
    "Marketing": [
        T(
            "Find your first growth channel",
            "One channel to test for the next 30 days",
            45,
            ("numbers", "tried"),
            ("One channel to focus on", "A 30-day experiment plan"),
            (
                "Publish four posts in the chosen community and track sign-ups",
                "Set up UTM links and a weekly channel report",
            ),
            "We look at what you have tried, pick one channel and design a cheap 30-day test.",
        )
    ],
    "Leadership": [
        T(
            "Your first 90 days as a manager",
            "A 90-day plan for a new team",
            60,
            ("team", "stuck"),
            ("A plan for my first 90 days", "A one-on-one format that works"),
            (
                "Hold a first one-on-one with every report using the new agenda",
                "Write down the team's top three problems as you see them",
            ),
            "New to managing? We build the plan for your first three months, week by week.",
        ),
        T(
            "Handle a hard conversation",
            "A plan for one difficult conversation",
            30,
            ("stuck",),
            ("A script for the conversation with my report", "Know how to open the conversation"),
            (
                "Have the conversation this week and note what surprised you",
                "Write the feedback in the situation-behaviour-impact format",
            ),
            "Feedback, under-performance or conflict: we plan the words and rehearse the tricky moments.",
        ),
    ],
    "Frontend": [
        T(
            "Frontend performance clinic",
            "The three fixes with the biggest speed win",
            45,
            ("page", "numbers"),
            ("Our largest contentful paint under 2.5 s", "A plan to cut our bundle size"),
            (
                "Lazy-load the below-the-fold images and measure LCP again",
                "Split the admin bundle from the public one",
            ),
            "We profile one page together and rank the fixes by impact per hour of work.",
        )
    ],
    "DevOps": [
        T(
            "Untangle your CI/CD pipeline",
            "A faster, safer deploy pipeline plan",
            45,
            ("doc", "pipeline"),
            ("Deploys under ten minutes", "A rollback plan we trust"),
            (
                "Cache dependencies in CI and parallelise the test job",
                "Write and rehearse the rollback runbook",
            ),
            "Bring your pipeline config. We find where the minutes and the failures go, and fix "
            "the worst first.",
        )
    ],
    "Writing": [
        T(
            "Edit your blog post or essay",
            "A publish-ready draft",
            30,
            ("doc", "readers"),
            ("A post I am ready to publish", "A clearer structure for my essay"),
            (
                "Cut the draft by 30% and move the conclusion to the top",
                "Publish the post and share it in two communities",
            ),
            "Line edits and structure: we make the piece shorter, clearer and ready to publish.",
        )
    ],
    "Sales": [
        T(
            "Review your sales pitch",
            "A discovery-call script that qualifies fast",
            30,
            ("pitch", "numbers"),
            ("A discovery script with five good questions", "Know why deals stall at the demo"),
            (
                "Use the new discovery script on the next five calls",
                "Add a next-step date to every open deal in the CRM",
            ),
            "We listen to how you pitch today and rebuild the discovery call around the buyer's problem.",
        )
    ],
    "Startup strategy": [
        T(
            "Pressure-test your startup idea",
            "A list of riskiest assumptions and how to test them",
            45,
            ("idea", "tried"),
            ("Know the riskiest assumption in my idea", "A one-week test for demand"),
            (
                "Run the fake-door test for one week and count sign-ups",
                "Talk to ten potential customers about the problem, not the product",
            ),
            "Before you build: which assumption kills the idea if it is wrong, and how to test it this week.",
        )
    ],
    "Machine learning": [
        T(
            "ML project scoping",
            "A scoped first model with a baseline and metric",
            60,
            ("ml_data",),
            ("A scoped first ML project", "A baseline and a metric the business agrees on"),
            (
                "Build the heuristic baseline and measure it on last month's data",
                "Agree the success metric with the product owner in writing",
            ),
            "Most ML projects fail before the first model. We scope yours so the first one can ship.",
        )
    ],
}
INTRO_CALL = T(
    "Free 15-minute intro call",
    "Know whether we are a good fit",
    15,
    (),
    ("Know whether this mentor fits my goals", "One concrete next step"),
    (
        "Book a full session on the topic we picked",
        "Write down the question you most want answered",
    ),
    "A short call to get to know each other and see whether I am the right mentor for your question.",
)

# --- people ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    name: str
    zone: str
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    years: int
    headline: str


P = Persona
DEMO_MENTOR = P(
    "Lena Fischer",
    "Europe/Berlin",
    ("en", "de"),
    ("Hiring", "Interviewing", "Career change"),
    14,
    "Engineering manager who has hired 200+ engineers",
)
# fmt: off
MENTORS = [
    DEMO_MENTOR,
    P("Marcus Reed", "America/New_York", ("en",),
      ("Fundraising", "Startup strategy", "Pricing"), 18,
      "Two-time founder; raised $40M from seed to Series B"),
    P("Priya Raman", "Asia/Kolkata", ("en", "hi"),
      ("Data science", "Machine learning", "Python"), 11,
      "Lead data scientist turning messy data into decisions"),
    P("Kenji Watanabe", "Asia/Tokyo", ("ja", "en"),
      ("System design", "DevOps", "Python"), 16,
      "Principal engineer for distributed systems at scale"),
    P("Sofia Almeida", "America/Sao_Paulo", ("pt", "en"),
      ("Product management", "UX research"), 9,
      "Product lead who ships with research, not hunches"),
    P("Oliver Bennett", "Europe/London", ("en",),
      ("Public speaking", "Leadership", "Writing"), 20,
      "Executive coach for first-time leaders"),
    P("Chloé Martin", "Europe/Paris", ("fr", "en"),
      ("Marketing", "Writing", "Startup strategy"), 10,
      "Growth marketer for B2B SaaS"),
    P("Tunde Adeyemi", "Africa/Lagos", ("en",),
      ("Sales", "Negotiation", "Startup strategy"), 13,
      "Built sales teams from zero in three African markets"),
    P("Emily Chen", "America/Los_Angeles", ("en", "zh"),
      ("Frontend", "UX research", "Career change"), 8,
      "Senior frontend engineer; bootcamp grad turned mentor"),
    P("Jack O'Connor", "Australia/Sydney", ("en",),
      ("DevOps", "System design", "Leadership"), 15,
      "Platform engineering lead and on-call veteran"),
    P("Ana García", "Europe/Madrid", ("es", "en"),
      ("Product management", "Pricing"), 12,
      "Head of product for two-sided marketplaces"),
    P("David Kim", "America/Chicago", ("en",),
      ("Negotiation", "Career change", "Interviewing"), 17,
      "Recruiter turned career coach: offers and negotiation"),
    P("Aisha Bello", "Africa/Lagos", ("en", "fr"),
      ("Fundraising", "Writing", "Startup strategy"), 9,
      "Early-stage investor; pitch decks that get meetings"),
    P("Rahul Mehta", "Asia/Kolkata", ("en", "hi"),
      ("Python", "System design", "Interviewing"), 10,
      "Backend engineer who has run 500+ technical interviews"),
    P("Hannah Schulz", "Europe/Berlin", ("de", "en"),
      ("UX research", "Product management"), 11,
      "UX research lead; I help teams talk to users"),
    P("Lucas Oliveira", "America/Sao_Paulo", ("pt", "en"),
      ("Machine learning", "Data science"), 7,
      "ML engineer shipping recommendation systems"),
    P("Yuki Tanaka", "Asia/Tokyo", ("ja", "en"),
      ("Frontend", "Writing"), 6,
      "Frontend developer and technical writer"),
    P("Grace Thompson", "America/New_York", ("en",),
      ("Leadership", "Hiring", "Public speaking"), 22,
      "VP Engineering; I grow managers and leaders"),
    P("Mateo Fernández", "America/Mexico_City", ("es", "en"),
      ("Sales", "Marketing"), 9,
      "Head of growth for Latin American startups"),
    P("Sarah Goldberg", "America/Los_Angeles", ("en",),
      ("Fundraising", "Pricing", "Startup strategy"), 19,
      "Angel investor and former SaaS CFO"),
    P("Arjun Nair", "Asia/Singapore", ("en", "hi"),
      ("DevOps", "Machine learning"), 12,
      "MLOps engineer: from notebook to production"),
    P("Emma Walsh", "Europe/London", ("en",),
      ("Writing", "Marketing", "Career change"), 8,
      "Content strategist who moved from journalism to tech"),
    P("Thomas Müller", "Europe/Berlin", ("de", "en"),
      ("Sales", "Negotiation", "Leadership"), 21,
      "Enterprise sales director, DACH region"),
    P("Camille Dubois", "Europe/Paris", ("fr", "en"),
      ("Data science", "Python"), 7,
      "Data analyst helping teams trust their numbers"),
    P("Noah Williams", "America/Toronto", ("en", "fr"),
      ("Hiring", "Interviewing", "Leadership"), 13,
      "Engineering director; fair and fast hiring"),
    P("Mei Lin", "Asia/Singapore", ("en", "zh"),
      ("Product management", "Machine learning"), 10,
      "AI product manager at a regional super-app"),
    P("Kwame Mensah", "Africa/Accra", ("en",),
      ("Startup strategy", "Fundraising", "Sales"), 11,
      "Founder and operator; fintech across West Africa"),
    P("Isabella Costa", "Europe/Lisbon", ("pt", "en"),
      ("UX research", "Frontend"), 9,
      "Product designer who codes"),
    P("Daniel Park", "America/Los_Angeles", ("en",),
      ("System design", "Interviewing", "Career change"), 14,
      "Staff engineer at a big tech company; interview coach"),
    P("Fatima Zahra", "Africa/Casablanca", ("fr", "en"),
      ("Marketing", "Public speaking"), 10,
      "Brand marketer and conference speaker"),
    P("Liam Murphy", "Europe/Dublin", ("en",),
      ("Pricing", "Sales", "Negotiation"), 16,
      "Revenue leader; pricing for B2B software"),
    P("Ananya Iyer", "Asia/Kolkata", ("en", "hi"),
      ("Career change", "Data science", "Public speaking"), 6,
      "Switched from civil engineering to data science"),
    P("Hiroshi Sato", "Asia/Tokyo", ("ja", "en"),
      ("Leadership", "Hiring"), 25,
      "CTO advisor for Japanese and global startups"),
    P("Olivia Brown", "Australia/Melbourne", ("en",),
      ("Marketing", "Writing"), 9,
      "Content marketer for developer tools"),
    P("Gabriel Santos", "America/Sao_Paulo", ("es", "pt"),
      ("Python", "DevOps"), 8,
      "Site reliability engineer and Python enthusiast"),
    P("Nora Jensen", "Europe/Copenhagen", ("en", "de"),
      ("Product management", "Leadership", "Hiring"), 15,
      "Chief product officer at a climate-tech company"),
    P("Samuel Okoro", "Africa/Lagos", ("en",),
      ("Frontend", "Python", "Career change"), 7,
      "Full-stack developer; self-taught, now teaching others"),
    P("Rachel Cohen", "America/New_York", ("en",),
      ("Negotiation", "Public speaking", "Leadership"), 18,
      "Leadership coach and former litigator"),
    P("Diego Herrera", "America/Bogota", ("es", "en"),
      ("Machine learning", "System design"), 12,
      "Machine learning architect for e-commerce"),
    P("Julia Novak", "Europe/Berlin", ("de", "en"),
      ("Writing", "UX research", "Marketing"), 10,
      "UX writer: words that make products easier"),
]
# fmt: on
APPLICANTS = [
    (
        P(
            "Ben Carter",
            "America/Denver",
            ("en",),
            ("Public speaking",),
            5,
            "TEDx speaker helping engineers present",
        ),
        MentorProfile.Status.PENDING,
        "",
    ),
    (
        P(
            "Sakura Mori",
            "Asia/Tokyo",
            ("ja", "en"),
            ("UX research", "Writing"),
            4,
            "UX researcher at a design consultancy",
        ),
        MentorProfile.Status.PENDING,
        "",
    ),
    (
        P(
            "Max Power",
            "Europe/London",
            ("en",),
            ("Startup strategy",),
            2,
            "I can help with anything",
        ),
        MentorProfile.Status.REJECTED,
        "Thanks for applying. Please describe concrete experience and the outcomes you have "
        "helped people reach, "
        "then apply again.",
    ),
]
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Maria",
    "Jonas",
    "Aiko",
    "Ravi",
    "Lucía",
    "Chen",
    "Amara",
    "Ines",
    "Mohammed",
    "Sara",
    "Pedro",
    "Anna",
    "Kofi",
    "Elena",
    "Yusuf",
    "Mia",
    "Hugo",
    "Leila",
    "Ivan",
    "Zoe",
    "Tomás",
    "Nina",
    "Ethan",
    "Aarav",
    "Hana",
    "Felix",
    "Chiara",
    "Omar",
    "Grace",
    "Luca",
    "Sipho",
    "Emma",
    "Diego",
    "Noor",
    "Ren",
    "Olga",
]
LAST_NAMES = [
    "Schmidt",
    "Silva",
    "Nguyen",
    "Patel",
    "Johnson",
    "Kowalski",
    "Sato",
    "Rossi",
    "Okafor",
    "Haddad",
    "Andersson",
    "Moreau",
    "Lopez",
    "Kim",
    "Müller",
    "Ivanova",
    "Mensah",
    "Yilmaz",
    "Brown",
    "Costa",
    "Singh",
    "Dubois",
    "Tanaka",
    "Garcia",
    "Nowak",
    "Ali",
    "Smith",
    "Fernandes",
    "Wang",
    "Novak",
]
MENTEE_ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Europe/London",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Africa/Lagos",
    "Europe/Madrid",
    "America/Chicago",
    "Asia/Singapore",
    "Europe/Paris",
    "America/Toronto",
    "Africa/Nairobi",
    "Europe/Warsaw",
    "Asia/Dubai",
    "America/Mexico_City",
]

# Weekly availability patterns, local wall-clock time: weekday -> windows.
_H = time


def _weekdays(*windows, days=range(5)):
    return {d: list(windows) for d in days}


PATTERNS = [
    _weekdays((_H(9), _H(17))),
    _weekdays((_H(8, 30), _H(12, 30)), (_H(14), _H(18)), days=range(4)),
    {1: [(_H(18), _H(21))], 3: [(_H(18), _H(21))], 5: [(_H(10), _H(14))]},
    _weekdays((_H(7), _H(11)), days=(0, 2, 4)),
    _weekdays((_H(12), _H(20))),
    {**_weekdays((_H(10), _H(16)), days=range(4)), 4: [(_H(9), _H(12, 15))]},
    _weekdays((_H(17, 30), _H(21)), days=range(5)) | {6: [(_H(9, 45), _H(12, 45))]},
]
DEMO_PATTERN = _weekdays((_H(9), _H(17))) | {5: [(_H(10), _H(12))]}

REVIEW_TEXTS = {
    5: [
        "Exactly what I needed. We left with a clear plan and I have already started on it.",
        "Sharp, kind and very practical. Worth every minute.",
        "Best 30 minutes I spent this month. The pre-work made the session focused.",
        "Asked the questions I had been avoiding. I finally made the decision.",
        "Incredibly well prepared; had read everything I sent beforehand.",
        "Concrete, honest feedback and a single next step. Would book again.",
        "",
    ],
    4: [
        "Very helpful; I would have liked a bit more time on the second question.",
        "Good advice and a useful framework. Some of it was a bit generic.",
        "Clear and practical. The action item is spot on.",
        "",
    ],
    3: [
        "Useful, but we spent too long on background and ran out of time.",
        "Some good points, though not quite what I was looking for.",
        "OK session; I expected more specific feedback on my document.",
    ],
}
MENTOR_REPLIES = [
    "Thank you! Let me know how the first step goes.",
    "Glad it helped — good luck with the next round.",
    "Thanks for the feedback. Next time I will keep the background part shorter.",
    "It was a pleasure. Looking forward to hearing how it turns out.",
]
MENTEE_CANCEL_NOTES = [
    "A work emergency came up.",
    "I got sick, sorry!",
    "Found the answer in the meantime.",
    "",
]
MENTOR_CANCEL_NOTES = [
    "Travelling unexpectedly that day.",
    "Family matter, so sorry.",
    "Double-booked myself.",
]
CONTEXT_NOTES = [
    "",
    "",
    "I have a deadline at the end of the month.",
    "My manager suggested I get an outside view.",
    "Happy to share more documents if helpful.",
]

# --- the plan -------------------------------------------------------------------------------


@dataclass
class PlannedBooking:
    mentee: str  # e-mail
    offering: str  # slug
    state: str
    outcome: str
    answers: list[str]
    context_notes: str
    join_token: str
    days_ago: int | None = None  # for a forced past day; None picks one at random
    action_item: str = ""
    action_done: bool = False
    rating: int | None = None
    review_text: str = ""
    reply: str = ""
    cancel_note: str = ""
    created_lead_days: float = 5.0
    later_hours: float = 1.0  # when the final transition happened, relative to the session
    slot_fraction: float = 0.0  # where among the free slots an upcoming booking lands
    upcoming: bool = False


@dataclass
class MentorPlan:
    persona: Persona
    email: str
    slug: str
    pattern: dict
    offerings: list[dict] = field(default_factory=list)
    rules: dict = field(default_factory=dict)
    overrides: list[tuple[int, str]] = field(default_factory=list)  # (days ahead, kind)
    bookings: list[PlannedBooking] = field(default_factory=list)


def _email_for(name: str) -> str:
    return f"{slugify(name).replace('-', '.')}@{DOMAIN}"


class DemoPlan:
    """Decides everything the demo contains, without looking at the database or the clock."""

    def __init__(self):
        rng = random.Random(f"{SEED}:people")
        self.mentees = []
        for i in range(1, MENTEE_COUNT + 1):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            self.mentees.append((f"mentee{i:03d}@{DOMAIN}", name, rng.choice(MENTEE_ZONES)))
        self.mentors = [self._mentor(persona) for persona in MENTORS]
        self._demo_mentee_bookings()

    def _mentor(self, persona: Persona) -> MentorPlan:
        demo = persona is DEMO_MENTOR
        rng = random.Random(f"{SEED}:mentor:{persona.name}")
        plan = MentorPlan(
            persona=persona,
            email=MENTOR_LOGIN if demo else _email_for(persona.name),
            slug=slugify(persona.name),
            pattern=DEMO_PATTERN if demo else rng.choice(PATTERNS),
        )
        plan.rules = {
            "buffer_before": 0 if demo else rng.choice([0, 0, 0, 5, 10]),
            "buffer_after": 15 if demo else rng.choice([0, 10, 15, 15, 30]),
            "minimum_notice": 120 if demo else rng.choice([60, 240, 720, 720, 1440]),
            "horizon_days": 60 if demo else rng.choice([30, 60, 60, 90]),
            "max_sessions_per_day": 6 if demo else rng.choice([3, 4, 6, 6, 8]),
        }
        if demo:
            plan.overrides = [(3, DateOverride.Kind.OFF), (9, DateOverride.Kind.EXTRA)]
        elif rng.random() < 0.4:
            plan.overrides = [(rng.randint(2, 12), DateOverride.Kind.OFF)]
            if rng.random() < 0.5:
                plan.overrides.append((rng.randint(4, 20), DateOverride.Kind.EXTRA))
        plan.offerings = self._offerings(plan, rng, demo)
        self._mentor_bookings(plan, rng, demo)
        return plan

    def _offerings(self, plan: MentorPlan, rng: random.Random, demo: bool) -> list[dict]:
        if demo:
            chosen = [
                (INTRO_CALL, 0, True),
                (TEMPLATES["Interviewing"][0], 4500, True),
                (TEMPLATES["Hiring"][0], 9000, True),
                (TEMPLATES["Negotiation"][0], 2500, False),  # a draft
            ]
        else:
            pool = [t for skill in plan.persona.skills for t in TEMPLATES[skill]]
            picked = rng.sample(pool, k=min(len(pool), rng.choice([1, 2, 2, 3])))
            if len(picked) < 3 and rng.random() < 0.3:
                picked.insert(0, INTRO_CALL)
            prices = [0, 2500, 2500, 4500, 4500, 6000, 9000, 9000, 12000]
            chosen = [(t, 0 if t is INTRO_CALL else rng.choice(prices), True) for t in picked]
        offerings = []
        for template, price, published in chosen:
            minutes = template.minutes
            if template is not INTRO_CALL and not demo and rng.random() < 0.25:
                minutes = rng.choice([30, 45, 60])
            offerings.append(
                {
                    "slug": f"{plan.slug}-{slugify(template.title)}"[:100],
                    "template": template,
                    "duration_minutes": minutes,
                    "price_amount": price,
                    "cancellation_window_hours": 24 if demo else rng.choice([12, 24, 24, 48]),
                    "is_published": published,
                }
            )
        return offerings

    def _booking(self, rng, mentee: str, offering: dict, state: str, **extra) -> PlannedBooking:
        template: Template = offering["template"]
        rating = rng.choices([5, 4, 3], weights=[55, 35, 10])[0]
        booking = PlannedBooking(
            mentee=mentee,
            offering=offering["slug"],
            state=state,
            outcome=rng.choice(template.booking_outcomes),
            answers=[rng.choice(PROMPTS[key][1]) for key in template.prompts],
            context_notes=rng.choice(CONTEXT_NOTES),
            join_token=f"{rng.getrandbits(64):016x}",
            action_item=rng.choice(template.action_items),
            action_done=rng.random() < 0.6,
            rating=rating if rng.random() < 0.7 else None,
            review_text=rng.choice(REVIEW_TEXTS[rating]),
            reply=rng.choice(MENTOR_REPLIES) if rng.random() < 0.25 else "",
            cancel_note=rng.choice(
                MENTOR_CANCEL_NOTES if state == State.CANCELLED_BY_MENTOR else MENTEE_CANCEL_NOTES
            ),
            created_lead_days=rng.uniform(2, 14),
            later_hours=rng.uniform(0.2, 30),
            slot_fraction=rng.random(),
        )
        for name, value in extra.items():
            setattr(booking, name, value)
        return booking

    def _mentor_bookings(self, plan: MentorPlan, rng: random.Random, demo: bool) -> None:
        published = [o for o in plan.offerings if o["is_published"]]
        paid = [o for o in published if o["price_amount"]]
        past_count = 14 if demo else rng.randint(5, 13)
        upcoming_count = 4 if demo else rng.choice([0, 1, 1, 2, 2, 3])
        held = demo or rng.random() < 0.15
        # Distinct mentees per mentor, so each (mentee, offering) pair is used once.
        mentees = [m[0] for m in rng.sample(self.mentees, k=past_count + upcoming_count + 2)]
        states = [State.COMPLETED] * 70 + [State.CANCELLED_BY_MENTEE] * 8 + [State.CANCELLED_BY_MENTOR] * 4
        states += [State.NO_SHOW_MENTEE] * 5 + [State.NO_SHOW_MENTOR] * 3 + [State.EXPIRED] * 6
        for i in range(past_count):
            state = rng.choice(states)
            if i == 0 and (demo or rng.random() < 0.25):
                state = State.CONFIRMED  # a past session the mentor has yet to close
            offering = rng.choice(paid if state == State.EXPIRED and paid else published)
            if state == State.EXPIRED and not offering["price_amount"]:
                state = State.COMPLETED
            booking = self._booking(rng, mentees.pop(), offering, state)
            if state == State.CONFIRMED:
                booking.days_ago = 1
            plan.bookings.append(booking)
        prework = [o for o in published if o["template"].prompts] or published
        for i in range(upcoming_count):
            offering = rng.choice(prework if demo else published)
            booking = self._booking(rng, mentees.pop(), offering, State.CONFIRMED, upcoming=True)
            if demo:  # spread over the coming two weeks, the first as soon as possible
                booking.slot_fraction = (0.0, 0.35, 0.6, 0.85)[i]
            plan.bookings.append(booking)
        if held and paid:
            plan.bookings.append(
                self._booking(rng, mentees.pop(), rng.choice(paid), State.HELD, upcoming=True)
            )

    def _demo_mentee_bookings(self) -> None:
        """The demo mentee's own story, with four different mentors."""
        rng = random.Random(f"{SEED}:demo-mentee")
        by_name = {p.persona.name: p for p in self.mentors}

        def add(mentor: str, title: str, state: str, **extra):
            plan = by_name[mentor]
            published = [o for o in plan.offerings if o["is_published"]]
            offering = next((o for o in published if o["template"].title == title), published[-1])
            plan.bookings.insert(0, self._booking(rng, MENTEE_LOGIN, offering, state, **extra))

        # Upcoming: one with the demo mentor (pre-work done), one with pre-work still open.
        add(
            DEMO_MENTOR.name,
            "Mock behavioral interview with feedback",
            State.CONFIRMED,
            upcoming=True,
            slot_fraction=0.15,
        )
        add(
            "Daniel Park",
            "System design mock interview",
            State.CONFIRMED,
            upcoming=True,
            slot_fraction=0.3,
        )
        by_name["Daniel Park"].bookings[0].answers[-1:] = [""]
        # History: an older completed session, all done and reviewed.
        add(
            "Sofia Almeida",
            "Prioritize your roadmap in 30 minutes",
            State.COMPLETED,
            days_ago=24,
            action_done=True,
            rating=5,
            review_text="Sofia helped me turn a messy backlog into three clear bets.",
        )
        # Completed last week: action item still open, already reviewed.
        add(
            "Marcus Reed",
            "Pitch deck review",
            State.COMPLETED,
            days_ago=6,
            action_done=False,
            rating=4,
            review_text="Very practical feedback on my deck. I am rewriting the first slides now.",
        )
        # Completed two days ago: open action item and waiting for the mentee's review.
        add(
            "Priya Raman",
            "Python code review: one module, line by line",
            State.COMPLETED,
            days_ago=2,
            action_done=False,
            rating=None,
        )
        # A cancellation, so the history shows one.
        add("Emily Chen", "Plan five user interviews", State.CANCELLED_BY_MENTOR, days_ago=15)


# --- writing it -----------------------------------------------------------------------------


def _local(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


class Seeder:
    def __init__(self, *, now: datetime):
        self.now = now
        self.plan = DemoPlan()
        self.password = make_password(PASSWORD)
        self.users: dict[str, object] = {}
        self.offerings: dict[str, Offering] = {}
        self.mentors: dict[str, MentorProfile] = {}

    def run(self) -> None:
        self.site()
        self.vocabulary()
        self.people()
        for plan in self.plan.mentors:
            self.mentor(plan)
        self.applicants()
        self.past_bookings()
        self.upcoming_bookings()
        self.reminders()
        seed_cohorts(
            now=self.now,
            mentors=list(self.mentors.values()),
            mentees=[self.users[email] for email, _, _ in self.plan.mentees],
            demo_mentee=self.users[MENTEE_LOGIN],
        )
        seed_plans(
            now=self.now,
            mentors=list(self.mentors.values()),
            mentees=[self.users[email] for email, _, _ in self.plan.mentees],
            demo_mentor=self.users[MENTOR_LOGIN].mentor,
            demo_mentee=self.users[MENTEE_LOGIN],
        )
        for mentor_id in MentorProfile.objects.values_list("pk", flat=True):
            booking_services._refresh_mentor_stats(mentor_id)
            mentor_refresh_min_price(mentor_id=mentor_id)
            mentor_refresh_free_slots(mentor_id=mentor_id, now=self.now)
        self.match_intake()
        self.reports()

    def reports(self) -> None:
        """Two reviews flagged by other mentees wait in the moderators' queue."""
        reviews = Review.objects.filter(is_hidden=False).select_related(
            "booking__mentee", "booking__mentor__user"
        )
        reporters = [self.users[email] for email, _, _ in self.plan.mentees]
        for review, reporter, reason in zip(
            reviews.order_by("rating", "pk")[:2], reporters[-2:], ["abuse", "misleading"], strict=False
        ):
            with contextlib.suppress(ModerationError):  # already reported: the seed ran before
                report_create(
                    reporter=reporter,
                    target=review,
                    reason=reason,
                    note="This review talks about the mentor, not the session.",
                )

    def match_intake(self) -> None:
        """The demo mentee has filled in "Find my match", and has their ranking (as the worker
        would compute it once the intake is saved)."""
        mentee = self.users[MENTEE_LOGIN]
        intake, created = Intake.objects.get_or_create(
            user=mentee,
            defaults={
                "need": "I'm weighing a staff engineer offer against a move into management",
                "budget_amount": 8000,
                "currency": "USD",
                "days": [0, 1, 2, 3, 4],
                "hours_from": time(8),
                "hours_to": time(18),
            },
        )
        if created:
            intake.skills.set(Skill.objects.filter(name__in=["Interviewing", "System design"]))
        recommendations_refresh(user_id=mentee.pk)  # after the intake was saved: not stale

    # --- basics

    def site(self) -> None:
        Site.objects.update_or_create(
            pk=settings.SITE_ID, defaults={"domain": "127.0.0.1:8000", "name": "TheMentors"}
        )
        Site.objects.clear_cache()

    def vocabulary(self) -> None:
        for code, name in LANGUAGES.items():
            Language.objects.update_or_create(code=code, defaults={"name": name})
        for name in SKILL_BLURBS:
            Skill.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        self.languages = {lang.code: lang for lang in Language.objects.all()}
        self.skills = {skill.name: skill for skill in Skill.objects.filter(name__in=SKILL_BLURBS)}

    def people(self) -> None:
        User = get_user_model()
        people = [
            (ADMIN_LOGIN, "Ada Admin", "Europe/Berlin"),
            (MENTEE_LOGIN, "Maya Patel", "America/New_York"),
            (MODERATOR_LOGIN, "Mo Moderator", "Europe/Dublin"),
            *self.plan.mentees,
            *((p.email, p.persona.name, p.persona.zone) for p in self.plan.mentors),
            *((_email_for(p.name), p.name, p.zone) for p, _, _ in APPLICANTS),
        ]
        emails = [email for email, _, _ in people]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        User.objects.bulk_create(
            [
                User(email=email, display_name=name, timezone=zone, password=self.password)
                for email, name, zone in people
                if email not in existing
            ],
            batch_size=500,
        )
        demo_logins = people[:3]  # always get their name and password back
        for email, name, zone in demo_logins:
            User.objects.filter(email=email).update(display_name=name, timezone=zone, password=self.password)
        User.objects.filter(email=ADMIN_LOGIN).update(is_staff=True, is_superuser=True)
        User.objects.filter(email=MODERATOR_LOGIN).update(is_staff=True)
        User.objects.get(email=MODERATOR_LOGIN).groups.add(moderators_group_sync())
        self.users = {u.email: u for u in User.objects.filter(email__in=emails)}
        verified = set(
            EmailAddress.objects.filter(user__in=self.users.values()).values_list("user_id", flat=True)
        )
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=user, email=email, verified=True, primary=True)
                for email, user in self.users.items()
                if user.pk not in verified
            ],
            batch_size=500,
        )

    # --- mentors

    def _profile(
        self, persona: Persona, email: str, status: str, reason: str = "", **fields
    ) -> MentorProfile:
        user = self.users[email]
        profile = MentorProfile.objects.filter(user=user).first()
        if profile is None:
            profile = MentorProfile(user=user, slug=unique_slug(MentorProfile, persona.name))
        first = persona.name.split()[0]
        city = persona.zone.split("/")[-1].replace("_", " ")
        blurbs = "\n".join(f"- {SKILL_BLURBS[s]}" for s in persona.skills)
        languages = " and ".join(LANGUAGES[c] for c in persona.languages)
        profile.headline = persona.headline
        profile.bio = (
            f"Hi, I'm {first}. {persona.headline}, with {persona.years} years of experience.\n\n"
            f"**What I help with**\n\n{blurbs}\n\n"
            "**How I run a session**\n\n"
            "Read the pre-work, ask questions and push for one concrete outcome. You leave with a "
            "single action item you can start on the same day.\n\n"
            f"_Based in {city}; I mentor in {languages}._"
        )
        profile.years_experience = persona.years
        profile.timezone = persona.zone
        profile.status = status
        profile.review_reason = reason
        if status == MentorProfile.Status.PENDING:
            profile.reviewed_at = None
        elif profile.reviewed_at is None:
            profile.reviewed_at = self.now
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.save()
        profile.skills.set([self.skills[s] for s in persona.skills])
        profile.languages.set([self.languages[c] for c in persona.languages])
        return profile

    def mentor(self, plan: MentorPlan) -> None:
        profile = self._profile(plan.persona, plan.email, MentorProfile.Status.APPROVED, **plan.rules)
        self.mentors[plan.email] = profile
        if not profile.weekly_rules.exists():
            WeeklyRule.objects.bulk_create(
                WeeklyRule(mentor=profile, weekday=day, start_time=start, end_time=end)
                for day, windows in plan.pattern.items()
                for start, end in windows
            )
        if plan.overrides and not profile.date_overrides.exists():
            today = self.now.astimezone(profile.zone).date()
            for ahead, kind in plan.overrides:
                day = today + timedelta(days=ahead)
                # Days off fall on working days, extra hours on free ones.
                while (day.weekday() in plan.pattern) != (kind == DateOverride.Kind.OFF):
                    day += timedelta(days=1)
                window = (None, None) if kind == DateOverride.Kind.OFF else (time(10), time(13))
                DateOverride.objects.get_or_create(
                    mentor=profile, date=day, kind=kind, start_time=window[0], end_time=window[1]
                )
        for spec in plan.offerings:
            template: Template = spec["template"]
            offering, _ = Offering.objects.update_or_create(
                slug=spec["slug"],
                defaults={
                    "mentor": profile,
                    "title": template.title,
                    "outcome": template.outcome,
                    "description": (f"{template.blurb}\n\n**You leave with:** {template.outcome.lower()}."),
                    "duration_minutes": spec["duration_minutes"],
                    "price_amount": spec["price_amount"],
                    "currency": "USD",
                    "prework_prompts": [PROMPTS[key][0] for key in template.prompts],
                    "cancellation_window_hours": spec["cancellation_window_hours"],
                    "is_published": spec["is_published"],
                },
            )
            self.offerings[spec["slug"]] = offering

    def applicants(self) -> None:
        for persona, status, reason in APPLICANTS:
            self._profile(persona, _email_for(persona.name), status, reason)

    # --- bookings

    def _existing_pairs(self) -> set[tuple[int, int]]:
        return set(Booking.objects.values_list("mentee_id", "offering_id"))

    def _past_days(self, plan: MentorPlan, profile: MentorProfile) -> list[date]:
        today = self.now.astimezone(profile.zone).date()
        days = [today - timedelta(days=n) for n in range(1, PAST_DAYS + 1)]
        return [d for d in days if d.weekday() in plan.pattern]

    def past_bookings(self) -> None:
        existing = self._existing_pairs()
        bookings, events, items, reviews = [], [], [], []
        stamps: dict = {}
        for plan in self.plan.mentors:
            profile = self.mentors[plan.email]
            # The clock decides which days exist, so days come from their own generator.
            when = random.Random(f"{SEED}:days:{plan.slug}")
            days = self._past_days(plan, profile)
            past = [b for b in plan.bookings if not b.upcoming]
            forced = sorted((b for b in past if b.days_ago is not None), key=lambda b: b.days_ago)
            taken: dict[int, date] = {}
            for b in forced:
                target = self.now.astimezone(profile.zone).date() - timedelta(days=b.days_ago)
                day = next((d for d in days if d <= target), days[-1])
                days.remove(day)
                taken[id(b)] = day
            free = [b for b in past if b.days_ago is None]
            for b, day in zip(free, when.sample(days, k=min(len(days), len(free))), strict=False):
                taken[id(b)] = day
            for b in past:
                if id(b) not in taken:
                    continue
                offering = self.offerings[b.offering]
                mentee = self.users[b.mentee]
                starts_at = self._start_on(taken[id(b)], plan, profile.zone, offering.duration_minutes, when)
                if (mentee.pk, offering.pk) in existing:
                    continue
                self._past_booking(
                    b,
                    offering,
                    profile,
                    mentee,
                    starts_at,
                    bookings,
                    events,
                    items,
                    reviews,
                    stamps,
                )
        Booking.objects.bulk_create(bookings, batch_size=300)
        BookingEvent.objects.bulk_create(events, batch_size=500)
        ActionItem.objects.bulk_create(items, batch_size=500)
        Review.objects.bulk_create(reviews, batch_size=500)
        self._backdate(bookings, stamps)

    def _start_on(self, day: date, plan: MentorPlan, zone: ZoneInfo, minutes: int, when) -> datetime:
        start, end = when.choice(plan.pattern[day.weekday()])
        first = datetime.combine(day, start)
        quarters = int(
            (datetime.combine(day, end) - first - timedelta(minutes=minutes)).total_seconds() // 900
        )
        wall = (first + timedelta(minutes=15 * when.randint(0, max(quarters, 0)))).time()
        return _local(day, wall, zone)

    def _past_booking(
        self, b, offering, profile, mentee, starts_at, bookings, events, items, reviews, stamps
    ):
        ends_at = starts_at + timedelta(minutes=offering.duration_minutes)
        created = min(starts_at - timedelta(days=b.created_lead_days), self.now - timedelta(days=1))
        paid = offering.price_amount > 0
        booking = Booking(
            id=uuid.uuid5(BOOKING_NAMESPACE, f"{b.mentee}:{b.offering}"),
            offering=offering,
            mentor=profile,
            mentee=mentee,
            starts_at=starts_at,
            ends_at=ends_at,
            state=b.state,
            hold_expires_at=created + timedelta(minutes=settings.HOLD_MINUTES)
            if b.state == State.EXPIRED
            else None,
            outcome=b.outcome,
            prework_answers=[
                {"prompt": p, "answer": a} for p, a in zip(offering.prework_prompts, b.answers, strict=False)
            ],
            context_notes=b.context_notes,
            price_amount=offering.price_amount,
            currency=offering.currency,
            join_url=f"https://meet.jit.si/TheMentors-demo-{b.join_token}",
        )
        bookings.append(booking)
        stamps[(booking.id, "booking")] = created
        mentor_user = profile.user

        def event(frm, to, at, actor, note=""):
            events.append(BookingEvent(booking=booking, actor=actor, from_state=frm, to_state=to, note=note))
            stamps[(booking.id, frm, to)] = min(at, self.now - timedelta(minutes=1))

        if b.state == State.EXPIRED:
            event("", State.HELD, created, mentee)
            event(
                State.HELD,
                State.EXPIRED,
                created + timedelta(minutes=settings.HOLD_MINUTES),
                None,
                "hold expired",
            )
            return
        if paid:
            event("", State.HELD, created, mentee)
            event(
                State.HELD,
                State.CONFIRMED,
                created + timedelta(minutes=3),
                mentee,
                "payment received",
            )
        else:
            event("", State.CONFIRMED, created, mentee)
        later = timedelta(hours=b.later_hours)
        if b.state == State.COMPLETED:
            closed = min(ends_at + later / 4, self.now - timedelta(minutes=30))
            event(State.CONFIRMED, State.COMPLETED, closed, mentor_user, "closed with an action item")
            due = ends_at.astimezone(mentee.zone).date() + timedelta(days=7 + int(b.later_hours) % 8)
            done_at = min(closed + later * 3, self.now - timedelta(minutes=5)) if b.action_done else None
            items.append(ActionItem(booking=booking, text=b.action_item, due_date=due, done_at=done_at))
            stamps[(booking.id, "item")] = min(closed, self.now - timedelta(minutes=1))
            if b.rating:
                reviewed = min(closed + later, self.now - timedelta(minutes=1))
                replied = min(reviewed + later, self.now) if b.reply else None
                reviews.append(
                    Review(
                        booking=booking,
                        rating=b.rating,
                        text=b.review_text,
                        mentor_reply=b.reply,
                        replied_at=replied,
                    )
                )
                stamps[(booking.id, "review")] = reviewed
        elif b.state in (State.CANCELLED_BY_MENTEE, State.CANCELLED_BY_MENTOR):
            by = mentee if b.state == State.CANCELLED_BY_MENTEE else mentor_user
            at = max(starts_at - later, created + timedelta(minutes=10))
            event(State.CONFIRMED, b.state, at, by, b.cancel_note)
        elif b.state in (State.NO_SHOW_MENTEE, State.NO_SHOW_MENTOR):
            by = mentor_user if b.state == State.NO_SHOW_MENTEE else mentee
            event(State.CONFIRMED, b.state, starts_at + timedelta(minutes=15), by, "no-show reported")

    def _backdate(self, bookings: list[Booking], stamps: dict) -> None:
        """auto_now_add stamped everything with now; history gets its real moments back."""
        if not bookings:
            return
        ids = [b.id for b in bookings]
        for booking in bookings:
            booking.created_at = stamps[(booking.id, "booking")]
        Booking.objects.bulk_update(bookings, ["created_at"], batch_size=300)
        rows = list(BookingEvent.objects.filter(booking_id__in=ids))
        for row in rows:
            row.at = stamps[(row.booking_id, row.from_state, row.to_state)]
        BookingEvent.objects.bulk_update(rows, ["at"], batch_size=300)
        for model, key in ((ActionItem, "item"), (Review, "review")):
            rows = list(model.objects.filter(booking_id__in=ids))
            for row in rows:
                row.created_at = stamps[(row.booking_id, key)]
            model.objects.bulk_update(rows, ["created_at"], batch_size=300)

    def upcoming_bookings(self) -> None:
        existing = self._existing_pairs()
        for plan in self.plan.mentors:
            profile = self.mentors[plan.email]
            for b in plan.bookings:
                if not b.upcoming:
                    continue
                offering = self.offerings[b.offering]
                mentee = self.users[b.mentee]
                if (mentee.pk, offering.pk) in existing:
                    continue
                self._book(b, offering, profile, mentee)

    def reminders(self) -> None:
        """The reminder rows confirming would have made (the demo books with notify=False, which
        skips them with the confirmation e-mails). Only for bookings without any yet: a later run
        must not cancel rows that came due in between as if the booking had moved."""
        upcoming = Booking.objects.filter(
            state=State.CONFIRMED, starts_at__gt=timezone.now(), notifications__isnull=True
        )
        for booking in upcoming:
            schedule_for_booking(booking)

    def _book(self, b: PlannedBooking, offering: Offering, profile: MentorProfile, mentee) -> Booking | None:
        """Book through the product's own service at a real free slot."""
        offering.mentor = MentorProfile.objects.get(pk=profile.pk)
        now = timezone.now() + timedelta(minutes=5)  # margin for the service's own, later clock
        slots = mentor_free_slots(
            mentor=offering.mentor,
            duration=timedelta(minutes=offering.duration_minutes),
            start=now,
            end=now + timedelta(days=UPCOMING_DAYS),
            now=now,
        )
        if b.mentee == MENTEE_LOGIN:  # keep the demo mentee's own sessions well apart
            taken = Booking.objects.filter(mentee=mentee, starts_at__gt=now).values_list(
                "starts_at", flat=True
            )
            slots = [s for s in slots if all(abs(s - t) >= timedelta(hours=24) for t in taken)]
        if not slots:
            return None
        first = int(b.slot_fraction * len(slots))
        request = booking_services.BookingRequest(
            starts_at=slots[first],
            outcome=b.outcome,
            prework_answers=b.answers,
            context_notes=b.context_notes,
        )
        for starts_at in slots[first:] + slots[:first]:
            request.starts_at = starts_at
            try:
                booking = booking_services.booking_create(
                    offering=offering, mentee=mentee, request=request, notify=False
                )
            except booking_services.BookingError:
                continue
            if booking.state == State.HELD and b.state == State.CONFIRMED:
                booking = booking_services.booking_confirm_payment(booking=booking, notify=False)
            return booking
        return None


class Command(BaseCommand):
    help = "Fill the database with the demo marketplace (SPEC §4). Safe to run more than once."

    def handle(self, *args, **options):
        started = monotonic_clock.monotonic()
        seeder = Seeder(now=timezone.now())
        # What the services queue for after commit (free-slot previews, demo payouts) runs here,
        # inline: hundreds of tasks would otherwise sit in front of the demo's first real ones.
        eager = celery_app.conf.task_always_eager
        trace_log = logging.getLogger("celery.app.trace")  # one "succeeded" line per task
        level = trace_log.level
        celery_app.conf.task_always_eager = True
        trace_log.setLevel(logging.WARNING)
        try:
            # The demo's money is demo money (Payment.Provider.DEMO rows, paid by its test
            # checkout) whatever provider the site is set up with: with Stripe configured, its
            # mentors have no Connect accounts to sell through and nothing may be asked of Stripe.
            # Rows remember their provider, so the running site treats them as the demo's.
            with override_settings(BILLING_PROVIDER="demo"), transaction.atomic():
                seeder.run()
        finally:
            celery_app.conf.task_always_eager = eager
            trace_log.setLevel(level)
        self._summary(monotonic_clock.monotonic() - started)

    def _summary(self, seconds: float) -> None:
        User = get_user_model()
        statuses = dict(MentorProfile.objects.values_list("status").annotate(n=Count("pk")).order_by())
        states = dict(Booking.objects.values_list("state").annotate(n=Count("pk")).order_by())
        mentees = User.objects.filter(mentor__isnull=True, is_staff=False).count()
        zones = MentorProfile.objects.filter(status="approved").values("timezone").distinct().count()
        write = self.stdout.write
        write(self.style.SUCCESS(f"Demo data ready in {seconds:.1f} s."))
        write(
            f"  Mentors:   {statuses.get('approved', 0)} approved in {zones} time zones, "
            f"{statuses.get('pending', 0)} pending, {statuses.get('rejected', 0)} rejected"
        )
        write(
            f"  Mentees:   {mentees} · skills {Skill.objects.count()} · "
            f"languages {Language.objects.count()} · "
            f"offerings {Offering.objects.filter(is_published=True).count()} published"
        )
        write(
            f"  Bookings:  {sum(states.values())} — "
            + ", ".join(f"{s} {states.get(s, 0)}" for s in State.values)
        )
        write(
            f"  Reviews:   {Review.objects.count()} · action items {ActionItem.objects.count()} "
            f"({ActionItem.objects.filter(done_at__isnull=False).count()} done)"
        )
        write(f"  Cohorts:   {cohort_summary()}")
        write(f"  Plans:     {plan_summary()}")
        write(f"\nLog in at {settings.SITE_URL}/ with password {PASSWORD!r}:")
        write(f"  mentee  {MENTEE_LOGIN}")
        write(f"  mentor  {MENTOR_LOGIN}")
        write(f"  admin   {ADMIN_LOGIN}  (/admin/)")
        write(f"  moderator {MODERATOR_LOGIN}  (/admin/, the Moderators group)")
