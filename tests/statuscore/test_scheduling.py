"""Check slots: spread over the interval, fixed per check, never drifting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from statuscore.exceptions import ValidationFailed
from statuscore.models import CheckRegion
from statuscore.services.checks import (
    claim_due_checks,
    create_check,
    next_slot_after,
    slot_offset,
    update_check,
)
from statuscore.testing import fake_plugin, temporary_plugin

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fake_checker():
    with temporary_plugin(fake_plugin):
        yield


def test_offset_is_deterministic():
    assert slot_offset(42, 60) == slot_offset(42, 60)


def test_offset_within_interval():
    offsets = [slot_offset(check_id, 60) for check_id in range(1, 1001)]

    assert min(offsets) >= timedelta(0)
    assert max(offsets) < timedelta(seconds=60)


def test_thousand_checks_spread_evenly():
    seconds = [slot_offset(check_id, 60).total_seconds() for check_id in range(1, 1001)]
    per_second = [0] * 60
    for value in seconds:
        per_second[int(value)] += 1

    # Even spreading puts about 17 checks in each second of the minute.
    assert max(per_second) < 40
    assert min(per_second) > 3


def test_next_slot_strictly_after_now():
    slot = next_slot_after(7, 60, NOW)

    assert NOW < slot <= NOW + timedelta(seconds=60)


def test_next_slot_keeps_phase():
    first = next_slot_after(7, 60, NOW)

    later = next_slot_after(7, 60, NOW + timedelta(hours=5, seconds=13))

    assert (later - first) % timedelta(seconds=60) == timedelta(0)


def test_next_slot_on_slot_moves_one_interval():
    slot = next_slot_after(7, 60, NOW)

    assert next_slot_after(7, 60, slot) == slot + timedelta(seconds=60)


def test_new_checks_not_all_due_at_once(page):
    # Read before creating: on a loaded machine creating 50 checks takes
    # long enough for early slots to pass a time read afterwards.
    created_at = timezone.now()
    checks = [create_check(page, f"c{index}", "fake", {}) for index in range(50)]

    claimed = claim_due_checks(created_at + timedelta(seconds=5), 100)

    assert len(claimed) < 25
    assert all(check.next_run_at > created_at for check in checks)


def test_first_slot_within_one_interval(page):
    before = timezone.now()

    check = create_check(page, "API", "fake", {}, interval_seconds=300)

    assert before < check.next_run_at <= before + timedelta(seconds=301)


@pytest.mark.parametrize("interval", [10, 60, 3600, 86400])
def test_interval_accepted(page, interval):
    check = create_check(
        page, "API", "fake", {}, interval_seconds=interval, timeout_seconds=5
    )

    assert check.interval_seconds == interval


@pytest.mark.parametrize("interval", [9, 86401])
def test_interval_out_of_range_rejected(page, interval):
    with pytest.raises(ValidationFailed) as caught:
        create_check(page, "API", "fake", {}, interval_seconds=interval)

    assert "interval_seconds" in caught.value.errors


def test_interval_change_reschedules(page):
    check = create_check(page, "API", "fake", {}, interval_seconds=3600)

    check = update_check(check, interval_seconds=60)

    assert check.next_run_at <= timezone.now() + timedelta(seconds=61)


@pytest.mark.parametrize("retries", [-1, 6])
def test_retries_out_of_range_rejected(page, retries):
    with pytest.raises(ValidationFailed) as caught:
        create_check(page, "API", "fake", {}, retries=retries)

    assert "retries" in caught.value.errors


# -- Regions ------------------------------------------------------------------


def test_check_with_regions_gets_region_rows(page):
    check = create_check(page, "API", "fake", {}, regions=["eu", "us"])
    rows = CheckRegion.objects.filter(uptime_check=check)

    assert sorted(rows.values_list("region", flat=True)) == ["eu", "us"]
    assert check.next_run_at is None


def test_regions_share_one_slot(page):
    check = create_check(page, "API", "fake", {}, regions=["eu", "us"])
    slots = set(
        CheckRegion.objects.filter(uptime_check=check).values_list(
            "next_run_at", flat=True
        )
    )

    assert len(slots) == 1


def test_region_removed_deletes_row(page):
    check = create_check(page, "API", "fake", {}, regions=["eu", "us"])

    update_check(check, regions=["eu"])

    assert list(check.region_rows.values_list("region", flat=True)) == ["eu"]


def test_regions_cleared_schedules_check(page):
    check = create_check(page, "API", "fake", {}, regions=["eu"])

    check = update_check(check, regions=[])

    assert check.next_run_at is not None
    assert not check.region_rows.exists()


@pytest.mark.parametrize(
    "regions", [["EU"], ["eu", "eu"], ["a b"], "eu", [""], ["x" * 65]]
)
def test_invalid_regions_rejected(page, regions):
    with pytest.raises(ValidationFailed) as caught:
        create_check(page, "API", "fake", {}, regions=regions)

    assert "regions" in caught.value.errors


@pytest.mark.parametrize("quorum", [0, 3])
def test_quorum_out_of_range_rejected(page, quorum):
    with pytest.raises(ValidationFailed) as caught:
        create_check(
            page, "API", "fake", {}, regions=["eu", "us"], region_quorum=quorum
        )

    assert "region_quorum" in caught.value.errors


def test_region_claim_only_that_region(page):
    regional = create_check(page, "EU", "fake", {}, regions=["eu"])
    anywhere = create_check(page, "Any", "fake", {})
    later = timezone.now() + timedelta(seconds=61)

    claimed = claim_due_checks(later, 10, region="eu")

    assert [check.pk for check in claimed] == [regional.pk]
    assert claimed[0].region == "eu"
    assert anywhere.pk not in [check.pk for check in claimed]


def test_claim_without_region_skips_regional(page):
    create_check(page, "EU", "fake", {}, regions=["eu"])
    anywhere = create_check(page, "Any", "fake", {})
    later = timezone.now() + timedelta(seconds=61)

    claimed = claim_due_checks(later, 10)

    assert [check.pk for check in claimed] == [anywhere.pk]


def test_each_region_claims_same_slot(page):
    create_check(page, "API", "fake", {}, regions=["eu", "us"])
    later = timezone.now() + timedelta(seconds=61)

    in_eu = claim_due_checks(later, 10, region="eu")
    in_us = claim_due_checks(later, 10, region="us")
    again_in_eu = claim_due_checks(later, 10, region="eu")

    assert len(in_eu) == 1
    assert len(in_us) == 1
    assert in_eu[0].due_at == in_us[0].due_at
    assert again_in_eu == []
