"""Turn the review step for incident drafts on or off, per organisation.

The review step is a Wagtail workflow with one ``GroupApprovalTask``: an
editor submits a draft for approval, and a member of the task's groups
approves it, which publishes it to the core. Approval items for incidents
that checks opened hidden from the public go through the same workflow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

from statuscms.drafts import IncidentReview
from statuscms.roles import sync_organization
from statuscore.models import Organization

__all__ = ["disable_incident_review", "enable_incident_review"]

logger = logging.getLogger(__name__)


@transaction.atomic
def enable_incident_review(
    organization: Organization, groups: Iterable[Group]
) -> Workflow:
    """Make members of ``groups`` approve the organisation's incident drafts.

    Creates the organisation's workflow and its approval task on the first
    call; later calls replace the task's groups, so running it twice
    creates nothing twice. The groups get the permission to publish
    incident drafts, which approving needs because the last approval
    publishes; the organisation's owners and editors lose it, so drafts
    go through the review. Returns the workflow.
    """
    groups = list(groups)
    if not groups:
        raise ValueError("Name at least one group whose members approve drafts.")

    review = IncidentReview.objects.filter(organization=organization).first()
    if review is None:
        workflow = Workflow.objects.create(name=f"Incident review: {organization}")
        task = GroupApprovalTask.objects.create(
            name=f"Approve incident drafts: {organization}"
        )
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        review = IncidentReview.objects.create(
            organization=organization, workflow=workflow
        )
    workflow = review.workflow
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])

    tasks = GroupApprovalTask.objects.filter(workflow_tasks__workflow=workflow)
    for task in tasks:
        task.groups.set(groups)

    publish = Permission.objects.get(
        content_type__app_label="statuscms", codename="publish_incidentdraft"
    )
    for group in groups:
        group.permissions.add(publish)
    sync_organization(organization)

    logger.info(
        "Incident review on for organisation %s: workflow %s, groups %s",
        organization.pk,
        workflow.pk,
        [group.pk for group in groups],
    )
    return workflow


@transaction.atomic
def disable_incident_review(organization: Organization) -> bool:
    """Stop reviewing the organisation's drafts; return True if it was on.

    The workflow is deactivated, which cancels the reviews in progress,
    and owners and editors can publish drafts directly again. It is kept, with its
    history, for ``enable_incident_review`` to turn on again.
    """
    review = (
        IncidentReview.objects.filter(organization=organization)
        .select_related("workflow")
        .first()
    )
    if review is None or not review.workflow.active:
        return False

    review.workflow.deactivate()
    sync_organization(organization)
    logger.info("Incident review off for organisation %s", organization.pk)
    return True
