# Exercise 02a: a container of this image stops at once. Read its logs, then fix this file.
FROM python:3.11-slim
WORKDIR /app
COPY app.py .
CMD ["python", "app.py"]
