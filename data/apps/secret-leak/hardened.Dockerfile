# Non-root, pinned base, only the program copied, JSON-form CMD.
FROM python:3.11-slim
RUN useradd --create-home --uid 1000 appuser
WORKDIR /app
COPY app.py .
USER appuser
CMD ["python", "app.py"]
