import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def check_jsonschema():
    found = shutil.which("check-jsonschema") or str(Path(sys.executable).with_name("check-jsonschema"))
    return found


def test_docker_compose_file_follows_the_compose_specification():
    result = subprocess.run(
        [check_jsonschema(), "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def compose_services():
    import yaml

    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_compose_runs_every_part_of_the_deployment():
    services = compose_services()
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "report-worker", "beat"}
    assert services["web"]["command"] == ["gunicorn", "-c", "gunicorn.conf.py"]
    assert "worker" in services["worker"]["command"] and "worker" in services["report-worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


def test_nothing_serves_or_works_before_the_migrations_ran():
    services = compose_services()
    assert "migrate" not in " ".join(services["web"]["command"])  # web replicas never migrate at once
    for name in ("web", "worker", "report-worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["migrate"]["restart"] == "no"


def test_the_web_health_check_asks_the_readiness_endpoint_on_the_containers_own_address():
    test = " ".join(compose_services()["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/readyz" in test


def test_every_task_queue_has_a_worker_in_compose_and_in_make_worker():
    from django.conf import settings

    queues = {settings.CELERY_TASK_DEFAULT_QUEUE} | {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    services = compose_services()
    consumed = set()
    for name in ("worker", "report-worker"):
        option = next(arg for arg in services[name]["command"] if arg.startswith("--queues="))
        consumed |= set(option.removeprefix("--queues=").split(","))
    assert consumed == queues
    make_worker = (ROOT / "Makefile").read_text().split("\nworker:")[1].split("\n\n")[0]
    assert f"--queues={','.join(sorted(queues))}" in make_worker
    # Reminders never wait behind a report: no worker in compose takes both.
    assert not any(
        {"default", "reports"}
        <= set(next(a for a in services[n]["command"] if a.startswith("--queues=")).split("=")[1].split(","))
        for n in ("worker", "report-worker")
    )


def test_beat_keeps_its_schedule_on_a_volume():
    beat = compose_services()["beat"]
    schedule = next(arg for arg in beat["command"] if arg.startswith("--schedule="))
    folder = schedule.removeprefix("--schedule=").rsplit("/", 1)[0]
    assert any(volume.endswith(":" + folder) for volume in beat["volumes"])


def test_the_image_collects_static_files_and_runs_gunicorn_from_its_config():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "collectstatic --noinput" in dockerfile
    assert 'CMD ["gunicorn", "-c", "gunicorn.conf.py"]' in dockerfile


def test_a_broken_compose_file_is_caught(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  web:\n    image: 42\n    ports: 8000\n")
    result = subprocess.run(
        [check_jsonschema(), "--builtin-schema", "vendor.compose-spec", str(broken)], capture_output=True, text=True
    )
    assert result.returncode != 0
