"""The seed's app: a few lines that need one dependency from PyPI."""
import platform

import humanize

print("Hello from a container!")
print(f"Python {platform.python_version()} on {platform.system()} {platform.machine()}")
print(f"humanize says 1234567 bytes is {humanize.naturalsize(1234567)}")
