# The project is copied into a build stage only; the final image takes just the program.
FROM python:3.11-slim AS source
WORKDIR /src
COPY . .
RUN python -m py_compile app.py

FROM python:3.11-slim
WORKDIR /app
COPY --from=source /src/app.py .
CMD ["python", "app.py"]
