# "Fixed" by deleting the file in a later layer: the layer that copied it still ships it.
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN rm .env
CMD ["python", "app.py"]
