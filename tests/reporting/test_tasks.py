"""The life of a report in the background: queued after commit, claimed once, retried when it is worth it."""

from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.db import OperationalError
from django.utils import timezone

from reporting import services, tasks
from reporting.models import Report
from tests.factories import UserFactory
from tests.reporting.conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(plan):
    return UserFactory(username="iom", role="partner", agency=plan.agencies["CLEAN-WORLD"])


def queued_report(plan, user, **fields):
    return Report.objects.create(edition=plan.edition, requested_by=user, **fields)


def test_request_queues_the_task_with_the_id_only_after_commit(plan, partner, django_capture_on_commit_callbacks):
    with mock.patch.object(tasks.generate_report, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            report = services.report_request(
                user=partner, kind="edition", edition=plan.edition, language="en", format="pdf"
            )
        delay.assert_not_called()  # nothing is sent before the request is committed
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(report.pk)


def test_request_is_rendered_in_process_without_a_worker(plan, partner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            user=partner, kind="edition", edition=plan.edition, language="en", format="pdf"
        )
    report.refresh_from_db()
    assert report.state == Report.State.DONE and report.attempts == 1
    assert report.started_at <= report.finished_at
    with report.file.open("rb") as handle:
        assert "Amend the anti-trafficking law" in pdf_text(handle.read())


def test_a_second_delivery_does_nothing(plan, partner):
    report = queued_report(plan, partner)
    assert tasks.generate_report.apply(args=[report.pk]).get() == "done"
    report.refresh_from_db()
    finished, name = report.finished_at, report.file.name
    with mock.patch.object(services, "report_produce") as produce:
        assert tasks.generate_report.apply(args=[report.pk]).get() == "not claimed"
    produce.assert_not_called()
    report.refresh_from_db()
    assert (report.state, report.attempts, report.finished_at, report.file.name) == ("done", 1, finished, name)


def test_a_report_another_worker_is_running_is_left_alone(plan, partner):
    report = queued_report(plan, partner, state=Report.State.RUNNING, started_at=timezone.now(), attempts=1)
    with mock.patch.object(services, "report_produce") as produce:
        assert tasks.generate_report.apply(args=[report.pk]).get() == "not claimed"
    produce.assert_not_called()


def test_an_error_in_rendering_fails_the_report_and_says_why(plan, partner):
    report = queued_report(plan, partner)
    with mock.patch.object(services, "report_produce", side_effect=ValueError("no fonts")):
        assert tasks.generate_report.apply(args=[report.pk]).get() == "failed"
    report.refresh_from_db()
    assert report.state == Report.State.FAILED and report.error == "ValueError: no fonts"
    assert report.attempts == 1


def run_on_a_worker(report_id, *, retries):
    """Run the task's body as a worker would (not in-process), on its `retries`-th delivery."""
    task = tasks.generate_report
    task.push_request(id="test", retries=retries, is_eager=False)
    try:
        return task.run(report_id)
    finally:
        task.pop_request()


def test_a_transient_error_gives_the_report_back_and_retries_with_backoff(plan, partner):
    report = queued_report(plan, partner)
    retry = mock.Mock(side_effect=Retry("retry later"))
    with (
        mock.patch.object(services, "report_produce", side_effect=OperationalError("connection lost")),
        mock.patch.object(tasks.generate_report, "retry", retry),
        pytest.raises(Retry),
    ):
        run_on_a_worker(report.pk, retries=1)
    assert retry.call_args.kwargs["countdown"] == 40
    assert isinstance(retry.call_args.kwargs["exc"], OperationalError)
    report.refresh_from_db()
    assert report.state == Report.State.QUEUED and report.attempts == 1  # ready for the next delivery
    assert run_on_a_worker(report.pk, retries=2) == "done"
    report.refresh_from_db()
    assert report.state == Report.State.DONE and report.attempts == 2


def test_transient_errors_are_retried_a_bounded_number_of_times(plan, partner):
    report = queued_report(plan, partner)
    with (
        mock.patch.object(services, "report_produce", side_effect=OperationalError("down")),
        mock.patch.object(tasks.generate_report, "retry") as retry,
    ):
        assert run_on_a_worker(report.pk, retries=tasks.MAX_RETRIES) == "failed"
    retry.assert_not_called()
    report.refresh_from_db()
    assert report.state == Report.State.FAILED and "Gave up after 4 attempts" in report.error


def test_without_a_worker_a_transient_error_fails_at_once(plan, partner):
    report = queued_report(plan, partner)
    with mock.patch.object(services, "report_produce", side_effect=OperationalError("down")):
        assert tasks.generate_report.apply(args=[report.pk]).get() == "failed"
    report.refresh_from_db()
    assert report.state == Report.State.FAILED


def test_backoff_grows():
    assert [tasks.backoff(n) for n in range(3)] == [10, 40, 160]


def test_task_is_acknowledged_late_with_time_limits():
    task = tasks.generate_report
    assert task.acks_late and task.reject_on_worker_lost
    assert 0 < task.soft_time_limit < task.time_limit


def test_stuck_reports_are_requeued_and_given_up_after_the_last_attempt(plan, partner, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.REPORT_TASK_TIME_LIMIT + 120)
    stuck = queued_report(plan, partner, state=Report.State.RUNNING, started_at=long_ago, attempts=1)
    hopeless = queued_report(
        plan, partner, state=Report.State.RUNNING, started_at=long_ago, attempts=settings.REPORT_MAX_ATTEMPTS
    )
    busy = queued_report(plan, partner, state=Report.State.RUNNING, started_at=timezone.now(), attempts=1)
    lost = queued_report(plan, partner)
    Report.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    fresh = queued_report(plan, partner)

    with mock.patch.object(tasks.generate_report, "delay") as delay:
        result = tasks.requeue_stuck_reports.apply().get()
    assert result["requeued"] == [stuck.pk] and result["resent"] == [lost.pk] and result["failed"] == 1
    assert sorted(call.args[0] for call in delay.call_args_list) == sorted([stuck.pk, lost.pk])
    states = dict(Report.objects.values_list("pk", "state"))
    assert states[stuck.pk] == "queued" and states[hopeless.pk] == "failed"
    assert states[busy.pk] == "running" and states[fresh.pk] == "queued"

    # The re-queued report is then made, as any other.
    tasks.generate_report.apply(args=[stuck.pk])
    stuck.refresh_from_db()
    assert stuck.state == "done" and stuck.attempts == 2


def test_the_sweep_runs_periodically(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["requeue-stuck-reports"]
    assert schedule["task"] == tasks.requeue_stuck_reports.name


def test_a_finished_run_that_lost_its_claim_leaves_no_file(plan, partner, tmp_path):
    report = queued_report(plan, partner)
    services.report_claim(report.pk)
    Report.objects.filter(pk=report.pk).update(state=Report.State.QUEUED)  # the sweep took it back
    rendered = services.report_produce(report)
    assert services.report_store(report, rendered) is False
    report.refresh_from_db()
    assert report.file.name == ""


@pytest.mark.django_db
def test_a_report_out_of_attempts_is_not_claimed_again_but_failed(settings, plan, people):
    from reporting.models import Report
    from reporting.services import report_claim

    settings.REPORT_MAX_ATTEMPTS = 2
    report = Report.objects.create(edition=plan.edition, requested_by=people["partner"], attempts=2)
    assert report_claim(report.pk) is False
    report.refresh_from_db()
    assert report.state == Report.State.FAILED and "several attempts" in report.error


def test_a_report_asked_for_while_the_broker_is_down_is_kept_and_the_person_sees_success(
    plan, partner, client, caplog, django_capture_on_commit_callbacks
):
    """Redis unreachable: no 500, the report waits as queued, and the sweep sends it later.
    (tests/deployment/ does the same with a real Redis stopped and started again.)"""
    from kombu.exceptions import OperationalError as BrokerDown

    client.force_login(partner)
    refused = BrokerDown("Error 111 connecting to 127.0.0.1:6390. Connection refused.")
    with (
        mock.patch.object(tasks.generate_report, "delay", side_effect=refused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/reports/new/", {"kind": "edition", "edition": plan.edition.pk, "language": "en", "format": "pdf"}
        )
    assert response.status_code == 302
    report = Report.objects.get(requested_by=partner)
    assert report.state == Report.State.QUEUED
    assert "stays queued: the task broker cannot be reached" in caplog.text
    # Later, with the broker back, the sweep sends it again and it is made.
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(hours=1))
    result = tasks.requeue_stuck_reports.apply().get()
    assert result["resent"] == [report.pk]
    report.refresh_from_db()
    assert report.state == Report.State.DONE
