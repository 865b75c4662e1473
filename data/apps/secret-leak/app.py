"""A report service: it needs an API token when it runs, never when its image is built."""
import os

token = os.environ.get("API_TOKEN", "")
print("report service ready")
print("API token given at run time" if token else "no API token given: pass one with -e API_TOKEN=...")
