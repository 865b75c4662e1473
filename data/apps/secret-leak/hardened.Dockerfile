# Non-root (a numeric USER, which Kubernetes can verify is not root), a version tag on the base (pin it by digest
# for production: FROM python:3.11-slim@sha256:..., see the notebook), only the program copied, JSON-form CMD.
FROM python:3.11-slim
RUN useradd --create-home --uid 1000 appuser
WORKDIR /app
COPY app.py .
USER 1000
CMD ["python", "app.py"]
