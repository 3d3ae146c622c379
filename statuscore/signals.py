"""Django signals that statuscore sends for changes other apps must follow.

Signals, rather than outbox events, carry changes that another app has to
apply inside the same transaction: a member removed from an organisation
must lose admin access when the removal commits, not after a task drains
the outbox.
"""

from django.dispatch import Signal

__all__ = ["membership_changed", "page_domain_changed"]

# Sent inside the service's transaction after a membership was created,
# changed or deleted, with ``organization``, ``user``, ``role`` (the new
# role, or None when the membership was removed) and ``previous_role``
# (None when the user was not a member). A receiver that raises rolls the
# change back.
membership_changed = Signal()

# Sent inside the service's transaction after a page was created with a
# domain or its domain changed, with ``page`` (its ``domain`` is the new
# value, possibly empty) and ``previous_domain`` (empty when it had none).
# The CMS points a site at the page's domain. A receiver that raises
# ``ValidationFailed`` rolls the change back and rejects it.
page_domain_changed = Signal()
