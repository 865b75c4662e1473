# Exercise: this Dockerfile re-installs every dependency whenever app.py changes. Fix it.
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt app.py ./
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "app.py"]
