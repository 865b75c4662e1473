# Exercise: harden this Dockerfile.
#  - run as a non-root user (create it here, uid 1000 or above)
#  - name a fixed version of the base image (a version tag; pinning, by digest, is better)
#  - keep the .env file out of every layer
#  - start the program with a JSON-form CMD
FROM python
WORKDIR /app
COPY . .
CMD python app.py
