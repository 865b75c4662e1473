# Hardened: a version tag for the base (tags move; pin by digest for a fixed base), only the program copied (the .env stays out), a non-root user, JSON-form CMD.
FROM python:3.11-slim
RUN useradd --create-home --uid 1000 appuser
WORKDIR /app
COPY app.py .
USER 1000
CMD ["python", "app.py"]
