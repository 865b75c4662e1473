# Non-root (a numeric USER, which Kubernetes can verify is not root), pinned base, only the program copied, JSON-form CMD.
FROM python:3.11-slim
RUN useradd --create-home --uid 1000 appuser
WORKDIR /app
COPY app.py .
USER 1000
CMD ["python", "app.py"]
