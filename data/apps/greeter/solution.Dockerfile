# One way to solve the notebook 02 exercise.
FROM python:3.11-slim
WORKDIR /app
COPY greet.py .
CMD ["python", "greet.py"]
