"""gunicorn settings (read automatically from the working directory): ``gunicorn app.wsgi:app``.

Environment: PORT (default 8000), GUNICORN_WORKERS (default 2), GUNICORN_THREADS (default 1),
GUNICORN_TIMEOUT seconds (default 30), LOG_LEVEL (default info).
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Nginx keeps upstream connections open; stay above its keepalive_timeout so gunicorn is not the one closing.
keepalive = 75
graceful_timeout = 20  # below ECS's default stopTimeout (30 s) so in-flight requests finish on SIGTERM
loglevel = os.environ.get("LOG_LEVEL", "info")
accesslog = "-"  # stdout, collected by the awslogs driver
errorlog = "-"
# Trust X-Forwarded-* from the Nginx in front (same task or internal load balancer in the VPC).
forwarded_allow_ips = "*"
worker_tmp_dir = "/dev/shm"  # avoids heartbeat stalls on slow container filesystems
# No runtime control socket ($HOME/.gunicorn/gunicorn.ctl): ECS manages the process, and the home directory
# of the non-root user is not writable.
control_socket_disable = True
