# Exec form (a JSON list): Docker runs python itself as PID 1, and `docker stop`'s SIGTERM reaches it.
FROM python:3.11-slim
WORKDIR /app
COPY app.py .
CMD ["python", "app.py"]
