# Single stage: the full python image has the compiler and headers psycopg2 needs, and ships them all.
FROM python:3.11
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app.py .
CMD ["python", "app.py"]
