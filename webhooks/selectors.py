"""Reads for the webhooks pages: only the mentor's own endpoints and deliveries."""

from __future__ import annotations

import json

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from mentors.models import MentorProfile

from .models import WebhookDelivery, WebhookEndpoint

LOG_PAGE = 50


def mentor_endpoints(*, mentor: MentorProfile) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(mentor=mentor).annotate(
        failed_count=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED)),
        pending_count=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.PENDING)),
    )


def own_endpoint(*, mentor: MentorProfile, pk) -> WebhookEndpoint:
    """The mentor's endpoint; 404 for anyone else's (its existence stays hidden)."""
    return get_object_or_404(WebhookEndpoint, pk=pk, mentor=mentor)


def own_delivery(*, mentor: MentorProfile, pk) -> WebhookDelivery:
    return get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint"), pk=pk, endpoint__mentor=mentor
    )


def endpoint_log(*, endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, each with its payload as the receiver reads it."""
    deliveries = list(endpoint.deliveries.order_by("-created_at", "pk")[:LOG_PAGE])
    for delivery in deliveries:
        delivery.payload_json = json.dumps(delivery.payload, indent=2, sort_keys=True, ensure_ascii=False)
    return deliveries
