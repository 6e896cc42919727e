"""gunicorn's configuration for NAP Tracker, read from the environment (the image and
docker-compose.yml start `gunicorn -c gunicorn.conf.py`).

  GUNICORN_BIND        address to listen on              default 0.0.0.0:8000
  GUNICORN_WORKERS     worker processes                  default 2 × cores + 1, at most 8
  GUNICORN_THREADS     threads per worker (1 = sync)     default 1
  GUNICORN_TIMEOUT     seconds before a stuck worker is restarted   default 60
  GUNICORN_GRACEFUL_TIMEOUT  seconds a worker has to finish on restart  default 30
  GUNICORN_KEEPALIVE   seconds to keep an idle connection from the proxy  default 5
  GUNICORN_MAX_REQUESTS  restart a worker after this many requests (0 = never)  default 2000

Each request is logged once by the application (with its request id, see nap_tracker/logs.py),
so gunicorn's own access log is off.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number; got {raw!r}.") from None


bind = os.environ.get("GUNICORN_BIND", "").strip() or "0.0.0.0:8000"
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8))
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
# Workers do not all restart at the same moment.
max_requests_jitter = max_requests // 10
wsgi_app = "nap_tracker.wsgi:application"
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The web container's file system may be read-only but for /tmp; heartbeat files go to memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# X-Forwarded-* headers are believed only from these addresses (the TLS-terminating proxy).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "").strip() or "127.0.0.1"
