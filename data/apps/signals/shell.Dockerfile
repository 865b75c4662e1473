# Shell form: Docker runs `/bin/sh -c "python app.py"`, so PID 1 is the shell, not the app.
FROM python:3.11-slim
WORKDIR /app
COPY app.py .
CMD python app.py
